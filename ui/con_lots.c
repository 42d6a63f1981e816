/* con_lots: the start form's charge of several lots. See con_lots.h. */
#include "con_lots.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "num.h"

int con_lots_add(struct con_lots *l, const struct con_lot *lot, int lots_known,
                 const char *lot_id, const char *mass_text, char *cause,
                 size_t cause_len)
{
	struct num_field f = {_("mass"), "kg", 0, 1e6, 1};
	double mass_kg;

	if (*lot_id == '\0') {
		snprintf(cause, cause_len, "%s", _("Choose a lot first."));
		return -1;
	}
	if (lot == NULL && lots_known) {
		snprintf(cause, cause_len, _("No lot %s in the records."), lot_id);
		return -1;
	}
	if (num_real(mass_text, &f, &mass_kg, cause, cause_len) < 0)
		return -1;
	if (lot != NULL && !isnan(lot->remaining_kg) && mass_kg > lot->remaining_kg) {
		snprintf(cause, cause_len, _("Lot %s has %.1f kg left, not %.1f kg."), lot_id,
		         lot->remaining_kg, mass_kg);
		return -1;
	}
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->line[i].lot_id, lot_id) == 0) {
			snprintf(cause, cause_len, _("Lot %s is in the charge already; remove its "
			                             "line to change its mass."), lot_id);
			return -1;
		}
	if (l->n == PROTO_LOTS_MAX) {
		snprintf(cause, cause_len, _("A charge takes at most %d lots."), PROTO_LOTS_MAX);
		return -1;
	}
	snprintf(l->line[l->n].lot_id, sizeof l->line[0].lot_id, "%s", lot_id);
	l->line[l->n++].mass_kg = mass_kg;
	return 0;
}

int con_lots_remove(struct con_lots *l, int i)
{
	if (l->n == 0)
		return -1;
	if (i < 0 || i >= l->n)
		i = l->n - 1;
	memmove(&l->line[i], &l->line[i + 1], (size_t)(l->n - i - 1) * sizeof l->line[0]);
	l->n--;
	return 0;
}

double con_lots_total_kg(const struct con_lots *l)
{
	double kg = 0;

	for (int i = 0; i < l->n; i++)
		kg += l->line[i].mass_kg;
	return kg;
}

/* The lot named id among lots, or NULL. */
static const struct con_lot *con_lots_find(const struct con_lot *lots, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(lots[i].lot_id, id) == 0)
			return &lots[i];
	return NULL;
}

int con_lots_check(const struct con_lots *l, const struct con_lot *lots, int n_lots,
                   const struct con_recipe *rc, char *note, size_t note_len)
{
	double total_kg = con_lots_total_kg(l);

	for (int i = 0; rc != NULL && i < l->n; i++) {
		const struct con_lot *lot = con_lots_find(lots, n_lots, l->line[i].lot_id);

		if (lot != NULL && strcmp(lot->feedstock, rc->feedstock) != 0) {
			snprintf(note, note_len, _("lot %s is %s; recipe %s takes %s"), lot->lot_id,
			         lot->feedstock, rc->name, rc->feedstock);
			return 1;
		}
	}
	if (rc != NULL && (total_kg < rc->charge_min_kg || total_kg > rc->charge_max_kg)) {
		snprintf(note, note_len, _("charge %.1f kg is outside the recipe's %.0f-%.0f kg"),
		         total_kg, rc->charge_min_kg, rc->charge_max_kg);
		return 1;
	}
	snprintf(note, note_len, _("charge: %d lots, %.1f kg in all"), l->n, total_kg);
	return 0;
}

void con_lots_request(const struct con_lots *l, char *out, size_t out_len)
{
	out[0] = '\0';
	for (int i = 0; i < l->n; i++) {
		size_t n = strlen(out);

		snprintf(out + n, out_len - n, "%s%s:%.3f", i ? "," : "", l->line[i].lot_id,
		         l->line[i].mass_kg);
	}
}

void con_lots_list(const struct con_lots *l, struct con_form *f)
{
	f->n_list = 0;
	f->list_sel = -1;
	f->list_title[0] = '\0';
	if (l->n == 0)
		return;
	snprintf(f->list_title, sizeof f->list_title,
	         _("Charge: %d lots, %.1f kg (Ins adds the lot above, Del removes the last)"),
	         l->n, con_lots_total_kg(l));
	for (int i = 0; i < l->n && f->n_list < 64; i++)
		snprintf(f->list[f->n_list++], sizeof f->list[0], _("%2d. %-16s %10.1f kg"), i + 1,
		         l->line[i].lot_id, l->line[i].mass_kg);
}
