/*
 * cfg: the plant configuration (config/plant.yaml), read by the controller,
 * the simulator and the console. Table of contents:
 *   tags and the register map (cfg_tag; struct cfg_reg is in regmap.h)
 *   stills and their Modbus endpoints (cfg_still)
 *   plant-wide limits, PID tuning, safe outputs (cfg_limits, cfg_pid)
 *   cfg_load / cfg_parse
 *   cfg_default_path / cfg_tag_name / cfg_tag_kind / cfg_still_find
 * Every number carries its unit in its name.
 */
#ifndef CFG_H
#define CFG_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "econ.h"
#include "settle.h"
#include "cfg_hist.h"
#include "cfg_link.h"
#include "cfg_sync.h"
#include "regmap.h"

struct ydoc_kind;

#define CFG_STILLS_MAX 256
#define CFG_NAME_MAX 32
#define CFG_PATH_MAX 256

/* Process values the plant exposes; order is the register map's order. */
enum cfg_tag {
	CFG_TAG_STILL_TEMP,      /* charge temperature, C */
	CFG_TAG_VAPOUR_TEMP,     /* vapour-line temperature, C */
	CFG_TAG_PRESSURE,        /* still pressure, kPa gauge */
	CFG_TAG_DISTILLATE_TEMP, /* condenser outlet temperature, C */
	CFG_TAG_COOLING_FLOW,    /* cooling-water flow, L/min */
	CFG_TAG_STEAM_FLOW,      /* steam flow, kg/h */
	CFG_TAG_OIL,             /* oil in the receiver, g (32-bit) */
	CFG_TAG_CHARGE,          /* charge mass on the load cell, kg */
	CFG_TAG_STEAM_POS,       /* steam valve position, % */
	CFG_TAG_COOLING_POS,     /* cooling valve position, % */
	CFG_TAG_STATUS,          /* status bits, see CFG_STATUS_* */
	CFG_TAG_STEAM_CMD,       /* steam valve command, % (output) */
	CFG_TAG_COOLING_CMD,     /* cooling valve command, % (output) */
	CFG_TAG_HEARTBEAT,       /* watchdog heartbeat, counts (output) */
	CFG_TAG_COUNT
};
#define CFG_TAG_FIRST_OUTPUT CFG_TAG_STEAM_CMD

/* Status register bits (CFG_TAG_STATUS). */
#define CFG_STATUS_RELIEF_LIFTED 0x1u
#define CFG_STATUS_WATCHDOG      0x2u
#define CFG_STATUS_SENSOR_FAULT  0x4u
#define CFG_STATUS_CHARGE_LOADED 0x8u

enum cfg_transport { CFG_TCP, CFG_RTU };

struct cfg_still {
	char name[CFG_NAME_MAX];
	int unit_id;                /* Modbus unit id 1..247 */
	enum cfg_transport transport;
	char host[64];              /* TCP host (default 127.0.0.1) */
	int port;                   /* TCP port (default 1502) */
	char device[CFG_PATH_MAX];  /* RTU serial device */
	int baud;                   /* RTU baud rate */
	char parity;                /* 'N', 'E' or 'O' */
	int data_bits;              /* 7 or 8 */
	int stop_bits;              /* 1 or 2 */
	int period_ms;              /* control tick period */
	int timeout_ms;             /* Modbus response timeout, <= period/2 */
};

/* Plant-wide limits; recipes may tighten, never loosen them. */
struct cfg_limits {
	double pressure_high_kpa;        /* alarm */
	double pressure_high_high_kpa;   /* trip: steam closed, latched */
	double pressure_rise_kpa_per_min; /* rate-of-rise alarm */
	double vapour_temp_high_c;       /* alarm */
	double distillate_high_c;        /* alarm and steam cut back */
	double distillate_high_high_c;   /* trip: steam closed, latched */
	double distillate_low_c;         /* alarm; NaN when not set plant-wide */
	double cooling_flow_low_l_min;   /* below it: cooling lost, steam closed */
	double sensor_frozen_s;          /* unchanged raw value this long = bad */
};

/* A PID loop's tuning; output in percent of valve travel. */
struct cfg_pid {
	double kp_pct_per_unit;      /* proportional gain */
	double ti_s;                 /* integral time, 0 = no integral */
	double td_s;                 /* derivative time */
	double out_min_pct;
	double out_max_pct;
	double rate_max_pct_per_s;   /* output slew limit */
};

struct cfg_plant {
	char path[CFG_PATH_MAX];          /* the file this came from */
	char site[64];
	struct cfg_still stills[CFG_STILLS_MAX];
	int n_stills;
	struct cfg_reg map[CFG_TAG_COUNT];
	double safe_steam_pct;            /* written on any fault (0) */
	double safe_cooling_pct;          /* written on any fault */
	struct cfg_limits limits;
	struct cfg_pid pid_pressure;      /* steam valve on still pressure */
	struct cfg_pid pid_vapour;        /* steam valve on vapour temperature */
	struct cfg_pid pid_distillate;    /* cooling valve on distillate temp */
	int tick_ms;                      /* default still period */
	int historian_ms;                 /* sample rate of the historian */
	int watchdog_ms;                  /* field watchdog time */
	int comm_loss_ticks;              /* missed ticks before comm alarm */
	int sim_control_unit;             /* simulator fault-injection unit id */
	char db_path[CFG_PATH_MAX];       /* relative paths: to the file's dir */
	char socket_path[CFG_PATH_MAX];
	char recipes_dir[CFG_PATH_MAX];
	char feedstocks_path[CFG_PATH_MAX];
	char qa_spec_path[CFG_PATH_MAX];
	struct econ_cfg econ;             /* economics: (econ.h); set 0 when
	                                     the section is absent */
	struct settle_cfg settle;         /* settlement: and privacy:
	                                     (settle.h); set 0 when absent */
	struct hist_cfg hist;             /* historian: retention (cfg_hist.h) */
	struct mqtt_cfg mqtt;             /* mqtt: live status (cfg_link.h) */
	struct notify_cfg notify;         /* notify: the alarm hook (cfg_link.h) */
	struct sync_cfg sync;             /* sync: the central PostgreSQL
	                                     (cfg_sync.h), for stillroom-sync */
};

/*
 * Loads and checks the plant configuration at path into *p.
 * Returns 0 when clean; -1 with every error (up to the cap) added to *d as
 * "file:line:column: message". *p is fully written only on success.
 */
int cfg_load(struct cfg_plant *p, const char *path, struct diag *d);

/*
 * cfg_load on len bytes of text already in memory; path names the file in
 * messages and anchors relative paths (it need not exist). For tests and
 * the fuzzer. Same contract as cfg_load.
 */
int cfg_parse(struct cfg_plant *p, const char *path, const char *text,
              size_t len, struct diag *d);

/* Fills *p with the built-in defaults (the bundled file's values). */
void cfg_defaults(struct cfg_plant *p);

/* The config path to use when none is given: config/plant.yaml beside the
 * source tree the program was built in, else SR_SYSCONFDIR/plant.yaml. */
const char *cfg_default_path(void);

/* The tag's name as written in YAML and status ("still_temp"), or NULL. */
const char *cfg_tag_name(enum cfg_tag t);

/* The quantity the tag measures (its units for scale, range and recipe
 * thresholds), or NULL for unitless counts (status, heartbeat). */
const struct ydoc_kind *cfg_tag_kind(enum cfg_tag t);

/* The tag's entry in the simulator's default register map, or NULL. */
const struct cfg_reg *cfg_default_reg(enum cfg_tag t);

/* 1 for tags the controller writes (steam_cmd, cooling_cmd, heartbeat). */
int cfg_tag_is_output(enum cfg_tag t);

/* The tag with that name, or -1. */
int cfg_tag_find(const char *name);

/* Index of the still named name, or -1. */
int cfg_still_find(const struct cfg_plant *p, const char *name);

#endif
