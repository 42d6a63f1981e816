/* regmap: engineering values <-> register words. See regmap.h. */
#include "regmap.h"

#include <math.h>

int64_t regmap_raw_min(const struct cfg_reg *r)
{
	if (!r->is_signed)
		return 0;
	return r->words == 2 ? INT32_MIN : INT16_MIN;
}

int64_t regmap_raw_max(const struct cfg_reg *r)
{
	if (r->words == 2)
		return r->is_signed ? INT32_MAX : UINT32_MAX;
	return r->is_signed ? INT16_MAX : UINT16_MAX;
}

/* Places the low 16 or 32 bits of raw into out in r's word order. */
static void regmap_put(const struct cfg_reg *r, int64_t raw, uint16_t out[2])
{
	uint32_t bits = (uint32_t)raw;
	uint16_t hi = (uint16_t)(bits >> 16);
	uint16_t lo = (uint16_t)(bits & 0xffffu);

	if (r->words != 2) {
		out[0] = lo;
		return;
	}
	if (r->order == CFG_WORDS_LOW_FIRST) {
		out[0] = lo;
		out[1] = hi;
	} else {
		out[0] = hi;
		out[1] = lo;
	}
}

int regmap_encode(const struct cfg_reg *r, double value, uint16_t out[2])
{
	int64_t lo = regmap_raw_min(r);
	int64_t hi = regmap_raw_max(r);
	double raw;

	if (isnan(value) || r->scale == 0 || !isfinite(r->scale)) {
		regmap_put(r, r->is_signed ? lo : hi, out);
		return -1;
	}
	raw = round((value - r->offset) / r->scale);
	if (raw < (double)lo) {
		regmap_put(r, lo, out);
		return -1;
	}
	if (raw > (double)hi) {
		regmap_put(r, hi, out);
		return -1;
	}
	regmap_put(r, (int64_t)raw, out);
	return 0;
}

int regmap_decode(const struct cfg_reg *r, const uint16_t *words, double *value)
{
	uint32_t bits;
	int64_t raw;

	if (r->words == 1) {
		bits = words[0];
		raw = r->is_signed ? (int64_t)(int16_t)bits : (int64_t)bits;
	} else if (r->words == 2) {
		if (r->order == CFG_WORDS_LOW_FIRST)
			bits = (uint32_t)words[1] << 16 | words[0];
		else
			bits = (uint32_t)words[0] << 16 | words[1];
		raw = r->is_signed ? (int64_t)(int32_t)bits : (int64_t)bits;
	} else {
		return -1;
	}
	*value = (double)raw * r->scale + r->offset;
	return 0;
}
