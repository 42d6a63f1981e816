/*
 * doc: the page shell of the HTML documents (see doc.h): one inline style
 * sheet for the screen (fluid, readable on a phone) and for print (A4
 * portrait or the 100 x 150 mm drum label, a page break before each
 * section but the first, table rows never split), escaped text, key/value
 * lists, tables and pass/fail marks. No script, no external reference.
 */
#include "doc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* the style shared by both pages; the @page rule and the width follow */
static const char doc_css[] =
	"*{box-sizing:border-box}"
	"body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;"
	"font-size:11pt;line-height:1.4;color:#111;background:#fff;"
	"margin:0 auto;padding:8px}"
	"h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.25em;margin:.6em 0 .3em;"
	"border-bottom:1px solid #888}h3{font-size:1.1em;margin:.5em 0 .2em}"
	"h4{font-size:1em;margin:.4em 0 .2em}p{margin:.3em 0}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;"
	"margin:.3em 0}dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}"
	".tw{overflow-x:auto;max-width:100%}"
	"table{border-collapse:collapse;margin:.3em 0;font-size:.95em}"
	"th,td{border:1px solid #999;padding:.15em .4em;vertical-align:top}"
	"th{background:#eee;text-align:left}.num{text-align:right;"
	"font-variant-numeric:tabular-nums}"
	"thead{display:table-header-group}"
	"tr,dl,svg,figure{break-inside:avoid;page-break-inside:avoid}"
	"svg{max-width:100%;height:auto;display:block;margin:.3em 0}"
	".chart text{font-size:11px;fill:#111}"
	".chart .axis{stroke:#333;stroke-width:1;fill:none}"
	".chart .grid{stroke:#ddd;stroke-width:1;fill:none}"
	".chart .series{fill:none;stroke-width:1.5}"
	".chart .ref{stroke-dasharray:6 3;stroke-width:1.2}"
	".chart .limit{stroke:#c00;stroke-width:1;stroke-dasharray:3 3;fill:none}"
	".chart .alarm{stroke:#d60;stroke-width:1.5;fill:none}"
	".chart .decision{stroke:#2e7d32;stroke-width:2.5;fill:none}"
	".chart .forecast{stroke:#2e7d32;stroke-width:1;stroke-dasharray:1 3;"
	"fill:none}"
	".chart .bar{fill:#3a6ea5}.chart .nodata{fill:none;stroke:#999;"
	"stroke-dasharray:2 2}"
	".chart .k0{fill:#3a6ea5}.chart .k1{fill:#c0392b}.chart .k2{fill:#e69f00}"
	".s-0{stroke:#1f4e9a}.s-1{stroke:#c0392b}.s-2{stroke:#2e8b57}"
	".s-3{stroke:#8e44ad}.s-4{stroke:#d35400}.s-5{stroke:#117a8b}"
	".s-6{stroke:#7f6000}.s-7{stroke:#555}"
	"rect.s-0{fill:#1f4e9a}rect.s-1{fill:#c0392b}rect.s-2{fill:#2e8b57}"
	"rect.s-3{fill:#8e44ad}rect.s-4{fill:#d35400}rect.s-5{fill:#117a8b}"
	"rect.s-6{fill:#7f6000}rect.s-7{fill:#555}"
	".qr{fill:#000}"
	".badge{display:inline-block;padding:0 .4em;border:1px solid;"
	"border-radius:3px;font-weight:bold}"
	".pass{color:#1b5e20;border-color:#1b5e20;background:#e8f5e9}"
	".fail{color:#b71c1c;border-color:#b71c1c;background:#ffebee}"
	".pending{color:#6d4c00;border-color:#6d4c00;background:#fff8e1;"
	"border-style:dashed}"
	"@media print{body{padding:0;max-width:none}"
	".tw{overflow:visible}"
	/* a wide table fits the page: smaller type, cells wrap anywhere */
	"table{width:100%;font-size:7.5pt}"
	"th,td{padding:.1em .2em}td{overflow-wrap:anywhere}"
	"section.brk{break-before:page;page-break-before:always}"
	"body>section.brk:first-of-type{break-before:auto;"
	"page-break-before:auto}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static const char doc_css_a4[] =
	"body{max-width:180mm}"
	"@page{size:A4 portrait;margin:15mm}";

static const char doc_css_label[] =
	"body{max-width:100mm;font-size:10pt}"
	"@page{size:100mm 150mm;margin:5mm}"
	"@media print{body{font-size:9pt}h1{font-size:1.3em}}";

/* the numeric mask of the open table (tables do not nest) */
static unsigned doc_table_numeric;

void doc_esc(FILE *f, const char *text)
{
	const char *p;

	if (!text)
		return;
	for (p = text; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f); break;
		}
	}
}

void doc_begin(FILE *f, const char *title, const char *lang, enum doc_page page)
{
	fputs("<!DOCTYPE html>\n<html lang=\"", f);
	doc_esc(f, lang && strcmp(lang, "vi") == 0 ? "vi" : "en");
	fputs("\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<title>", f);
	doc_esc(f, title);
	fputs("</title>\n<style>", f);
	fputs(doc_css, f);
	fputs(page == DOC_LABEL ? doc_css_label : doc_css_a4, f);
	fputs("</style>\n</head>\n<body>\n", f);
}

void doc_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

void doc_section_begin(FILE *f, const char *id, const char *title, int flags)
{
	fputs("<section", f);
	if (id && *id) {
		fputs(" id=\"", f);
		doc_esc(f, id);
		fputc('"', f);
	}
	if (!(flags & DOC_KEEP))
		fputs(" class=\"brk\"", f);
	fputs(">\n", f);
	if (title)
		doc_h(f, 2, title);
}

void doc_section_end(FILE *f)
{
	fputs("</section>\n", f);
}

void doc_h(FILE *f, int level, const char *text)
{
	if (level < 1)
		level = 1;
	if (level > 4)
		level = 4;
	fprintf(f, "<h%d>", level);
	doc_esc(f, text);
	fprintf(f, "</h%d>\n", level);
}

void doc_p(FILE *f, const char *text)
{
	fputs("<p>", f);
	doc_esc(f, text);
	fputs("</p>\n", f);
}

void doc_pf(FILE *f, const char *fmt, ...)
{
	char small[512];
	char *big = NULL;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len < sizeof small) {
		doc_p(f, small);
		return;
	}
	big = malloc((size_t)len + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)len + 1, fmt, ap);
	va_end(ap);
	doc_p(f, big);
	free(big);
}

void doc_kv_begin(FILE *f)
{
	fputs("<dl>\n", f);
}

void doc_kv(FILE *f, const char *key, const char *value)
{
	fputs("<dt>", f);
	doc_esc(f, key);
	fputs("</dt><dd>", f);
	doc_esc(f, value ? value : "-");
	fputs("</dd>\n", f);
}

void doc_kv_end(FILE *f)
{
	fputs("</dl>\n", f);
}

/* 1 when a column head ends in a unit in brackets: "oil (kg)", "[%]" */
static int doc_head_has_unit(const char *head)
{
	size_t len = head ? strlen(head) : 0;

	return len > 2 && (head[len - 1] == ')' || head[len - 1] == ']');
}

void doc_table_begin(FILE *f, const char *const *heads, int n,
                     unsigned numeric_mask)
{
	int i;

	doc_table_numeric = numeric_mask;
	for (i = 0; i < n && i < 32; i++)
		if (doc_head_has_unit(heads[i]))
			doc_table_numeric |= 1u << i;
	fputs("<div class=\"tw\"><table>\n<thead><tr>", f);
	for (i = 0; i < n; i++) {
		fputs(i < 32 && (doc_table_numeric >> i & 1) ? "<th class=\"num\">"
		                                              : "<th>", f);
		doc_esc(f, heads[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

void doc_table_row(FILE *f, const char *const *cells, int n)
{
	int i;

	fputs("<tr>", f);
	for (i = 0; i < n; i++) {
		fputs(i < 32 && (doc_table_numeric >> i & 1) ? "<td class=\"num\">"
		                                              : "<td>", f);
		doc_esc(f, cells[i] ? cells[i] : "-");
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

void doc_table_end(FILE *f)
{
	fputs("</tbody>\n</table></div>\n", f);
	doc_table_numeric = 0;
}

void doc_badge(FILE *f, enum doc_mark m, const char *text)
{
	static const char *const cls[] = {"pass", "fail", "pending"};
	/* a symbol that survives black and white print: check, cross, circle */
	static const char *const sym[] = {"\u2713 ", "\u2717 ", "\u25cb "};
	int i = m == DOC_PASS ? 0 : m == DOC_FAIL ? 1 : 2;

	fprintf(f, "<span class=\"badge %s\">%s", cls[i], sym[i]);
	doc_esc(f, text);
	fputs("</span>", f);
}

int doc_buffered(FILE **out, int (*build)(void *ctx), void *ctx, char *cause,
                 size_t cause_len)
{
	FILE *real = *out;
	char *page = NULL;
	size_t len = 0;
	int rc;

	*out = open_memstream(&page, &len);
	if (!*out) {
		*out = real;
		snprintf(cause, cause_len, "out of memory");
		return -1;
	}
	rc = build(ctx);
	if (fclose(*out) != 0 && rc == 0) {
		snprintf(cause, cause_len, "out of memory");
		rc = -1;
	}
	*out = real;
	if (rc == 0)
		fwrite(page, 1, len, real);
	free(page);
	return rc;
}
