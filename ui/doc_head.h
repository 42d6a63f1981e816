/*
 * doc_head: the headings people read over the batch record's tables and
 * key/value lists, in place of the database's column names ("charge
 * [kg]" for charge_kg, "khối lượng nạp [kg]" in Vietnamese).
 */
#ifndef DOC_HEAD_H
#define DOC_HEAD_H

/* The translated heading of a query column (in the language of _() now);
 * a column without one is shown by its name. Never NULL. */
const char *doc_head(const char *column);

#endif
