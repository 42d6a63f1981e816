/*
 * i18n: every user-visible string of the console, the CLI and stillroom-sync
 * goes through
 * _() (gettext, text domain "stillroom"); N_() marks a string for
 * xgettext without translating it where it stands (tables).
 *   i18n_init     once at start: locale, catalog directory, language
 *   i18n_set      switch language at run time ("en", "vi", "" = locale)
 *   i18n_lang     the language in use now ("en" or "vi")
 * Catalogs: po/LANG.po compiled to $(BUILD)/locale/LANG/LC_MESSAGES/
 * stillroom.mo by `make locale` (see po/locale.mk). The catalog directory
 * is $STILLROOM_LOCALEDIR, else "locale" beside the executable (the build
 * tree), else SR_LOCALEDIR (installed).
 */
#ifndef I18N_H
#define I18N_H

#include <libintl.h>
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define I18N_DOMAIN "stillroom"
#ifndef SR_LOCALEDIR
#define SR_LOCALEDIR "/usr/local/share/locale"
#endif

#define _(s) gettext(s)
#define N_(s) (s)

/* Where the catalogs are: see the header comment. Writes into buf. */
static inline const char *i18n_localedir(char *buf, size_t len)
{
	const char *env = getenv("STILLROOM_LOCALEDIR");
	struct stat st;
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash != NULL && (size_t)(slash - buf) + 8 < len) {
			strcpy(slash, "/locale");
			if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
				return buf;
		}
	}
	return SR_LOCALEDIR;
}

/*
 * Switches the language of _() now: "vi", "en", or "" / NULL for what the
 * locale says. Works in any UTF-8 locale including C.UTF-8 (LANGUAGE is
 * honoured there); textdomain() tells gettext its cache is stale.
 */
static inline void i18n_set(const char *lang)
{
	if (lang == NULL || *lang == '\0')
		unsetenv("LANGUAGE");
	else
		setenv("LANGUAGE", lang, 1);
	textdomain(I18N_DOMAIN);
}

/* "vi" when the catalog in use is Vietnamese, else "en". */
static inline const char *i18n_lang(void)
{
	/* The catalog's own header names its language. */
	const char *hdr = gettext("");

	return strstr(hdr, "Language: vi") != NULL ? "vi" : "en";
}

/*
 * Sets the locale from the environment (falling back to C.UTF-8 when that
 * fails or is not UTF-8, so ncursesw and the catalogs still work), binds
 * the catalogs and applies lang ("" or NULL: the locale's language).
 * Returns 1 when the locale is UTF-8, else 0.
 */
static inline int i18n_init(const char *lang)
{
	char dir[4096];
	const char *cs;

	if (setlocale(LC_ALL, "") == NULL ||
	    strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
		/* Keep the language the user asked for via LANGUAGE. */
		const char *l = getenv("LC_ALL");

		if (l == NULL || *l == '\0')
			l = getenv("LC_MESSAGES");
		if (l == NULL || *l == '\0')
			l = getenv("LANG");
		if (l != NULL && strncmp(l, "vi", 2) == 0 && getenv("LANGUAGE") == NULL)
			setenv("LANGUAGE", "vi", 1);
		setlocale(LC_ALL, "C.UTF-8");
	}
	bindtextdomain(I18N_DOMAIN, i18n_localedir(dir, sizeof dir));
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
	if (lang != NULL && *lang != '\0')
		i18n_set(lang);
	cs = nl_langinfo(CODESET);
	return strcmp(cs, "UTF-8") == 0;
}

#endif
