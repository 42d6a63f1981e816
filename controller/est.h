/*
 * est: the end-point estimator of one batch's distillation. Part of the
 * pure core: no clock, no I/O, no malloc; fixed-size state; the same
 * inputs give the same forecast. Fed once per control tick during the
 * distil step with the distil time (process seconds of running in the
 * step: time held does not count, so a hold pauses the curve), the oil
 * collected in the step (g, from a 1 g counter) and the steam flow. It
 * fits the first-order form q = 1 - exp(-k t) and the two-stage form
 * q = 1 - f exp(-kw t) - (1 - f) exp(-kd t) (process.md, "Yield over
 * time") to the oil curve, keeps the better fit, and forecasts the oil
 * at the end, the time to 95 % of it, the present rate and the oil of
 * the next hour. docs/CONTROL.md, "End-point estimator", has the method.
 * Table of contents:
 *   struct est_forecast   what the estimator says
 *   struct est            its state (opaque in use; fixed size)
 *   est_init, est_update, est_forecast, est_model_name
 */
#ifndef EST_H
#define EST_H

enum est_model { EST_NONE, EST_FIRST_ORDER, EST_TWO_STAGE };

#define EST_SAMPLES_MAX 512       /* decimated points kept, fixed */
#define EST_T0_G 3.0              /* oil that says distillate has come, g */

/* The forecast at the last update. Masses are kg of oil collected in the
 * distil step; times are distil seconds (as fed to est_update). When
 * valid is 0 every other field is 0 (model EST_NONE). */
struct est_forecast {
	int valid;                    /* 1 once the curve says enough to fit */
	enum est_model model;         /* the fit kept */
	double t_s;                   /* distil time of the last update */
	double oil_kg;                /* oil so far (as fed) */
	double final_kg;              /* oil expected at the end (t -> inf) */
	double final_lo_kg;           /* a band around final_kg: lo <= final */
	double final_hi_kg;           /*   <= hi (docs/CONTROL.md says how) */
	double t95_s;                 /* distil time when 95 % of final_kg is in */
	double rate_kg_per_h;         /* the fit's oil rate now */
	double next_hour_kg;          /* oil the fit expects in the next hour */
	double k_per_s;               /* first order: k; two-stage: kd (slow) */
	double kw_per_s;              /* two-stage: washing rate; else 0 */
	double wash_frac;             /* two-stage: f; else 0 */
	double t0_s;                  /* distil time the fit's curve starts at
	                                 (first distillate) */
	double rms_g;                 /* the fit's residual, g */
};

/* The estimator's state: decimated samples of the curve and the last fit.
 * Fields are the implementation's (est.c); callers use the functions. */
struct est {
	double t_s[EST_SAMPLES_MAX];  /* distil time of each kept point, s */
	double oil_g[EST_SAMPLES_MAX];/* oil at that time, g */
	double final_g[EST_SAMPLES_MAX]; /* the fit's final oil when that
	                                 point came in, g; NaN none */
	int n;                        /* points kept */
	double every_s;               /* decimation: one point per this long */
	double last_t_s;              /* last update's distil time, -1 none */
	double last_oil_g;
	double t0_s;                  /* first distillate (oil >= EST_T0_G),
	                                 distil s; -1 before it */
	double y0_g;                  /* oil at t0_s, g */
	double fo_k_per_s;            /* the last fits' rates, where the next */
	double ts_kw_per_s;           /*   searches start (0: none) */
	double ts_kd_per_s;
	double steam_kg;              /* steam integrated over the step, kg */
	int dirty;                    /* a point came in since the last fit */
	struct est_forecast fc;       /* the last fit's forecast */
};

/* Sets e to "nothing seen" (call at the start of each distil step). */
void est_init(struct est *e);

/*
 * Feeds one tick: distil time t_s (non-decreasing; a repeat or a step back
 * is ignored), oil collected in the step so far oil_g (g; NaN when the
 * reading is bad: skipped), steam flow steam_kg_h (kg/h; NaN: skipped).
 * Refits when a new decimated point came in, so most ticks only store.
 * Cost: see `make bench` estimator_us_per_tick.
 */
void est_update(struct est *e, double t_s, double oil_g, double steam_kg_h);

/* The forecast of the last fit into *f. Returns f->valid. */
int est_forecast(const struct est *e, struct est_forecast *f);

/* "first-order", "two-stage" or "none". */
const char *est_model_name(enum est_model m);

#endif
