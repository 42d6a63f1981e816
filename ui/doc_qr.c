/*
 * doc_qr: a QR code as inline SVG (see doc_qr.h). libqrencode builds the
 * symbol (8-bit mode, level M, the smallest version that holds the text);
 * each row's runs of dark modules become one subpath of a single path, on
 * a white square with a quiet zone of 4 modules.
 */
#include "doc_qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#define DOC_QR_QUIET 4          /* modules of white around the symbol */
#define DOC_QR_BYTES_MAX 2331   /* 8-bit bytes in version 40 at level M */

/* one subpath per run of dark modules on row y */
static void doc_qr_row(FILE *f, const QRcode *q, int y)
{
	const unsigned char *row = q->data + (size_t)y * q->width;
	int x = 0;

	while (x < q->width) {
		int run = 0;

		while (x + run < q->width && (row[x + run] & 1))
			run++;
		if (run > 0)
			fprintf(f, "M%d %dh%dv1h-%dz", x + DOC_QR_QUIET, y + DOC_QR_QUIET,
			        run, run);
		x += run > 0 ? run : 1;
	}
}

int doc_qr_svg(FILE *f, const char *text, double size_mm, char *cause,
               size_t cause_len)
{
	size_t len = text ? strlen(text) : 0;
	QRcode *q;
	int side, y;

	if (len == 0) {
		snprintf(cause, cause_len, "the QR code's text is empty");
		return -1;
	}
	if (len > DOC_QR_BYTES_MAX) {
		snprintf(cause, cause_len, "the QR code's text is %zu bytes: at most "
		         "%d fit in a QR code at level M", len, DOC_QR_BYTES_MAX);
		return -1;
	}
	if (!(size_mm > 0) || size_mm > 1000) {
		snprintf(cause, cause_len, "the QR code's size %g mm is not between 0 "
		         "and 1000 mm", size_mm);
		return -1;
	}
	errno = 0;
	q = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!q) {
		snprintf(cause, cause_len, "the QR code could not be made: %s",
		         errno == ERANGE ? "the text is too long" : strerror(errno));
		return -1;
	}
	side = q->width + 2 * DOC_QR_QUIET;
	fprintf(f, "<svg class=\"qrcode\" viewBox=\"0 0 %d %d\" width=\"%gmm\" "
	        "height=\"%gmm\" shape-rendering=\"crispEdges\" role=\"img\">"
	        "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	        "<path class=\"qr\" fill=\"#000\" d=\"", side, side, size_mm, size_mm,
	        side, side);
	for (y = 0; y < q->width; y++)
		doc_qr_row(f, q, y);
	fputs("\"/></svg>\n", f);
	QRcode_free(q);
	return 0;
}
