/*
 * doc_qr: a QR code as inline SVG (Debian's libqrencode builds the
 * symbol; the only libqrencode user). Error correction M, 8-bit mode, a
 * quiet zone of 4 modules; modules as one <path class="qr"> so the page
 * stays small. zbarimg decodes it from the rendered page.
 */
#ifndef DOC_QR_H
#define DOC_QR_H

#include <stddef.h>
#include <stdio.h>

/* Writes the QR code of text as an <svg> size_mm wide. Returns 0, or -1
 * with a sentence in cause (text empty or too long for a QR code, out of
 * memory): nothing written. */
int doc_qr_svg(FILE *f, const char *text, double size_mm, char *cause,
               size_t cause_len);

#endif
