/*
 * regmap: one tag's engineering value <-> its Modbus register words, through
 * the struct cfg_reg that describes it (engineering = raw * scale + offset).
 * The simulator encodes what the controller decodes, and the other way
 * round, with these same functions. Pure: no I/O, no state.
 *   regmap_encode   value -> 1 or 2 words (rounded, saturated)
 *   regmap_decode   1 or 2 words -> value
 *   regmap_raw_min / regmap_raw_max   the raw range the words can carry
 */
#ifndef REGMAP_H
#define REGMAP_H

#include <stdint.h>

enum cfg_regtype { CFG_REG_INPUT, CFG_REG_HOLDING };
enum cfg_words { CFG_WORDS_HIGH_FIRST, CFG_WORDS_LOW_FIRST };

/* One tag's place on the wire (the register map in config/cfg.h holds one
 * per tag): engineering = raw * scale + offset. */
struct cfg_reg {
	enum cfg_regtype type;
	int address;            /* 0-based register address */
	int words;              /* 1 or 2 (32-bit) */
	enum cfg_words order;   /* word order when words == 2 */
	int is_signed;          /* raw value is two's complement */
	double scale;           /* engineering units per count */
	double offset;          /* engineering units at raw 0 */
	double range_min;       /* lowest plausible value, engineering units */
	double range_max;       /* highest plausible value; outside = bad sensor */
};

/*
 * Encodes value (engineering units) into r->words words at out[0..words-1],
 * in r's word order: raw = round((value - offset) / scale), as a 16- or
 * 32-bit signed or unsigned integer. Returns 0 when the value fits; -1 when
 * it does not (too big, too small, NaN, or a zero scale): the words then hold
 * the nearest end of the raw range, and NaN the end furthest from zero
 * (INT_MIN when signed, the unsigned maximum when not) so that a reader sees
 * an implausible value, as from a broken sensor.
 */
int regmap_encode(const struct cfg_reg *r, double value, uint16_t out[2]);

/*
 * Decodes r->words words at words[0..] into *value (engineering units).
 * Returns 0, or -1 when r is malformed (words not 1 or 2), *value untouched.
 */
int regmap_decode(const struct cfg_reg *r, const uint16_t *words, double *value);

/* The smallest and largest raw integers r's words can carry. */
int64_t regmap_raw_min(const struct cfg_reg *r);
int64_t regmap_raw_max(const struct cfg_reg *r);

#endif
