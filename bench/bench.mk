# bench/bench.mk: the C programs of `make bench` (bench/run builds them
# with `make -f Makefile -f bench/bench.mk bench-progs`; the Makefile may
# also include this file). Each bench/NAME.c becomes $(BUILD)/bench/NAME,
# compiled with the project's flags and linked against an archive of every
# module's objects (the programs' main.o left out), so a program pulls in
# only the modules it calls.

ifndef BENCH_MK
BENCH_MK := 1

BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
BENCH_LIB  := $(BUILD)/bench/libstillroom.a
BENCH_OBJS := $(filter-out %/main.o,$(sort $(DAEMON_OBJS) $(SIM_OBJS) $(UI_OBJS)))
# the closed-loop rig (tests/rig) that test_closedloop links too, and the
# population of batches on it (bench_endpoint, test_pop)
BENCH_OBJS += $(BUILD)/tests/rig/rig.o $(BUILD)/tests/rig/pop.o $(BUILD)/tests/rig/rig_load.o

.PHONY: bench-progs
bench-progs: $(BENCH_BINS)

$(BENCH_LIB): $(BENCH_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

# bench_doc renders drum labels too (rpt_main -> doc_qr): libqrencode
$(BUILD)/bench/bench_doc: SR_LIBS += $(QR_LIBS)

$(BUILD)/bench/%: bench/%.c $(BENCH_LIB) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(SR_CFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(BENCH_LIB) \
	  $(SR_LDFLAGS) $(SR_LIBS) $(QR_LIBS) $(PQ_LIBS)

endif
