/*
 * doc_head: the human headings of the record's columns (see doc_head.h).
 */
#include "doc_head.h"

#include <stddef.h>
#include <string.h>

#include "i18n.h"

/* column name (records/store_query.c, store_trace.c) -> heading; units in
 * brackets, so that doc_table_begin aligns those columns right */
static const struct {
	const char *column;
	const char *heading;
} doc_head_names[] = {
	{"id", N_("batch")},
	{"batch_id", N_("batch")},
	{"still", N_("still")},
	{"state", N_("state")},
	{"recipe", N_("recipe")},
	{"recipe_version", N_("recipe version")},
	{"recipe_sha256", N_("recipe sha256")},
	{"feedstock", N_("feedstock")},
	{"lots", N_("lots")},
	{"growers", N_("growers")},
	{"charge_kg", N_("charge [kg]")},
	{"moisture_pct", N_("moisture [%]")},
	{"oil_receiver_kg", N_("oil in the receiver [kg]")},
	{"oil_weighed_kg", N_("oil weighed [kg]")},
	{"weighed_by", N_("weighed by")},
	{"oil_kg", N_("oil [kg]")},
	{"yield_pct", N_("yield [%]")},
	{"yield_dry_pct", N_("yield, dry basis [%]")},
	{"hydrosol_l", N_("hydrosol [l]")},
	{"started_at", N_("started")},
	{"ended_at", N_("ended")},
	{"duration_min", N_("duration [min]")},
	{"operator", N_("operator")},
	{"steam_kg", N_("steam [kg]")},
	{"fuel_kg", N_("fuel [kg]")},
	{"cooling_m3", N_("cooling water [m³]")},
	{"electricity_kwh", N_("electricity [kWh]")},
	{"labour_h", N_("labour [h]")},
	{"running_h", N_("running [h]")},
	{"cost_vnd", N_("cost [VND]")},
	{"cost_vnd_per_kg_oil", N_("cost per kg of oil [VND]")},
	{"alarm_count", N_("alarms")},
	{"qa_status", N_("QA status")},
	{"decided_by", N_("decided by")},
	{"lot_id", N_("lot")},
	{"grower", N_("grower")},
	{"cooperative", N_("cooperative")},
	{"origin", N_("origin")},
	{"harvested", N_("harvested")},
	{"drying_days", N_("drying [days]")},
	{"mass_kg", N_("mass [kg]")},
	{"alarm", N_("alarm")},
	{"message", N_("message")},
	{"raised_at", N_("raised")},
	{"acked_at", N_("acknowledged")},
	{"acked_by", N_("acknowledged by")},
	{"cleared_at", N_("cleared")},
	{"shelved_at", N_("shelved")},
	{"shelved_by", N_("shelved by")},
	{"closed_at", N_("closed")},
	{"step", N_("step")},
	{"question", N_("question")},
	{"asked_at", N_("asked")},
	{"answer", N_("answer")},
	{"answered_by", N_("answered by")},
	{"answered_at", N_("answered")},
	{"quantity", N_("quantity")},
	{"value", N_("value")},
	{"who", N_("who")},
	{"why", N_("why")},
	{"at", N_("at")},
	{"analyst", N_("analyst")},
	{"lab_ref", N_("lab reference")},
	{"density", N_("density")},
	{"refractive_index", N_("refractive index")},
	{"marker", N_("marker")},
	{"marker_pct", N_("marker [%]")},
	{"in_spec", N_("in spec")},
	{"failures", N_("failures")},
	{"spec_feedstock", N_("spec for")},
	{"density_min", N_("density min")},
	{"density_max", N_("density max")},
	{"ri_min", N_("refractive index min")},
	{"ri_max", N_("refractive index max")},
	{"marker_min_pct", N_("marker min [%]")},
	{"marker_max_pct", N_("marker max [%]")},
	{"decision", N_("decision")},
	{"revision", N_("revision")},
	{"method", N_("method")},
	{"batch_oil_g", N_("batch oil [g]")},
	{"basis", N_("basis")},
	{"oil_g", N_("oil [g]")},
};

const char *doc_head(const char *column)
{
	if (!column)
		return "";
	for (size_t i = 0; i < sizeof doc_head_names / sizeof doc_head_names[0]; i++)
		if (strcmp(doc_head_names[i].column, column) == 0)
			return _(doc_head_names[i].heading);
	return column;
}
