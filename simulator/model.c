/*
 * model: the physical model of one steam-distillation still. See model.h
 * for the contract and docs/MODEL.md for the equations and their sources.
 *
 * One lumped body (charge + steel + condensate, one temperature) heated by
 * condensing steam; the vapour space, line and relief valve solved together
 * with the bed's boiling so that any dt <= 1 s is stable; a condenser with a
 * first-order outlet lag; two-stage oil-release kinetics; a field I/O module
 * with a watchdog and injected faults. Energies are kJ relative to liquid
 * water and solids at ambient temperature, so the account closes exactly up
 * to integration error.
 */
#include "model.h"

#include <math.h>
#include <string.h>

#define MODEL_LATENT_KJ_KG 2257.0   /* water, 100 C (steam tables) */
#define MODEL_CW_KJ_KG_K 4.186      /* liquid water */
#define MODEL_STEAM_C 100.0         /* supply steam throttled to ~1 atm */
#define MODEL_ATM_KPA 101.325
#define MODEL_ZERO_C_K 273.15
#define MODEL_STEAM_R_KJ_KG_K 0.4615 /* gas constant of water vapour */
#define MODEL_BED_FULL_C 100.0      /* saturation at 0 kPa gauge */
#define MODEL_CONGEAL_BAND_K 1.0    /* congealing goes from 0 to 1 over this */

/* One step's flows, kg over the step. */
struct model_flows {
	double steam_kg;     /* into the still */
	double line_kg;      /* out by the vapour line, to the condenser */
	double relief_kg;    /* out by the relief valve, to air */
};

void model_params_map(struct model_params *p, const struct cfg_reg *map)
{
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		const struct cfg_reg *r = &map[t];
		double v = r->range_min - 0.25 * (r->range_max - r->range_min);

		/* an unsigned register cannot read below its offset: the
		 * module shows its error code (NaN, see regmap_encode) */
		if (t >= CFG_TAG_STATUS || (!r->is_signed && v < r->offset))
			v = NAN;
		p->broken_value[t] = v;
	}
}

/* Reading noise in each tag's units: about one register count, enough that
 * a healthy sensor never repeats its raw value for minutes (estimate). */
static void model_noise_default(struct model_params *p)
{
	p->noise[CFG_TAG_STILL_TEMP] = 0.15;
	p->noise[CFG_TAG_VAPOUR_TEMP] = 0.15;
	p->noise[CFG_TAG_PRESSURE] = 0.1;
	p->noise[CFG_TAG_DISTILLATE_TEMP] = 0.15;
	p->noise[CFG_TAG_COOLING_FLOW] = 0.5;
	p->noise[CFG_TAG_STEAM_FLOW] = 0.5;
	p->noise[CFG_TAG_OIL] = 0;       /* receiver gauge: steady when idle */
	p->noise[CFG_TAG_CHARGE] = 0.3;
	p->noise[CFG_TAG_STEAM_POS] = 0.1;
	p->noise[CFG_TAG_COOLING_POS] = 0.1;
}

void model_params_default(struct model_params *p)
{
	memset(p, 0, sizeof *p);
	p->steel_kg = 800;            /* estimate: 500 kg-class still and lid */
	p->c_steel_kj_per_kg_k = 0.5; /* process.md */
	p->loss_w_per_k = 150;        /* estimate: ~14 m2 of bare steel at
	                                 ~11 W/m2 K (convection + radiation) */
	p->ambient_c = 25;            /* estimate: Vietnamese lowland */
	p->steam_max_kg_per_h = 300;  /* process.md heat-up example */
	p->supply_kpa = 300;          /* estimate: small boiler, 3 bar gauge */
	p->line_kpa_per_kg_h = 0.025; /* estimate: "a few kPa gauge" in
	                                 normal running (process.md) taken
	                                 at the working steam rate: 5 kPa,
	                                 the bundled recipes' target, at
	                                 200 kg/h of vapour (2/3 of the
	                                 supply, valve ~80 %); ~6 kPa wide
	                                 open. See docs/MODEL.md */
	p->relief_set_kpa = 50;       /* process.md: design 0.5-1 bar, relief
	                                 at or below */
	p->relief_reseat_kpa = 45;    /* estimate: 10 % blowdown */
	p->cooling_design_l_min = 200; /* process.md: 12 m3/h for 300 kg/h */
	p->cooling_in_c = 25;         /* estimate: well or river water */
	p->condenser_tau_s = 60;      /* process.md: 30 to 120 s */
	p->valve_rate_pct_per_s = 1;  /* estimate: electric actuator, 100 s
	                                 full stroke */
	p->watchdog_s = 2;            /* cfg_defaults watchdog_ms */
	p->steam_dryness = 0.9;       /* estimate: wood-fired boiler, no
	                                 separator (0.9 to 0.95) */
	p->headspace_m3 = 1.0;        /* estimate */
	p->relief_kg_h = 600;         /* estimate: twice the supply */
	p->condenser_rise_k = 15;     /* process.md: 15 K at design duty */
	p->condenser_approach_k = 5;  /* estimate: 30 C outlet on 25 C water */
	p->oil_loss_start_c = 45;     /* process.md: high alarm 45-50 C */
	p->congeal_plug_kg = 2;       /* estimate */
	p->congeal_melt_s = 300;      /* estimate */
	p->rate_saturation = 0.5;     /* estimate, see model_rate_scale */
	p->rate_ratio_max = 4;        /* estimate: beyond, the bed channels */
	p->vapour_tau_s = 20;         /* estimate: thermowell in the line */
	model_noise_default(p);
	/* until model_params_map gives the plant's register map */
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		p->broken_value[t] = NAN;
}

/* Saturation temperature (C) at pressure p_kpa gauge, Clausius-Clapeyron
 * through 100 C at 1 atm; *slope_c_per_kpa gets dT/dp. */
static double model_sat(double p_kpa, double *slope_c_per_kpa)
{
	const double k = MODEL_STEAM_R_KJ_KG_K / MODEL_LATENT_KJ_KG; /* 1/K */
	double pa = MODEL_ATM_KPA + p_kpa;
	double tk;

	if (pa < 10)
		pa = 10;
	tk = 1 / (1 / (MODEL_BED_FULL_C + MODEL_ZERO_C_K) -
	          k * log(pa / MODEL_ATM_KPA));
	*slope_c_per_kpa = tk * tk * k / pa;
	return tk - MODEL_ZERO_C_K;
}

static double model_clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Heat capacity of the lumped body, kJ/K, with water_kg of condensate. */
static double model_heat_cap(const struct model_still *m, double water_kg)
{
	double c_charge = m->feed.c_kj_per_kg_k;
	double w0 = m->feed.moisture_pct / 100, w = m->moisture_pct / 100;

	/* the feed's c holds at its default moisture; shift the water share */
	if (w0 < 1)
		c_charge += (w - w0) * (MODEL_CW_KJ_KG_K - c_charge) / (1 - w0);
	return m->charge_kg * c_charge + m->p.steel_kg * m->p.c_steel_kj_per_kg_k
	       + water_kg * MODEL_CW_KJ_KG_K;
}

/* Enthalpy of saturated vapour at sat_c, kJ/kg vs water at ambient. */
static double model_vapour_h(const struct model_still *m, double sat_c)
{
	return MODEL_LATENT_KJ_KG + MODEL_CW_KJ_KG_K * (sat_c - m->p.ambient_c);
}

/* Enthalpy of the supply steam, kJ/kg vs water at ambient. */
static double model_steam_h(const struct model_still *m)
{
	return m->p.steam_dryness * MODEL_LATENT_KJ_KG +
	       MODEL_CW_KJ_KG_K * (MODEL_STEAM_C - m->p.ambient_c);
}

/* Vapour-space capacitance: kPa per kg of vapour held. */
static double model_cap_kpa_per_kg(const struct model_still *m)
{
	return MODEL_STEAM_R_KJ_KG_K * (MODEL_BED_FULL_C + MODEL_ZERO_C_K) /
	       m->p.headspace_m3;
}

/* Line conductance, kg/s per kPa: 0 when blocked, less with congealed oil. */
static double model_line_g(const struct model_still *m)
{
	double plug = 1 + m->oil_congealed_g / 1000 / m->p.congeal_plug_kg;

	if (m->faults.line_blocked || m->p.line_kpa_per_kg_h <= 0)
		return 0;
	return 1 / (m->p.line_kpa_per_kg_h * plug * 3600);
}

static double model_relief_g(const struct model_still *m)
{
	if (!m->relief_open)
		return 0;
	return m->p.relief_kg_h / 3600 / m->p.relief_set_kpa;
}

static double model_stored_kj(const struct model_still *m)
{
	double water = m->condensate_kg + m->sump_kg;
	double held = m->pressure_kpa / model_cap_kpa_per_kg(m);

	return model_heat_cap(m, water) * (m->bed_c - m->p.ambient_c) +
	       held * model_vapour_h(m, m->sat_c);
}

/* Adds (or with dkg < 0 removes) condensate: the bed holds up to its share
 * of the charge, the rest drains below the grid. Boiling takes from the
 * sump first. */
static void model_water_add(struct model_still *m, double dkg)
{
	double hold = m->feed.condensate_hold_frac * m->charge_kg;

	if (dkg >= 0) {
		m->condensate_kg += dkg;
		if (m->condensate_kg > hold) {
			m->sump_kg += m->condensate_kg - hold;
			m->condensate_kg = hold;
		}
		return;
	}
	m->sump_kg += dkg;
	if (m->sump_kg < 0) {
		m->condensate_kg += m->sump_kg;
		m->sump_kg = 0;
		if (m->condensate_kg < 0)
			m->condensate_kg = 0;
	}
}

/* The relief valve lifts at its set pressure and reseats lower. */
static void model_relief(struct model_still *m)
{
	if (!m->relief_open && m->pressure_kpa >= m->p.relief_set_kpa)
		m->relief_open = 1;
	else if (m->relief_open && m->pressure_kpa <= m->p.relief_reseat_kpa)
		m->relief_open = 0;
}

/*
 * Boiling and pressure over one step, given the lump's energy e_kj (vs
 * ambient) and water_kg after the steam condensed into it. Saturation is
 * linearised around the old pressure and the new pressure solved
 * implicitly from the vapour mass balance
 *   boiled = out by line and relief (g p dt) + change in vapour held,
 * which is stable at any dt although the line's own lag is ~0.2 s.
 * Sets pressure_kpa, sat_c, bed_c; returns the kg boiled off.
 */
static double model_boil(struct model_still *m, double e_kj, double water_kg,
                         double g_kg_s_kpa, double dt_s)
{
	double ta = m->p.ambient_c, l = MODEL_LATENT_KJ_KG;
	double c = model_heat_cap(m, water_kg);
	double slope, sat0 = model_sat(m->pressure_kpa, &slope);
	double cap = model_cap_kpa_per_kg(m);
	double p0 = m->pressure_kpa, p, boil_kg;

	p = ((e_kj - c * (sat0 - ta) + c * slope * p0) / l + p0 / cap) /
	    (c * slope / l + g_kg_s_kpa * dt_s + 1 / cap);
	boil_kg = (e_kj - c * (sat0 + slope * (p - p0) - ta)) / l;
	if (p < 0 || boil_kg <= 0) {
		/* below saturation: nothing boils, the vapour space vents */
		boil_kg = 0;
		p = p0 / (1 + cap * g_kg_s_kpa * dt_s);
		m->bed_c = ta + e_kj / c;
	} else if (boil_kg > water_kg) {
		/* a dry, superheated bed: only the water there can boil */
		boil_kg = water_kg;
		p = (p0 / cap + boil_kg) / (1 / cap + g_kg_s_kpa * dt_s);
		m->bed_c = ta + (e_kj - boil_kg * model_vapour_h(m,
		           sat0 + slope * (p - p0))) / model_heat_cap(m, 0);
	} else {
		m->bed_c = sat0 + slope * (p - p0);
	}
	m->pressure_kpa = p;
	m->sat_c = sat0 + slope * (p - p0);
	return boil_kg;
}

/*
 * The bed, vapour space, line and relief valve over one step: all steam
 * condenses into the lump (charge + steel + condensate, one temperature);
 * what would lift it above saturation boils off. Fills f's outflows and
 * the energy account.
 */
static void model_bed(struct model_still *m, double dt_s,
                      struct model_flows *f)
{
	double ta = m->p.ambient_c;
	double water = m->condensate_kg + m->sump_kg;
	double loss_kj = m->p.loss_w_per_k / 1000 * (m->bed_c - ta) * dt_s;
	double steam_kj = f->steam_kg * model_steam_h(m);
	double e_kj = model_heat_cap(m, water) * (m->bed_c - ta) + steam_kj -
	              loss_kj;
	double g_line = model_line_g(m), g = g_line + model_relief_g(m);
	double boil_kg, out_kg;

	boil_kg = model_boil(m, e_kj, water + f->steam_kg, g, dt_s);
	model_water_add(m, f->steam_kg - boil_kg);
	out_kg = g * dt_s * m->pressure_kpa;
	f->line_kg = g_line * dt_s * m->pressure_kpa;
	f->relief_kg = out_kg - f->line_kg;
	model_relief(m);
	m->energy.steam_in_kj += steam_kj;
	m->energy.loss_kj += loss_kj;
	m->energy.vapour_out_kj += out_kg * model_vapour_h(m, m->sat_c);
	m->energy.stored_kj = model_stored_kj(m);
}

/* Moves an actuator toward target at the rate limit, unless stuck. */
static double model_valve_move(double pos_pct, double target_pct,
                               double rate_pct_per_s, double dt_s, int stuck)
{
	double step = rate_pct_per_s * dt_s;

	if (stuck)
		return pos_pct;
	target_pct = model_clamp(target_pct, 0, 100);
	if (target_pct > pos_pct + step)
		return pos_pct + step;
	if (target_pct < pos_pct - step)
		return pos_pct - step;
	return target_pct;
}

/* The I/O module's watchdog, then the actuators and the flows they give. */
static void model_actuators(struct model_still *m, double dt_s)
{
	double steam_target = m->steam_cmd_pct, dp;

	m->heartbeat_age_s += dt_s;
	if (m->heartbeat_age_s >= m->p.watchdog_s)
		m->watchdog_tripped = 1;
	if (m->watchdog_tripped)
		steam_target = 0;
	m->steam_pos_pct = model_valve_move(m->steam_pos_pct, steam_target,
	                                    m->p.valve_rate_pct_per_s, dt_s,
	                                    m->faults.steam_valve_stuck);
	m->cooling_pos_pct = model_valve_move(m->cooling_pos_pct,
	                                      m->cooling_cmd_pct,
	                                      m->p.valve_rate_pct_per_s, dt_s,
	                                      m->faults.cooling_valve_stuck);
	/* linear trim; flow falls with the square root of the drop */
	dp = m->p.supply_kpa - m->pressure_kpa;
	m->steam_flow_kg_h = dp <= 0 ? 0 :
	        m->p.steam_max_kg_per_h * m->steam_pos_pct / 100 *
	        sqrt(dp / m->p.supply_kpa);
	m->cooling_flow_l_min = m->faults.cooling_lost ? 0 :
	        m->p.cooling_design_l_min * m->cooling_pos_pct / 100;
}

/* Steady condenser outlet, C, for the vapour now reaching it. */
static double model_condenser_target(const struct model_still *m)
{
	double t_in = m->p.cooling_in_c, flow = m->cooling_flow_l_min;
	double duty_kw, need_l_min, x, t;

	if (m->vapour_kg_h <= 0)
		return flow > 0 ? t_in : m->p.ambient_c;
	if (flow <= 0)
		return m->sat_c;
	duty_kw = m->vapour_kg_h / 3600 *
	          (MODEL_LATENT_KJ_KG + MODEL_CW_KJ_KG_K * (m->sat_c - t_in));
	need_l_min = duty_kw / (MODEL_CW_KJ_KG_K * m->p.condenser_rise_k) * 60;
	x = flow / need_l_min;
	t = t_in + m->p.condenser_approach_k / (x * x * x);
	return t < m->sat_c ? t : m->sat_c;
}

static void model_condenser(struct model_still *m, double dt_s)
{
	double target = model_condenser_target(m);
	double vap = m->vapour_kg_h > 0 ? m->sat_c : m->bed_c;

	m->distillate_c += (target - m->distillate_c) * dt_s /
	                   (m->p.condenser_tau_s + dt_s);
	m->vapour_c += (vap - m->vapour_c) * dt_s / (m->p.vapour_tau_s + dt_s);
}

/*
 * Rate-constant scale for steam ratio r = flow / reference flow:
 * s = r (1 + b) / (1 + b r), so s(1) = 1 exactly and s ~ r at low flow;
 * at high flow each extra kg of steam carries less oil (channelling). Oil
 * per kg of steam falls as the rate rises while hours (and the still's
 * losses per hour) fall, so the best rate lies mid-range (Dao 2021).
 */
static double model_rate_scale(const struct model_still *m)
{
	double ref = m->feed.ref_steam_kg_per_h_per_kg * m->charge_kg;
	double b = m->p.rate_saturation, r;

	if (ref <= 0)
		return 0;
	r = model_clamp(m->steam_flow_kg_h / ref, 0, m->p.rate_ratio_max);
	return r * (1 + b) / (1 + b * r);
}

/* Share of the oil reaching the condenser that congeals there. */
static double model_congeal_frac(const struct model_still *m)
{
	double x = (m->feed.congeal_c - m->distillate_c) / MODEL_CONGEAL_BAND_K;

	return model_clamp(x + 0.5, 0, 1);
}

/* Congealed oil melts into the receiver once the condenser is warm. */
static void model_oil_melt(struct model_still *m, double dt_s)
{
	double melt;

	if (m->oil_congealed_g <= 0 ||
	    m->distillate_c <= m->feed.congeal_c + MODEL_CONGEAL_BAND_K / 2)
		return;
	melt = m->oil_congealed_g * dt_s / (m->p.congeal_melt_s + dt_s);
	m->oil_congealed_g -= melt;
	m->oil_receiver_g += melt;
}

/* Oil release while vapour leaves the still, and where the oil goes: by
 * the relief valve to air; at the condenser lost as vapour when hot,
 * congealed when cold, else into the receiver. */
static void model_oil(struct model_still *m, double dt_s,
                      const struct model_flows *f)
{
	double out = f->line_kg + f->relief_kg, s, w0, d0, rel, cond, hot, cg;

	model_oil_melt(m, dt_s);
	if (out <= 0 || m->oil_total_g <= 0)
		return;
	s = model_rate_scale(m) * dt_s / 60;
	w0 = m->wash_left;
	d0 = m->diff_left;
	m->wash_left *= exp(-m->feed.kw_per_min * s);
	m->diff_left *= exp(-m->feed.kd_per_min * s);
	rel = (w0 - m->wash_left + d0 - m->diff_left) * m->oil_total_g;
	m->oil_released_g += rel;
	cond = rel * f->line_kg / out;
	hot = model_clamp((m->distillate_c - m->p.oil_loss_start_c) /
	                  (MODEL_BED_FULL_C - m->p.oil_loss_start_c), 0, 1);
	cg = cond * (1 - hot) * model_congeal_frac(m);
	m->oil_lost_g += rel - cond + cond * hot;
	m->oil_congealed_g += cg;
	m->oil_receiver_g += cond * (1 - hot) - cg;
}

/* What an input tag truly is now, before the sensor. */
static double model_true_value(const struct model_still *m, int tag)
{
	switch (tag) {
	case CFG_TAG_STILL_TEMP: return m->bed_c;
	case CFG_TAG_VAPOUR_TEMP: return m->vapour_c;
	case CFG_TAG_PRESSURE: return m->pressure_kpa;
	case CFG_TAG_DISTILLATE_TEMP: return m->distillate_c;
	case CFG_TAG_COOLING_FLOW: return m->cooling_flow_l_min;
	case CFG_TAG_STEAM_FLOW: return m->steam_flow_kg_h;
	case CFG_TAG_OIL: return m->oil_receiver_g;
	case CFG_TAG_CHARGE: return m->charge_kg;
	case CFG_TAG_STEAM_POS: return m->steam_pos_pct;
	case CFG_TAG_COOLING_POS: return m->cooling_pos_pct;
	default: return 0;
	}
}

/* Deterministic noise in [-1, 1) for (step, tag): splitmix64. */
static double model_noise(uint64_t step, int tag)
{
	uint64_t z = step * CFG_TAG_COUNT + (uint64_t)tag + 0x9e3779b97f4a7c15u;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-52 - 1;
}

/* A healthy (maybe drifting) sensor's reading of tag. Flowmeters cut off
 * below their noise (no flow reads 0), quantities that cannot go negative
 * read >= 0 and positions 0..100 %, so noise alone never looks out of
 * range. */
static double model_sensor(const struct model_still *m, int tag)
{
	double v = model_true_value(m, tag);
	double noise = m->p.noise[tag] * model_noise(m->steps, tag);
	int flowmeter = tag == CFG_TAG_COOLING_FLOW ||
	                tag == CFG_TAG_STEAM_FLOW;

	if (flowmeter && v <= m->p.noise[tag])
		noise = 0;
	v += m->drift[tag] + noise;
	switch (tag) {
	case CFG_TAG_STEAM_POS:
	case CFG_TAG_COOLING_POS:
		return model_clamp(v, 0, 100);
	case CFG_TAG_COOLING_FLOW:
	case CFG_TAG_STEAM_FLOW:
	case CFG_TAG_OIL:
	case CFG_TAG_CHARGE:
		return v < 0 ? 0 : v;
	default:
		return v;
	}
}

/* Fault bookkeeping: freezes stuck readings, accumulates drift. */
static void model_sensor_faults(struct model_still *m, double dt_s)
{
	for (int t = 0; t < CFG_TAG_STATUS; t++) {
		double rate = m->faults.sensor_drift_per_min[t];

		m->drift[t] = rate != 0 ? m->drift[t] + rate * dt_s / 60 : 0;
		if (!m->faults.sensor_stuck[t])
			m->stuck_value[t] = NAN;
		else if (isnan(m->stuck_value[t]))
			m->stuck_value[t] = model_sensor(m, t);
	}
}

void model_init(struct model_still *m, const struct model_params *p)
{
	memset(m, 0, sizeof *m);
	m->p = *p;
	m->bed_c = p->ambient_c;
	m->vapour_c = p->ambient_c;
	m->distillate_c = p->ambient_c;
	m->sat_c = MODEL_BED_FULL_C;
	m->distillate_started_s = -1;
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		m->stuck_value[t] = NAN;
}

void model_charge(struct model_still *m, const struct model_feed *feed,
                  double mass_kg, double moisture_pct)
{
	double w0 = feed->moisture_pct / 100, w;

	m->feed = *feed;
	m->charge_kg = mass_kg > 0 ? mass_kg : 0;
	m->moisture_pct = moisture_pct < 0 ? feed->moisture_pct : moisture_pct;
	w = model_clamp(m->moisture_pct / 100, 0, 0.99);
	/* the yield holds as charged at the feed's moisture: scale by dry mass */
	m->oil_total_g = feed->yield_frac * m->charge_kg * 1000 *
	                 (w0 < 1 ? (1 - w) / (1 - w0) : 1);
	m->oil_released_g = 0;
	m->oil_receiver_g = 0;
	m->oil_lost_g = 0;
	m->oil_congealed_g = 0;
	m->wash_left = feed->wash_frac;
	m->diff_left = 1 - feed->wash_frac;
	m->bed_c = m->p.ambient_c;
	m->vapour_c = m->p.ambient_c;
	m->condensate_kg = 0;
	m->sump_kg = 0;
	m->pressure_kpa = 0;
	m->sat_c = MODEL_BED_FULL_C;
	m->relief_open = 0;
	m->distillate_started_s = -1;
	m->steam_used_kg = 0;
	memset(&m->energy, 0, sizeof m->energy);
}

void model_write(struct model_still *m, double steam_cmd_pct,
                 double cooling_cmd_pct, uint16_t heartbeat)
{
	m->steam_cmd_pct = model_clamp(steam_cmd_pct, 0, 100);
	m->cooling_cmd_pct = model_clamp(cooling_cmd_pct, 0, 100);
	if (heartbeat != m->heartbeat_last) {
		m->heartbeat_last = heartbeat;
		m->heartbeat_age_s = 0;
		m->watchdog_tripped = 0;
	}
}

void model_step(struct model_still *m, double dt_s)
{
	struct model_flows f = {0};

	if (!(dt_s > 0))
		return;
	m->t_s += dt_s;
	m->steps++;
	model_actuators(m, dt_s);
	f.steam_kg = m->steam_flow_kg_h / 3600 * dt_s;
	m->steam_used_kg += f.steam_kg;
	model_bed(m, dt_s, &f);
	m->vapour_kg_h = f.line_kg / dt_s * 3600;
	m->relief_flow_kg_h = f.relief_kg / dt_s * 3600;
	if (m->distillate_started_s < 0 && f.line_kg > 0 && m->charge_kg > 0)
		m->distillate_started_s = m->t_s;
	model_condenser(m, dt_s);
	model_oil(m, dt_s, &f);
	model_sensor_faults(m, dt_s);
}

void model_read(const struct model_still *m, struct model_io *io)
{
	io->status = 0;
	for (int t = 0; t < CFG_TAG_STATUS; t++) {
		if (m->faults.sensor_broken[t]) {
			io->value[t] = m->p.broken_value[t];
			io->status |= CFG_STATUS_SENSOR_FAULT;
		} else if (m->faults.sensor_stuck[t] &&
		           !isnan(m->stuck_value[t])) {
			io->value[t] = m->stuck_value[t];
		} else {
			io->value[t] = model_sensor(m, t);
		}
	}
	if (m->relief_open)
		io->status |= CFG_STATUS_RELIEF_LIFTED;
	if (m->watchdog_tripped)
		io->status |= CFG_STATUS_WATCHDOG;
	if (m->charge_kg > 0)
		io->status |= CFG_STATUS_CHARGE_LOADED;
	io->value[CFG_TAG_STATUS] = io->status;
	io->value[CFG_TAG_STEAM_CMD] = m->steam_cmd_pct;
	io->value[CFG_TAG_COOLING_CMD] = m->cooling_cmd_pct;
	io->value[CFG_TAG_HEARTBEAT] = m->heartbeat_last;
}

double model_energy(const struct model_still *m, struct model_energy *e)
{
	const struct model_energy *a = &m->energy;

	if (e != NULL)
		*e = *a;
	if (a->steam_in_kj <= 0)
		return 0;
	return (a->steam_in_kj - a->stored_kj - a->loss_kj - a->vapour_out_kj) /
	       a->steam_in_kj;
}
