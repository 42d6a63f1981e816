# stillroom: process controller for essential-oil steam distillation.
#
# Knobs (all optional):
#   make WERROR=1                      warnings are errors (CI does this)
#   make SANITIZE=address,undefined    build with ASan and UBSan
#   make CFLAGS=-O0                    your CFLAGS; our warning flags are kept
#   make BUILD=dir                     where objects and programs go (build/)
#   make install PREFIX=/usr/local DESTDIR=/tmp/pkg
#   make deb                           a Debian package, PREFIX=/usr (build-deb/)
#
# Targets: all check check-build demo deps bench bench-endpoint fuzz soak valgrind install deb clean format

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/stillroom
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc/stillroom
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BUILD    ?= build
VERSION  := 0.1.0

CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS     := libmodbus sqlite3 yaml-0.1 ncursesw zlib

SR_WARN  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
# snprintf truncation is how we bound strings on purpose; gcc warns on every one
SR_WARN  += -Wno-format-truncation -Wno-unknown-warning-option
ifeq ($(WERROR),1)
SR_WARN  += -Werror
endif
ifneq ($(SANITIZE),)
SR_SAN   := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libqrencode: only ui/doc_qr.c uses it, only `stillroom` (and the unit
# tests that link doc_qr.c, by their "ldflags:" line) links it
QR_CFLAGS  = $(shell pkg-config --cflags libqrencode 2>/dev/null)
QR_LIBS    = $(shell pkg-config --libs libqrencode 2>/dev/null)
# libmosquitto: only controller/mqtt.c uses it, only stillroomd links it
MOSQ_LIBS  = $(shell pkg-config --libs libmosquitto 2>/dev/null || echo -lmosquitto)
SR_CFLAGS  = -std=c11 -D_GNU_SOURCE -DSR_VERSION='"$(VERSION)"' \
             -DSR_SYSCONFDIR='"$(SYSCONFDIR)"' -DSR_DATADIR='"$(DATADIR)"' \
             $(SR_INC) $(SR_WARN) $(SR_SAN) $(PKG_CFLAGS)
SR_LDFLAGS = $(SR_SAN) $(LDFLAGS)

# The floors (docs/floors.txt): an object in a module folder is compiled with
# -I for its own folder and the folders it may include from (plus the folder
# of a "pending" arrow's header), so an upward include is a compile error.
# Everything else (tests, bench, fuzz, .flags) gets every folder.
FLOORS     := $(shell sed -n 's/^\([a-z]*\):.*/\1/p' docs/floors.txt)
floor_dirs = $(1) $(shell awk -v f=$(1) '$$1 == f ":" { $$1 = ""; print } \
             $$1 == "pending" && index($$2, f "/") == 1 { sub("/.*", "", $$3); print $$3 }' docs/floors.txt)
$(foreach f,$(FLOORS),$(eval SR_INC_$(f) := $(addprefix -I,$(sort $(call floor_dirs,$(f))))))
SR_INC_ALL := $(addprefix -I,$(FLOORS))
SR_INC      = $(or $(SR_INC_$(firstword $(subst /, ,$<))),$(SR_INC_ALL))
SR_LIBS    = $(PKG_LIBS) -lpthread -lm

# Every .c in a module folder belongs to that module's library, except main.c.
COMMON_SRC := $(wildcard common/*.c)
CONFIG_SRC := $(wildcard config/*.c)
RECIPE_SRC := $(wildcard recipes/*.c)
CTL_SRC    := $(filter-out controller/main.c,$(wildcard controller/*.c))
RECORDS_SRC := $(wildcard records/*.c)
# the records writers: only stillroomd links them (tests/integration/floors_nm.sh)
RECORDS_WRITE_SRC := records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c
RECORDS_READ_SRC := $(filter-out $(RECORDS_WRITE_SRC),$(RECORDS_SRC))
SIM_SRC    := $(filter-out simulator/main.c,$(wildcard simulator/*.c))
UI_SRC     := $(filter-out ui/main.c,$(wildcard ui/*.c))
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

BASE_OBJS  := $(call obj,$(COMMON_SRC) $(CONFIG_SRC) $(RECIPE_SRC))
DAEMON_OBJS := $(call obj,controller/main.c $(CTL_SRC) $(RECORDS_SRC)) $(BASE_OBJS)
SIM_OBJS   := $(call obj,simulator/main.c $(SIM_SRC) $(filter-out common/sha256.c,$(COMMON_SRC)) $(CONFIG_SRC))
# central/cen_report.c: the alliance reports (`stillroom alliance`), libpq
CEN_REPORT_SRC := central/cen_report.c
UI_OBJS    := $(call obj,ui/main.c $(UI_SRC) $(RECORDS_READ_SRC) $(CEN_REPORT_SRC)) $(BASE_OBJS)
# stillroom-sync: the plant's record to the central PostgreSQL (libpq)
CENTRAL_SRC := $(wildcard central/*.c)
SYNC_SRC   := $(filter-out sync/main.c,$(wildcard sync/*.c))
SYNC_OBJS  := $(call obj,sync/main.c $(SYNC_SRC) $(CENTRAL_SRC) $(RECORDS_READ_SRC)) $(BASE_OBJS)

PROGS := $(BUILD)/stillroomd $(BUILD)/stillroom $(BUILD)/stillroom-sim $(BUILD)/stillroom-sync

# Unit tests: tests/unit/test_X.c says on a line "links: a.c b.c" which
# sources it needs besides itself; it links only those.
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
links_of = $(shell sed -n 's/.*links: *//p' $(1) | head -n 1 | sed 's/\*\/.*//')
# and may say on a line "ldflags: -Wl,..." what its link step adds
ldflags_of = $(shell sed -n 's/.*ldflags: *//p' $(1) | head -n 1 | sed 's/\*\/.*//')

# the default goal is all, whatever the included files define first
.DEFAULT_GOAL := all
include po/locale.mk
SR_CFLAGS += -DSR_LOCALEDIR='"$(LOCALEDIR)"'

.PHONY: all check check-build unit integration demo deps records-writers bench bench-endpoint fuzz soak valgrind install deb clean format FORCE
all: deps-quiet $(PROGS) locale

# Rebuild everything when the flags change (e.g. SANITIZE on, then off).
$(BUILD)/.flags: FORCE | deps-quiet
	@mkdir -p $(BUILD)
	@echo '$(CC) $(SR_CFLAGS) $(CFLAGS) $(SR_LDFLAGS) $(foreach f,$(FLOORS),$(SR_INC_$(f)))' | cmp -s - $@ || \
	  echo '$(CC) $(SR_CFLAGS) $(CFLAGS) $(SR_LDFLAGS) $(foreach f,$(FLOORS),$(SR_INC_$(f)))' > $@

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(SR_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/stillroomd: $(DAEMON_OBJS)
	$(CC) $(SR_LDFLAGS) -o $@ $^ $(SR_LIBS) $(MOSQ_LIBS)
$(BUILD)/ui/doc_qr.o: SR_CFLAGS += $(QR_CFLAGS)
$(BUILD)/stillroom: $(UI_OBJS)
	$(CC) $(SR_LDFLAGS) -o $@ $^ $(SR_LIBS) $(QR_LIBS) $(PQ_LIBS)
$(BUILD)/stillroom-sim: $(SIM_OBJS)
	$(CC) $(SR_LDFLAGS) -o $@ $^ $(SR_LIBS)
# libpq: only central/ includes it; stillroom-sync and stillroom (the
# alliance reports, central/cen_report.c) link it
PQ_CFLAGS  = $(shell pkg-config --cflags libpq 2>/dev/null)
PQ_LIBS    = $(shell pkg-config --libs libpq 2>/dev/null)
$(BUILD)/central/%.o: SR_CFLAGS += $(PQ_CFLAGS)
$(BUILD)/stillroom-sync: $(SYNC_OBJS)
	$(CC) $(SR_LDFLAGS) -o $@ $^ $(SR_LIBS) $(PQ_LIBS)

.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/test_%.c $$(call obj,$$(call links_of,tests/unit/test_%.c)) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(SR_CFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(call obj,$(call links_of,$<)) \
	  $(SR_LDFLAGS) $(call ldflags_of,$<) $(SR_LIBS) -lcmocka

# the writer objects, for tests/integration/floors_nm.sh
records-writers:
	@echo $(call obj,$(RECORDS_WRITE_SRC))

deps:
	@sh tests/deps.sh install
deps-quiet:
	@sh tests/deps.sh quiet

# What check runs, built and not run: CI builds it with -j2 first
# (`make -j2 check-build`), then `make check` runs the suite, one test at a
# time (the tests run plants in real time: side by side they would share two
# cores). The end-point benchmark's harness is smoke-tested
# (tests/integration/bench_endpoint.sh).
check-build: deps-quiet $(PROGS) locale $(UNIT_BINS) $(BUILD)/bench/bench_endpoint

check: check-build
	@BUILD=$(BUILD) sh tests/run

unit: $(UNIT_BINS)
	@BUILD=$(BUILD) ONLY=unit sh tests/run

demo: deps-quiet $(PROGS) locale
	@BUILD=$(BUILD) sh tests/demo.sh

bench: deps-quiet $(PROGS)
	@BUILD=$(BUILD) sh bench/run

# only the end-point benchmark (bench/bench_endpoint.c): its rows in
# bench/results.json and docs/BENCHMARKS.md are replaced, the rest kept
bench-endpoint: deps-quiet $(PROGS)
	@BUILD=$(BUILD) BENCH_ONLY=endpoint BENCH_MERGE=1 sh bench/run

# the long forms; tests/integration/soak.sh runs SOAK_MINUTES (60) of 8
# stills with faults and writes docs/SOAK.md (FILTER=soak: only it)
soak: deps-quiet $(PROGS) $(UNIT_BINS)
	@BUILD=$(BUILD) SOAK=1 sh tests/run

valgrind: deps-quiet $(UNIT_BINS)
	@BUILD=$(BUILD) VALGRIND=1 ONLY=unit sh tests/run

fuzz: deps-quiet
	@BUILD=$(BUILD) sh tests/fuzz/run long

# The installed config is the bundled one with absolute FHS paths (the
# bundled one's are relative to config/); the unit runs the installed daemon.
$(BUILD)/install/plant.yaml: config/plant.yaml FORCE
	@mkdir -p $(dir $@)
	sed -e 's#^\(  database:\).*#\1 /var/lib/stillroom/stillroom.db#' \
	  -e 's#^\(  socket:\).*#\1 /run/stillroom/stillroom.sock#' \
	  -e 's#^\(  recipes:\).*#\1 $(DATADIR)/recipes#' \
	  -e 's#^\(  feedstocks:\).*#\1 $(DATADIR)/feedstocks.yaml#' \
	  -e 's#^\(  qa_spec:\).*#\1 $(SYSCONFDIR)/qa.yaml#' $< >$@.tmp
	@test "$$(grep -cE '^  (database|socket|recipes|feedstocks|qa_spec): /' $@.tmp)" = 5 || \
	  { echo "config/plant.yaml: the 5 keys under paths: were not all found" >&2; exit 1; }
	@mv $@.tmp $@
$(BUILD)/install/%.service: packaging/%.service.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's#@BINDIR@#$(BINDIR)#g' -e 's#@SYSCONFDIR@#$(SYSCONFDIR)#g' $< >$@

install: all install-locale $(BUILD)/install/plant.yaml $(BUILD)/install/stillroomd.service \
  $(BUILD)/install/stillroom-sync.service
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/recipes $(DESTDIR)$(SYSCONFDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	  $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 0644 recipes/*.yaml $(DESTDIR)$(DATADIR)/recipes/
	install -m 0644 simulator/feedstocks.yaml $(DESTDIR)$(DATADIR)/
	sh packaging/install-conf.sh $(DESTDIR)$(SYSCONFDIR) $(BUILD)/install/plant.yaml config/qa.yaml
	install -m 0644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/install/stillroomd.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 $(BUILD)/install/stillroom-sync.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 packaging/stillroom.sysusers $(DESTDIR)$(SYSUSERSDIR)/stillroom.conf
	install -m 0644 packaging/stillroom.tmpfiles $(DESTDIR)$(TMPFILESDIR)/stillroom.conf
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
	  systemd-sysusers $(SYSUSERSDIR)/stillroom.conf && \
	  systemd-tmpfiles --create $(TMPFILESDIR)/stillroom.conf; fi

# A Debian package of an install with PREFIX=/usr, built in build-deb/.
deb:
	rm -rf build-deb/root
	$(MAKE) BUILD=build-deb PREFIX=/usr DESTDIR=$(CURDIR)/build-deb/root install
	sh packaging/deb.sh build-deb/root $(VERSION) build-deb

clean:
	rm -rf $(BUILD) build-*

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# the benchmark programs' rules ($(BUILD)/bench/NAME)
include bench/bench.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
