/*
 * pid: a PID loop with anti-windup, output and rate limits and bumpless
 * manual/auto transfer. Pure: time comes in as dt_s.
 *
 * Position form on the error e = setpoint - pv:
 *   out = kp e + integral - kp td d(pv)/dt
 * with the integral advanced by kp e dt / ti. A negative kp reverses the
 * action (the cooling valve: more cooling lowers the temperature).
 * Anti-windup is conditional integration: the integral does not move in a
 * direction the output cannot follow (at a range bound or slewing at the
 * rate limit), so a loop that was saturated for hours recovers as soon as
 * the error turns. The range clamp is applied after the rate limit, so a
 * lowered ceiling takes effect at once.
 */
#ifndef PID_H
#define PID_H

#include "cfg.h"

struct pid_loop {
	struct cfg_pid tune;
	double integral_pct;     /* integral term, % */
	double last_pv;          /* for derivative on measurement */
	double out_pct;          /* last output */
	int primed;              /* last_pv valid */
	int rebase;              /* next update re-bases the integral on
	                            out_pct so the output does not jump */
};

/* Starts the loop with output out_pct (for bumpless start). */
void pid_init(struct pid_loop *l, const struct cfg_pid *tune, double out_pct);

/* One update; returns the new output, limited in range and rate.
 * dt_s <= 0 returns the last output unchanged. */
double pid_update(struct pid_loop *l, double setpoint, double pv, double dt_s);

/* Bumpless transfer: the next update starts from out_pct. */
void pid_track(struct pid_loop *l, double out_pct, double pv);

/* Sets the output range (% of travel) used from the next update on; the
 * caller intersects the tuning's range with step limits and cut-backs.
 * min_pct > max_pct is taken as max_pct for both. */
void pid_set_range(struct pid_loop *l, double min_pct, double max_pct);

/* Moves the output toward target_pct at the tuning's rate limit, within
 * the range, and tracks it (the loop is in manual or open). Returns it. */
double pid_slew(struct pid_loop *l, double target_pct, double pv, double dt_s);

#endif
