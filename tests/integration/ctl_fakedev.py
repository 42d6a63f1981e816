#!/usr/bin/python3
"""A fake field device for stillroomd, written apart from the project's
code with Debian's python3-pymodbus: two stills (unit ids 1 and 2) with the
default register map of docs/registers.md, and a control unit 247 to set
their input registers from a test.

usage: ctl_fakedev.py PORT

Unit 1 and 2: input registers 0..11 (FC 4), holding registers 0..2 (FC 3,
6, 16); anything past them is exception 2, as a real I/O module answers.
Unit 247, holding register 100 * n + a: writing it sets input register a
of unit n.

Every request to unit 1 or 2 is printed on stdout, one a line:
    read UNIT FC ADDRESS COUNT
    write UNIT FC ADDRESS V1,V2,...
so a test can check what the controller put on the wire against the map.
Listens on 127.0.0.1 only. Stops on SIGTERM.
"""
import logging
import os
import signal
import sys

from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.server import StartTcpServer

CONTROL = 247
INPUTS = 12
HOLDINGS = 3


def regs(values):
    """16-bit registers from signed or unsigned ints."""
    return [v & 0xFFFF for v in values]


# Starting inputs, in the map's units (docs/registers.md): still_temp,
# vapour_temp, pressure, distillate_temp (0.1 C, 0.1 kPa, signed),
# cooling_flow (0.1 L/min), steam_flow (0.1 kg/h), oil (g, 32-bit high
# word first), charge (kg), steam_valve, cooling_valve (0.1 %), status.
START = {
    1: regs([253, 248, 12, -50, 1234, 567, 0x0001, 0x86A0, 480, 250, 999, 8]),
    2: regs([301, 299, -3, 187, 1500, 0, 0x0000, 0x04D2, 350, 0, 1000, 8]),
}


class Still(ModbusSlaveContext):
    """One still's registers; logs what the controller asks for."""

    def __init__(self, unit):
        super().__init__(
            ir=ModbusSequentialDataBlock(0, list(START[unit])),
            hr=ModbusSequentialDataBlock(0, [0] * HOLDINGS),
            di=ModbusSequentialDataBlock(0, [0]),
            co=ModbusSequentialDataBlock(0, [0]),
            zero_mode=True)
        self.unit = unit

    def validate(self, fc_as_hex, address, count=1):
        if fc_as_hex in (1, 2, 5, 15):
            return False          # no coils or discrete inputs
        return super().validate(fc_as_hex, address, count)

    def getValues(self, fc_as_hex, address, count=1):
        if fc_as_hex in (3, 4):
            print(f"read {self.unit} {fc_as_hex} {address} {count}", flush=True)
        return super().getValues(fc_as_hex, address, count)

    def setValues(self, fc_as_hex, address, values):
        print(f"write {self.unit} {fc_as_hex} {address} "
              + ",".join(str(v) for v in values), flush=True)
        super().setValues(fc_as_hex, address, values)

    def set_input(self, address, value):
        self.store["i"].setValues(address, [value])


class Control(ModbusSlaveContext):
    """Unit 247: register 100 * n + a sets input register a of still n."""

    def __init__(self, stills):
        super().__init__(hr=ModbusSequentialDataBlock(0, [0] * 300),
                         zero_mode=True)
        self.stills = stills

    def setValues(self, fc_as_hex, address, values):
        super().setValues(fc_as_hex, address, values)
        for i, v in enumerate(values):
            unit, reg = divmod(address + i, 100)
            if unit in self.stills and reg < INPUTS:
                self.stills[unit].set_input(reg, v)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    logging.disable(logging.CRITICAL)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    stills = {unit: Still(unit) for unit in START}
    slaves = dict(stills)
    slaves[CONTROL] = Control(stills)
    print("listening", flush=True)
    StartTcpServer(context=ModbusServerContext(slaves=slaves, single=False),
                   address=("127.0.0.1", int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
