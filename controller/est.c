/*
 * est: the end-point estimator (est.h). Decimated points of the oil curve
 * from the first distillate on; at each new point both published forms are
 * fitted by least squares (the amplitudes linear, the rates searched on a
 * log scale), the better one kept by a penalised residual (BIC), and its
 * forecast stored. docs/CONTROL.md, "End-point estimator", has the method
 * and the figures behind the constants.
 */
#include <math.h>
#include <string.h>

#include "est.h"

#define EST_EVERY0_S 30.0        /* first decimation: one point per 30 s */
#define EST_MIN_POINTS 8         /* points from t0 before any fit */
#define EST_K_MIN_PER_S (1.0 / (500 * 3600.0)) /* slowest rate: 500 h */
#define EST_K_MAX_PER_S (1.0 / 30) /* fastest rate: 30 s */
#define EST_GRID 20              /* coarse grid of rates (log spaced) */
#define EST_FIT_POINTS 128       /* at most this many points in a fit */
#define EST_COARSE_POINTS 64     /* at most this many points in the grid */
#define EST_PATTERN_MIN 0.002    /* pattern search ends at this ln step */
#define EST_PATTERN_EVALS_MAX 300 /* bounds a refit's worst cost */
#define EST_WARM_STEP 0.02       /* search from the last fit: ln k +- this */
#define EST_QUANT_VAR_G2 (1.0 / 12) /* a 1 g counter's rounding variance */
#define EST_TS_BIC_MARGIN 10.0   /* two-stage must beat first order by this */
#define EST_BAND_SIGMAS 2.0      /* band: residual rises by this many sigma^2 */
#define EST_BAND_SPAN 1.0        /* band: ln k moves at most this far */
#define EST_Q_VALID 0.4          /* valid once the fit says this share is in */
#define EST_SPAN_MIN_S 1800.0    /* valid after 30 min of distillate: the
                                    washing stage hides the slow one */
#define EST_DRIFT_BACK 0.6       /* drift: against the fit at 0.6 of the data */
#define EST_DRIFT_VALID 0.10     /* valid once the final moved at most this
                                    share over the last quarter of the data */
#define EST_TAIL_SHARE 0.25      /* band: at least +- this share of the oil
                                    the fit still expects */

/* The points of the fit: tau from t0, oil above the oil at t0. */
struct est_pts {
	double tau_s[EST_FIT_POINTS];
	double y_g[EST_FIT_POINTS];
	int n;
	double syy;                  /* sum of y^2 */
};

/* One fitted curve y = a1 (1 - e^-kw tau) + a2 (1 - e^-kd tau); first
 * order has a1 = 0 and kw = 0. */
struct est_fit {
	double a1_g, a2_g;
	double kw_per_s, kd_per_s;
	double sse_g2;               /* sum of squared residuals */
	double bic;
};

/* The residual of a fit on its own: what est_fo_sse and est_ts_sse give. */
typedef double est_sse_fn(const struct est_pts *p, double k1, double k2,
                          struct est_fit *fit);

void est_init(struct est *e)
{
	memset(e, 0, sizeof *e);
	e->every_s = EST_EVERY0_S;
	e->last_t_s = -1;
	e->t0_s = -1;
}

const char *est_model_name(enum est_model m)
{
	switch (m) {
	case EST_FIRST_ORDER:
		return "first-order";
	case EST_TWO_STAGE:
		return "two-stage";
	default:
		return "none";
	}
}

/* q of a fit's shape at tau (0..1). */
static double est_fit_q(const struct est_fit *fit, double tau_s)
{
	double a = fit->a1_g + fit->a2_g;

	if (tau_s <= 0 || a <= 0)
		return 0;
	return (fit->a1_g * -expm1(-fit->kw_per_s * tau_s)
	        + fit->a2_g * -expm1(-fit->kd_per_s * tau_s)) / a;
}

/* First order with rate k: the best amplitude in closed form. */
static double est_fo_sse(const struct est_pts *p, double k, double unused,
                         struct est_fit *fit)
{
	double sgy = 0, sgg = 0;

	(void)unused;
	for (int i = 0; i < p->n; i++) {
		double g = -expm1(-k * p->tau_s[i]);
		sgy += g * p->y_g[i];
		sgg += g * g;
	}
	memset(fit, 0, sizeof *fit);
	fit->kd_per_s = k;
	if (sgg <= 0 || sgy <= 0) {
		fit->sse_g2 = INFINITY;
		return INFINITY;
	}
	fit->a2_g = sgy / sgg;
	fit->sse_g2 = fmax(p->syy - sgy * sgy / sgg, 0);
	return fit->sse_g2;
}

/* The two-stage amplitudes from the sums of the basis g1 (kw) and g2
 * (kd) against each other and y: the 2x2 least squares. Returns the
 * residual, INFINITY when a share falls outside 0..1 (f) or the basis is
 * singular. */
static double est_ts_solve(double s11, double s12, double s22, double s1y,
                           double s2y, double syy, struct est_fit *fit)
{
	double det = s11 * s22 - s12 * s12;

	fit->sse_g2 = INFINITY;
	if (!(fit->kw_per_s > fit->kd_per_s) || det <= 1e-12 * s11 * s22)
		return INFINITY;
	fit->a1_g = (s22 * s1y - s12 * s2y) / det;
	fit->a2_g = (s11 * s2y - s12 * s1y) / det;
	if (fit->a1_g < 0 || fit->a2_g <= 0)
		return INFINITY;
	fit->sse_g2 = fmax(syy - fit->a1_g * s1y - fit->a2_g * s2y, 0);
	return fit->sse_g2;
}

/* Two stage with rates kw > kd (est_ts_solve). */
static double est_ts_sse(const struct est_pts *p, double kw, double kd,
                         struct est_fit *fit)
{
	double s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;

	for (int i = 0; i < p->n; i++) {
		double g1 = -expm1(-kw * p->tau_s[i]);
		double g2 = -expm1(-kd * p->tau_s[i]);
		s11 += g1 * g1;
		s12 += g1 * g2;
		s22 += g2 * g2;
		s1y += g1 * p->y_g[i];
		s2y += g2 * p->y_g[i];
	}
	memset(fit, 0, sizeof *fit);
	fit->kw_per_s = kw;
	fit->kd_per_s = kd;
	return est_ts_solve(s11, s12, s22, s1y, s2y, p->syy, fit);
}

static double est_grid_k(int i)
{
	double step = log(EST_K_MAX_PER_S / EST_K_MIN_PER_S) / (EST_GRID - 1);

	return EST_K_MIN_PER_S * exp(step * i);
}

/* Every step-th point of p into sub (the coarse grid's cheaper data). */
static void est_pts_thin(const struct est_pts *p, struct est_pts *sub)
{
	int step = (p->n + EST_COARSE_POINTS - 1) / EST_COARSE_POINTS;

	sub->n = 0;
	sub->syy = 0;
	for (int i = p->n - 1; i >= 0; i -= step) {
		sub->tau_s[sub->n] = p->tau_s[i];
		sub->y_g[sub->n] = p->y_g[i];
		sub->syy += p->y_g[i] * p->y_g[i];
		sub->n++;
	}
}

/* Golden section on ln k1 in [lo, hi] of fn(p, k1, k2) down to a bracket
 * of EST_PATTERN_MIN: the best fit. */
static void est_golden(const struct est_pts *p, est_sse_fn *fn, double lo,
                       double hi, double k2, struct est_fit *best)
{
	const double r = 0.6180339887498949;
	double a = lo, b = hi, c = b - r * (b - a), d = a + r * (b - a);
	struct est_fit fc, fd;
	double sc, sd;

	sc = fn(p, exp(c), k2, &fc);
	sd = fn(p, exp(d), k2, &fd);
	while (b - a > EST_PATTERN_MIN) {
		if (sc <= sd) {
			b = d;
			d = c;
			fd = fc;
			sd = sc;
			c = b - r * (b - a);
			sc = fn(p, exp(c), k2, &fc);
		} else {
			a = c;
			c = d;
			fc = fd;
			sc = sd;
			d = a + r * (b - a);
			sd = fn(p, exp(d), k2, &fd);
		}
	}
	*best = sc <= sd ? fc : fd;
}

/* The first-order fit: coarse grid on ln k, then golden section around
 * the grid's best or, when it fits better, around the last fit's k_prev
 * (0 none) within EST_WARM_STEP; again from the grid if that ends on
 * the warm bracket's edge. */
static void est_fit_fo(const struct est_pts *p, const struct est_pts *sub,
                       double k_prev, struct est_fit *best)
{
	double step = log(EST_K_MAX_PER_S / EST_K_MIN_PER_S) / (EST_GRID - 1);
	double best_s = INFINITY, u;
	int bi = 0;
	struct est_fit fit, grid;

	for (int i = 0; i < EST_GRID; i++) {
		double s = est_fo_sse(sub, est_grid_k(i), 0, &fit);
		if (s < best_s) {
			best_s = s;
			bi = i;
		}
	}
	if (k_prev > 0 && est_fo_sse(p, k_prev, 0, &fit)
	                  <= est_fo_sse(p, est_grid_k(bi), 0, &grid)) {
		u = log(k_prev);
		est_golden(p, est_fo_sse, u - EST_WARM_STEP, u + EST_WARM_STEP, 0,
		           best);
		if (fabs(fabs(log(best->kd_per_s) - u) - EST_WARM_STEP) > 1e-3)
			return;
	}
	u = log(est_grid_k(bi));
	est_golden(p, est_fo_sse, u - step, u + step, 0, best);
}

/* The best grid pair (kw > kd) of the two-stage form on sub (the basis
 * of each grid rate computed once); -1 when no pair has f in 0..1. */
static int est_ts_grid(const struct est_pts *sub, int *iw, int *id)
{
	double g[EST_GRID][EST_COARSE_POINTS], gg[EST_GRID], gy[EST_GRID];
	double best_s = INFINITY;
	struct est_fit fit;

	for (int k = 0; k < EST_GRID; k++) {
		gg[k] = gy[k] = 0;
		for (int i = 0; i < sub->n; i++) {
			g[k][i] = -expm1(-est_grid_k(k) * sub->tau_s[i]);
			gg[k] += g[k][i] * g[k][i];
			gy[k] += g[k][i] * sub->y_g[i];
		}
	}
	for (int w = 1; w < EST_GRID; w++) {
		for (int d = 0; d < w; d++) {
			double s12 = 0, s;

			for (int i = 0; i < sub->n; i++)
				s12 += g[w][i] * g[d][i];
			fit.kw_per_s = est_grid_k(w);
			fit.kd_per_s = est_grid_k(d);
			s = est_ts_solve(gg[w], s12, gg[d], gy[w], gy[d], sub->syy, &fit);
			if (s < best_s) {
				best_s = s;
				*iw = w;
				*id = d;
			}
		}
	}
	return isfinite(best_s) ? 0 : -1;
}

/* Pattern search on (ln kw, ln kd) from best, the step halved from
 * step until EST_PATTERN_MIN; the 8 neighbours are tried at each step,
 * within the rates' bounds, at most EST_PATTERN_EVALS_MAX in all (a
 * curve that has not bent yet leaves a long flat valley). */
static void est_ts_pattern(const struct est_pts *p, double step,
                           struct est_fit *best)
{
	static const int dw[8] = {1, -1, 0, 0, 1, -1, 1, -1};
	static const int dd[8] = {0, 0, 1, -1, 1, -1, -1, 1};
	double uw = log(best->kw_per_s), ud = log(best->kd_per_s);
	double u_min = log(EST_K_MIN_PER_S), u_max = log(EST_K_MAX_PER_S);
	struct est_fit fit;
	int evals = 0;

	while (step >= EST_PATTERN_MIN && evals < EST_PATTERN_EVALS_MAX) {
		int moved = 0;

		for (int j = 0; j < 8 && !moved; j++) {
			double w = uw + dw[j] * step, d = ud + dd[j] * step;
			if (w > u_max || d < u_min)
				continue;
			evals++;
			if (est_ts_sse(p, exp(w), exp(d), &fit) < best->sse_g2) {
				*best = fit;
				uw = w;
				ud = d;
				moved = 1;
			}
		}
		if (!moved)
			step /= 2;
	}
}

/* The two-stage fit: coarse grid, then a pattern search from the grid's
 * best or, when it fits better, from the last fit's (kw_prev, kd_prev)
 * (0 none). best->sse_g2 is INFINITY when no pair gives shares within
 * 0..1. */
static void est_fit_ts(const struct est_pts *p, const struct est_pts *sub,
                       double kw_prev, double kd_prev, struct est_fit *best)
{
	double step = log(EST_K_MAX_PER_S / EST_K_MIN_PER_S) / (EST_GRID - 1);
	int iw = 0, id = 0;
	struct est_fit warm;

	memset(best, 0, sizeof *best);
	best->sse_g2 = INFINITY;
	if (est_ts_grid(sub, &iw, &id) < 0)
		return;
	est_ts_sse(p, est_grid_k(iw), est_grid_k(id), best);
	if (kd_prev > 0 && est_ts_sse(p, kw_prev, kd_prev, &warm) <= best->sse_g2) {
		*best = warm;
		step = 2 * EST_WARM_STEP;
	}
	if (isfinite(best->sse_g2))
		est_ts_pattern(p, step / 2, best);
}

static void est_fit_bic(const struct est_pts *p, struct est_fit *fit,
                        int params)
{
	double n = p->n;

	fit->bic = n * log((fit->sse_g2 + n * EST_QUANT_VAR_G2) / n)
	         + params * log(n);
}

/* The kept form's fit to p with its slow rate at e^u (two-stage: kw
 * kept): its residual, the fit in *fit. */
static double est_sse_at(const struct est_pts *p, const struct est_fit *b,
                         double u, struct est_fit *fit)
{
	if (b->a1_g > 0)
		return est_ts_sse(p, b->kw_per_s, exp(u), fit);
	return est_fo_sse(p, exp(u), 0, fit);
}

/* The band of the final oil from the fit's sensitivity to its slow rate:
 * the residual's curvature in ln k at the best fit b (from two
 * neighbours) says how far ln k may move before the residual grows by
 * delta; the amplitudes of the fits there are *lo_g and *hi_g (a fit
 * outside the form's bounds leaves b's). */
static void est_band(const struct est_pts *p, const struct est_fit *b,
                     double delta, double *lo_g, double *hi_g)
{
	const double h = 0.05;
	double u = log(b->kd_per_s), c, du;
	struct est_fit fp, fm;

	c = (est_sse_at(p, b, u + h, &fp) + est_sse_at(p, b, u - h, &fm)
	     - 2 * b->sse_g2) / (h * h);
	du = c > 0 ? fmin(sqrt(2 * delta / c), EST_BAND_SPAN) : EST_BAND_SPAN;
	*lo_g = *hi_g = b->a1_g + b->a2_g;
	if (isfinite(est_sse_at(p, b, u + du, &fp)))
		*lo_g = fp.a1_g + fp.a2_g;
	if (isfinite(est_sse_at(p, b, u - du, &fm)))
		*hi_g = fm.a1_g + fm.a2_g;
}

/* tau at which the fit reaches 95 % of its amplitude, s (bisection). */
static double est_t95_tau_s(const struct est_fit *fit)
{
	double lo = 0, hi = log(20) / fit->kd_per_s;

	for (int i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;
		if (est_fit_q(fit, mid) < 0.95)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* At most EST_FIT_POINTS of the points, evenly spread and ending with
 * the last, into p: tau from t0 and oil above the oil at t0. */
static void est_pts_of(const struct est *e, struct est_pts *p)
{
	int step = (e->n + EST_FIT_POINTS - 1) / EST_FIT_POINTS;

	p->n = 0;
	p->syy = 0;
	for (int i = (e->n - 1) % step; i < e->n; i += step) {
		double y = e->oil_g[i] - e->y0_g;
		p->tau_s[p->n] = e->t_s[i] - e->t0_s;
		p->y_g[p->n] = y;
		p->syy += y * y;
		p->n++;
	}
}

/* How far the final oil moved over the last quarter of the data: |final_g
 * - the final at the latest point at or before EST_DRIFT_BACK of the
 * present tau|, g; NaN when there was none. */
static double est_drift_g(const struct est *e, double final_g)
{
	double back_s = EST_DRIFT_BACK * (e->t_s[e->n - 1] - e->t0_s);

	for (int j = e->n - 2; j >= 0; j--)
		if (e->t_s[j] - e->t0_s <= back_s && isfinite(e->final_g[j]))
			return fabs(final_g - e->final_g[j]);
	return NAN;
}

/* The band of f around its final (b's fit, drift_g as est_drift_g): the
 * widest of the slow rate's sensitivity (est_band), a share of the oil
 * still expected, and the drift. */
static void est_store_band(const struct est *e, const struct est_pts *p,
                           const struct est_fit *b, int params,
                           double drift_g, struct est_forecast *f)
{
	double a = b->a1_g + b->a2_g, tau = p->tau_s[p->n - 1];
	double s2 = fmax(b->sse_g2 / fmax(p->n - params, 1), EST_QUANT_VAR_G2);
	double half_g, e1, e2;

	est_band(p, b, EST_BAND_SIGMAS * EST_BAND_SIGMAS * s2, &e1, &e2);
	half_g = fmax(EST_TAIL_SHARE * a * (1 - est_fit_q(b, tau)), drift_g);
	f->final_lo_kg = fmin(f->final_kg - half_g / 1000,
	                      (e->y0_g + fmin(e1, e2)) / 1000);
	f->final_hi_kg = fmax(f->final_kg + half_g / 1000,
	                      (e->y0_g + fmax(e1, e2)) / 1000);
}

/* The forecast of the kept fit into e->fc (valid or all 0), its final
 * noted at the latest point. */
static void est_store(struct est *e, const struct est_pts *p,
                      const struct est_fit *b, int params)
{
	double a = b->a1_g + b->a2_g, tau = p->tau_s[p->n - 1], drift_g;
	struct est_forecast *f = &e->fc;

	memset(f, 0, sizeof *f);
	if (!(a > 0) || !isfinite(a))
		return;
	e->final_g[e->n - 1] = e->y0_g + a;
	drift_g = est_drift_g(e, e->y0_g + a);
	if (est_fit_q(b, tau) < EST_Q_VALID || tau < EST_SPAN_MIN_S ||
	    !(drift_g <= EST_DRIFT_VALID * a))
		return;
	f->valid = 1;
	f->model = b->a1_g > 0 ? EST_TWO_STAGE : EST_FIRST_ORDER;
	f->final_kg = (e->y0_g + a) / 1000;
	est_store_band(e, p, b, params, drift_g, f);
	f->t95_s = e->t0_s + est_t95_tau_s(b);
	f->k_per_s = b->kd_per_s;
	f->kw_per_s = b->a1_g > 0 ? b->kw_per_s : 0;
	f->wash_frac = b->a1_g / a;
	f->t0_s = e->t0_s;
	f->rms_g = sqrt(b->sse_g2 / p->n);
}

/* Fits both forms to the points and keeps the better one's forecast. */
static void est_refit(struct est *e)
{
	static const struct est_fit none;
	struct est_pts p, sub;
	struct est_fit fo = none, ts = none;

	est_pts_of(e, &p);
	if (p.n < EST_MIN_POINTS) {
		memset(&e->fc, 0, sizeof e->fc);
		return;
	}
	est_pts_thin(&p, &sub);
	est_fit_fo(&p, &sub, e->fo_k_per_s, &fo);
	est_fit_ts(&p, &sub, e->ts_kw_per_s, e->ts_kd_per_s, &ts);
	e->fo_k_per_s = fo.kd_per_s;
	e->ts_kw_per_s = isfinite(ts.sse_g2) ? ts.kw_per_s : 0;
	e->ts_kd_per_s = isfinite(ts.sse_g2) ? ts.kd_per_s : 0;
	est_fit_bic(&p, &fo, 2);
	if (isfinite(ts.sse_g2)) {
		est_fit_bic(&p, &ts, 4);
		if (ts.bic < fo.bic - EST_TS_BIC_MARGIN) {
			est_store(e, &p, &ts, 4);
			return;
		}
	}
	est_store(e, &p, &fo, 2);
}

/* Keeps every other point (the last one among them) and doubles the
 * spacing, so a long distillation fits in EST_SAMPLES_MAX points. */
static void est_thin(struct est *e)
{
	int j = 0;

	for (int i = (e->n - 1) % 2; i < e->n; i += 2) {
		e->t_s[j] = e->t_s[i];
		e->oil_g[j] = e->oil_g[i];
		e->final_g[j] = e->final_g[i];
		j++;
	}
	e->n = j;
	e->every_s *= 2;
}

/* A new decimated point at (t_s, oil_g)? Stores it and says so. */
static int est_keep(struct est *e, double t_s, double oil_g)
{
	if (e->n > 0 && t_s < e->t_s[e->n - 1] + e->every_s)
		return 0;
	if (e->n == EST_SAMPLES_MAX) {
		est_thin(e);
		if (t_s < e->t_s[e->n - 1] + e->every_s)
			return 0;
	}
	e->t_s[e->n] = t_s;
	e->oil_g[e->n] = oil_g;
	e->final_g[e->n] = NAN;
	e->n++;
	return 1;
}

void est_update(struct est *e, double t_s, double oil_g, double steam_kg_h)
{
	if (!isfinite(t_s) || (e->last_t_s >= 0 && t_s <= e->last_t_s))
		return;
	if (e->last_t_s >= 0 && isfinite(steam_kg_h) && steam_kg_h > 0)
		e->steam_kg += steam_kg_h * (t_s - e->last_t_s) / 3600;
	e->last_t_s = t_s;
	if (!isfinite(oil_g))
		return;
	e->last_oil_g = oil_g;
	if (e->t0_s < 0) {
		if (oil_g < EST_T0_G)
			return;
		e->t0_s = t_s;
		e->y0_g = oil_g;
	}
	if (est_keep(e, t_s, oil_g)) {
		e->dirty = 1;
		est_refit(e);
		e->dirty = 0;
	}
}

int est_forecast(const struct est *e, struct est_forecast *f)
{
	struct est_fit fit = {0};
	double tau, a;

	*f = e->fc;
	if (!f->valid)
		return 0;
	a = (f->final_kg * 1000 - e->y0_g);
	fit.a1_g = a * f->wash_frac;
	fit.a2_g = a - fit.a1_g;
	fit.kw_per_s = f->kw_per_s;
	fit.kd_per_s = f->k_per_s;
	tau = e->last_t_s - f->t0_s;
	f->t_s = e->last_t_s;
	f->oil_kg = e->last_oil_g / 1000;
	f->next_hour_kg = a * (est_fit_q(&fit, tau + 3600) - est_fit_q(&fit, tau))
	                / 1000;
	f->rate_kg_per_h = (fit.a1_g * fit.kw_per_s * exp(-fit.kw_per_s * tau)
	                    + fit.a2_g * fit.kd_per_s * exp(-fit.kd_per_s * tau))
	                 * 3.6;
	return 1;
}
