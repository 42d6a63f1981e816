/*
 * model: the physical model of one steam-distillation still. Pure and
 * deterministic: no I/O, no clock; time comes in as dt. Table of contents:
 *   struct model_feed     a feedstock's parameters (from feedstocks.yaml)
 *   struct model_params   the still's hardware
 *   struct model_faults   faults injected into the field side
 *   struct model_io       what the field I/O module shows and takes
 *   struct model_still    the state
 *   model_params_default, model_params_map, model_init, model_charge,
 *   model_write, model_step, model_read, model_energy
 * Sources for every figure: ../shared/reference/process.md.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdint.h>

#include "cfg.h"

#define MODEL_FEED_NAME_MAX 32

struct model_feed {
	char name[MODEL_FEED_NAME_MAX]; /* cassia-leaf, cassia-bark, star-anise */
	double yield_frac;          /* recoverable oil / charge mass, as charged */
	double wash_frac;           /* f: share released by fast washing */
	double kw_per_min;          /* washing rate constant at ref steam */
	double kd_per_min;          /* diffusion rate constant at ref steam */
	double ref_steam_kg_per_h_per_kg; /* steam rate the constants hold at */
	double c_kj_per_kg_k;       /* specific heat of the moist charge */
	double moisture_pct;        /* default moisture */
	double oil_density_rel;     /* vs water: > 1 sinks */
	double congeal_c;           /* oil solidifies below this (star anise) */
	double condensate_hold_frac; /* condensate held in the bed / charge */
};

struct model_params {
	double steel_kg;              /* still body and lid */
	double c_steel_kj_per_kg_k;   /* 0.5 */
	double loss_w_per_k;          /* UA to ambient */
	double ambient_c;
	double steam_max_kg_per_h;    /* flow with the valve fully open */
	double supply_kpa;            /* boiler supply pressure, gauge */
	double line_kpa_per_kg_h;     /* vapour-line pressure drop per flow */
	double relief_set_kpa;        /* relief valve lifts here */
	double relief_reseat_kpa;     /* and reseats here */
	double cooling_design_l_min;  /* cooling flow at 100 % valve */
	double cooling_in_c;          /* cooling water inlet temperature */
	double condenser_tau_s;       /* outlet temperature lag */
	double valve_rate_pct_per_s;  /* actuator speed */
	double watchdog_s;            /* field watchdog time */
	/* defaults and their sources: model_params_default in model.c */
	double steam_dryness;         /* dryness fraction of supply steam, 0..1 */
	double headspace_m3;          /* vapour space above the bed */
	double relief_kg_h;           /* relief valve capacity at set pressure */
	double condenser_rise_k;      /* cooling-water rise at design duty, K */
	double condenser_approach_k;  /* outlet above cooling inlet, K, at
	                                 exactly the needed cooling flow */
	double oil_loss_start_c;      /* distillate above this loses oil */
	double congeal_plug_kg;       /* congealed oil that doubles line drop */
	double congeal_melt_s;        /* congealed oil melts with this lag */
	double rate_saturation;       /* b in the steam-rate scale, see model.c */
	double rate_ratio_max;        /* steam / reference steam, capped here */
	double vapour_tau_s;          /* vapour-line thermometer lag */
	double noise[CFG_TAG_COUNT];  /* reading noise, peak, tag units */
	double broken_value[CFG_TAG_COUNT]; /* reading of a broken 4-20 mA loop,
	                                       tag units, NaN = error code */
};

/* Field-side faults; a zeroed struct means none. Set them between steps:
 * they act from the next model_step (a stuck reading freezes there). */
struct model_faults {
	int sensor_stuck[CFG_TAG_COUNT];      /* freeze the reading */
	double sensor_drift_per_min[CFG_TAG_COUNT]; /* added per minute */
	int sensor_broken[CFG_TAG_COUNT];     /* below 3.6 mA: out of range */
	int steam_valve_stuck;                /* valve ignores commands */
	int cooling_valve_stuck;
	int line_blocked;                     /* vapour line plugged */
	int cooling_lost;                     /* no cooling water at all */
};

/* The I/O module's registers in engineering units. */
struct model_io {
	double value[CFG_TAG_COUNT];  /* readings (inputs) */
	uint32_t status;              /* CFG_STATUS_* bits */
};

/* Running energy account since the charge, kJ. */
struct model_energy {
	double steam_in_kj;
	double stored_kj;     /* sensible heat in charge, steel, condensate */
	double loss_kj;       /* to ambient */
	double vapour_out_kj; /* carried to the condenser */
};

struct model_still {
	struct model_params p;
	struct model_feed feed;
	struct model_faults faults;
	double t_s;                 /* simulated time since init */
	double charge_kg;           /* dry-ish biomass as loaded */
	double moisture_pct;
	double oil_total_g;         /* recoverable oil left + collected */
	double oil_released_g;      /* released from the charge */
	double oil_receiver_g;      /* in the Florentine receiver */
	double oil_lost_g;          /* lost as vapour (hot distillate) */
	double oil_congealed_g;     /* stuck in a cold condenser */
	double wash_left;           /* kinetic state: washable fraction left */
	double diff_left;           /* diffusable fraction left */
	double bed_c;               /* charge temperature */
	double condensate_kg;       /* held in the bed */
	double vapour_c;
	double pressure_kpa;
	double distillate_c;
	double steam_pos_pct;       /* actual valve positions */
	double cooling_pos_pct;
	double steam_cmd_pct;       /* commanded */
	double cooling_cmd_pct;
	double steam_flow_kg_h;
	double cooling_flow_l_min;
	double distillate_started_s; /* time of first distillate, -1 before */
	int relief_open;
	uint16_t heartbeat_last;
	double heartbeat_age_s;
	int watchdog_tripped;
	struct model_energy energy;
	double stuck_value[CFG_TAG_COUNT]; /* readings frozen by a fault, NaN
	                                      while the sensor is not stuck */
	double drift[CFG_TAG_COUNT];       /* accumulated drift */
	/* derived and bookkeeping */
	uint64_t steps;             /* model_step calls since init (noise seed) */
	double sump_kg;             /* condensate drained below the grid, kept
	                               in the still at bed temperature */
	double sat_c;               /* saturation temperature at pressure_kpa */
	double vapour_kg_h;         /* vapour leaving by the line (distillate) */
	double relief_flow_kg_h;    /* vapour leaving by the relief valve */
	double steam_used_kg;       /* steam since the charge */
};

/* Fills *p with a 500 kg-class still's defaults (process.md figures).
 * Broken-loop readings are NaN until model_params_map is called. */
void model_params_default(struct model_params *p);

/* Sets p->broken_value[] from the plant's register map (CFG_TAG_COUNT
 * entries, e.g. cfg_plant.map): a loop below 3.6 mA reads range_min minus
 * 25 % of the span, or NaN (the module's error code; regmap_encode makes it
 * implausible) where an unsigned register cannot carry that. */
void model_params_map(struct model_params *p, const struct cfg_reg *map);

/* Starts a still at ambient, empty, valves closed. */
void model_init(struct model_still *m, const struct model_params *p);

/* Loads a fresh charge of feed (mass_kg, moisture_pct < 0 = feed default):
 * receiver emptied, kinetics reset, bed at ambient. */
void model_charge(struct model_still *m, const struct model_feed *feed,
                  double mass_kg, double moisture_pct);

/* Takes the controller's writes: valve commands (%) and heartbeat. */
void model_write(struct model_still *m, double steam_cmd_pct,
                 double cooling_cmd_pct, uint16_t heartbeat);

/* Advances the model by dt_s seconds (any dt <= 1 s is accurate). */
void model_step(struct model_still *m, double dt_s);

/* What the I/O module shows now, faults applied. */
void model_read(const struct model_still *m, struct model_io *io);

/* Copies the energy account since the charge into *e (may be NULL) and
 * returns its imbalance (steam_in - stored - loss - vapour_out) / steam_in,
 * 0 before any steam. */
double model_energy(const struct model_still *m, struct model_energy *e);

#endif
