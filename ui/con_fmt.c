/* con_fmt: numbers as the console shows them. See con_fmt.h. */
#include "con_fmt.h"

#include <math.h>
#include <stdio.h>

char *con_fmt_num(char *out, size_t out_len, double v, int decimals)
{
	if (isnan(v) || isinf(v))
		snprintf(out, out_len, "--");
	else
		snprintf(out, out_len, "%.*f", decimals, v);
	return out;
}

char *con_fmt_duration(char *out, size_t out_len, double minutes)
{
	long m;

	if (isnan(minutes) || minutes < 0) {
		snprintf(out, out_len, "--");
		return out;
	}
	m = lround(minutes);
	if (m < 60)
		snprintf(out, out_len, "%ldm", m);
	else
		snprintf(out, out_len, "%ldh%02ld", m / 60, m % 60);
	return out;
}
