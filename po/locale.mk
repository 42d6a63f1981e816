# po/locale.mk: the message catalogs (gettext). The top Makefile includes
# this file. Translations live in po/LANG.po; the template po/stillroom.pot
# is made from the sources listed in po/POTFILES (strings in _() and N_()).
#   make locale   po/LANG.po -> $(BUILD)/locale/LANG/LC_MESSAGES/stillroom.mo
#                 (the programs find $(BUILD)/locale beside themselves)
#   make pot      regenerate po/stillroom.pot and merge it into each po/LANG.po
#                 (then translate the new "fuzzy" and empty entries)
PO_LANGS  := vi
PO_FILES  := $(patsubst %,po/%.po,$(PO_LANGS))
MO_FILES  := $(patsubst %,$(BUILD)/locale/%/LC_MESSAGES/stillroom.mo,$(PO_LANGS))
LOCALEDIR ?= $(PREFIX)/share/locale

.PHONY: locale pot install-locale
locale: $(MO_FILES)

$(BUILD)/locale/%/LC_MESSAGES/stillroom.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check --statistics -o $@ $<

pot:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS: \
	  --package-name=stillroom --package-version=$(VERSION) \
	  --msgid-bugs-address=none -o po/stillroom.pot $$(cat po/POTFILES)
	for l in $(PO_LANGS); do \
	  msgmerge --quiet --update --backup=none po/$$l.po po/stillroom.pot; done

install-locale: locale
	for l in $(PO_LANGS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/stillroom.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/; done
