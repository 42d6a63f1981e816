/*
 * bench_sim: how fast the plant model runs with no clock, for `make bench`.
 * Makes the plant of CONFIG (every still charged with 500 kg of the first
 * feedstock of the config's feedstocks file, steam and cooling commanded
 * fully open, the field watchdog off so the steam stays open), then steps
 * it with plant_run_for (simulator/plant.c) in spans of CHUNK_S simulated
 * seconds until HOURS simulated hours (a batch) have passed; then charges
 * every still afresh and does it again, REPS batches in all, and times the
 * whole. The
 * spans stand for the stepping thread's batches: after each one the
 * register images are published, as the thread does after every wake.
 * Prints one JSON line: stills, simulated and wall seconds, simulated
 * seconds per wall second, and still 0's oil (a check that the model
 * distilled).
 *
 * usage: bench_sim CONFIG HOURS REPS
 * Exits 0, 1 when the plant cannot be made, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cfg.h"
#include "clk.h"
#include "diag.h"
#include "feed.h"
#include "model.h"
#include "plant.h"
#include "regmap.h"

#define CHUNK_S 60.0    /* simulated seconds per plant_run_for call */

/* Writes output tag t of still i as a controller would. */
static void bench_output(struct plant *pl, const struct cfg_plant *cfg, int i,
                         enum cfg_tag t, double value)
{
	const struct cfg_reg *r = &cfg->map[t];
	uint16_t w[2];

	regmap_encode(r, value, w);
	for (int k = 0; k < r->words; k++)
		plant_reg_write(pl, i, r->address + k, w[k]);
}

/* Charges every still of pl afresh, 500 kg of feed 0; -1 on failure. */
static int bench_charge(struct plant *pl, const struct cfg_plant *cfg)
{
	for (int i = 0; i < cfg->n_stills; i++)
		if (plant_charge(pl, i, 0, 500, -1) < 0)
			return -1;
	return 0;
}

/* The plant of cfg, every still commanded to distil; NULL on failure. */
static struct plant *bench_plant(const struct cfg_plant *cfg)
{
	static struct model_feed feeds[PLANT_FEEDS_MAX];
	struct plant *pl;
	struct diag d;
	int n_feeds;

	diag_init(&d);
	n_feeds = feed_load(cfg->feedstocks_path, feeds, PLANT_FEEDS_MAX, &d);
	if (n_feeds < 1 || (pl = plant_new(cfg, feeds, n_feeds, &d)) == NULL) {
		diag_print(&d, stderr);
		return NULL;
	}
	for (int i = 0; i < cfg->n_stills; i++) {
		plant_reg_write(pl, PLANT_UNIT_CONTROL,
		                PLANT_CTL_BLOCK * (i + 1) + PLANT_CTL_WATCHDOG_OFF, 1);
		bench_output(pl, cfg, i, CFG_TAG_STEAM_CMD, 100);
		bench_output(pl, cfg, i, CFG_TAG_COOLING_CMD, 100);
	}
	return pl;
}

int main(int argc, char **argv)
{
	static struct cfg_plant cfg;
	struct model_still m;
	struct plant *pl;
	double hours, sim_s = 0, wall_s;
	struct diag d;
	int64_t t0;
	int reps;

	if (argc != 4 || !((hours = atof(argv[2])) > 0) || (reps = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench_sim CONFIG HOURS REPS\n");
		return 2;
	}
	diag_init(&d);
	if (cfg_load(&cfg, argv[1], &d) < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	pl = bench_plant(&cfg);
	if (pl == NULL)
		return 1;
	t0 = clk_mono_ns();
	for (int k = 0; k < reps; k++) {
		if (bench_charge(pl, &cfg) < 0)
			return 1;
		for (double t = 0; t < hours * 3600; t += CHUNK_S, sim_s += CHUNK_S)
			plant_run_for(pl, CHUNK_S);
	}
	wall_s = (clk_mono_ns() - t0) / 1e9;
	plant_still_model(pl, 0, &m);
	printf("{\"stills\": %d, \"sim_s\": %.1f, \"wall_s\": %.6f, "
	       "\"speedup\": %.1f, \"still0_oil_g_last_batch\": %.1f, "
	       "\"plant_time_s\": %.1f}\n", cfg.n_stills, sim_s, wall_s, sim_s / wall_s, m.oil_receiver_g,
	       plant_time_s(pl));
	plant_free(pl);
	return 0;
}
