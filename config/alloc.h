/*
 * alloc: splitting a whole number of units (grams of oil, dong) among
 * shares by weight so that the parts add up exactly to the whole: the
 * largest-remainder method. Pure: no I/O. Used by oil attribution
 * (records/) and member settlement (config/settle).
 */
#ifndef ALLOC_H
#define ALLOC_H

/*
 * Splits total (>= 0) into out[0..n-1] in proportion to weight[0..n-1]
 * (each >= 0 and finite): each part is the floor of its exact share, and
 * the units left over go one each to the largest remainders (ties to the
 * lower index). The parts sum to total exactly. When every weight is 0 the
 * split is equal (by the same rule). Returns 0, or -1 (out untouched) when
 * n < 1, total < 0, or a weight is negative or not finite.
 */
int alloc_split(long long total, const double *weight, int n, long long *out);

#endif
