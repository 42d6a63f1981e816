/* pid: a PID loop with anti-windup and bumpless transfer. See pid.h. */
#include "pid.h"

#include <math.h>

static double pid_clamp(double v, double lo, double hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

/* v moved from last by at most rate * dt (rate <= 0: unlimited). */
static double pid_rate_limit(double v, double last, double rate, double dt_s)
{
	if (rate <= 0)
		return v;
	return pid_clamp(v, last - rate * dt_s, last + rate * dt_s);
}

void pid_init(struct pid_loop *l, const struct cfg_pid *tune, double out_pct)
{
	l->tune = *tune;
	l->out_pct = pid_clamp(out_pct, tune->out_min_pct, tune->out_max_pct);
	l->integral_pct = l->out_pct;
	l->last_pv = 0;
	l->primed = 0;
	l->rebase = 1;
}

void pid_set_range(struct pid_loop *l, double min_pct, double max_pct)
{
	if (min_pct > max_pct)
		min_pct = max_pct;
	l->tune.out_min_pct = min_pct;
	l->tune.out_max_pct = max_pct;
}

void pid_track(struct pid_loop *l, double out_pct, double pv)
{
	l->out_pct = out_pct;
	l->last_pv = pv;
	l->primed = 1;
	l->rebase = 1;
}

double pid_slew(struct pid_loop *l, double target_pct, double pv, double dt_s)
{
	const struct cfg_pid *t = &l->tune;
	double out = pid_rate_limit(target_pct, l->out_pct,
	                            t->rate_max_pct_per_s, dt_s > 0 ? dt_s : 0);

	pid_track(l, pid_clamp(out, t->out_min_pct, t->out_max_pct), pv);
	return l->out_pct;
}

double pid_update(struct pid_loop *l, double setpoint, double pv, double dt_s)
{
	const struct cfg_pid *t = &l->tune;
	double e, p, d, step, u, out;

	if (dt_s <= 0 || !isfinite(setpoint) || !isfinite(pv))
		return l->out_pct;
	e = setpoint - pv;
	p = t->kp_pct_per_unit * e;
	d = 0;
	if (l->primed && t->td_s > 0)
		d = -t->kp_pct_per_unit * t->td_s * (pv - l->last_pv) / dt_s;
	if (l->rebase) {
		l->integral_pct = l->out_pct - p - d;
		l->rebase = 0;
	}
	step = t->ti_s > 0 ? t->kp_pct_per_unit * e * dt_s / t->ti_s : 0;
	u = p + l->integral_pct + step + d;
	out = pid_rate_limit(u, l->out_pct, t->rate_max_pct_per_s, dt_s);
	out = pid_clamp(out, t->out_min_pct, t->out_max_pct);
	/* Conditional integration: keep the step only if the output could
	 * follow it, i.e. it was not cut by a bound or the slew in the same
	 * direction. */
	if (!((out < u && step > 0) || (out > u && step < 0)))
		l->integral_pct += step;
	l->last_pv = pv;
	l->primed = 1;
	l->out_pct = out;
	return out;
}
