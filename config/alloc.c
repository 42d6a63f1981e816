/* alloc: largest-remainder splits. See alloc.h. */
#include "alloc.h"

#include <math.h>

/* 1 when every weight is usable; *sum gets their sum. */
static int alloc_weights_ok(const double *weight, int n, double *sum)
{
	*sum = 0;
	for (int i = 0; i < n; i++) {
		if (!isfinite(weight[i]) || weight[i] < 0)
			return 0;
		*sum += weight[i];
	}
	return 1;
}

/* Index of the largest remainder not yet given a unit (ties: lowest). */
static int alloc_best(const double *rem, const char *given, int n)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (!given[i] && (best < 0 || rem[i] > rem[best]))
			best = i;
	return best;
}

int alloc_split(long long total, const double *weight, int n, long long *out)
{
	double sum;
	long long used = 0;

	if (n < 1 || total < 0 || !alloc_weights_ok(weight, n, &sum))
		return -1;
	double rem[n];
	char given[n];
	for (int i = 0; i < n; i++) {
		double exact = sum > 0 ? (double)total * (weight[i] / sum)
		                       : (double)total / n;
		double whole = floor(exact);
		if (whole > (double)(total - used))
			whole = (double)(total - used);
		out[i] = (long long)whole;
		rem[i] = exact - whole;
		given[i] = 0;
		used += out[i];
	}
	/* the leftover is below n by construction; give one unit each */
	for (long long left = total - used; left > 0; left--) {
		int b = alloc_best(rem, given, n);
		if (b < 0) {
			for (int i = 0; i < n; i++)
				given[i] = 0;
			b = alloc_best(rem, given, n);
		}
		out[b]++;
		given[b] = 1;
	}
	return 0;
}
