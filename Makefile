# shards -- top-level Makefile.
#   make                 build every program into bin/ (objects and libshards.a in obj/)
#   make check           install missing Debian packages, build, run every test: the
#                        suite, the suite again built with ASan + UBSan + LeakSanitizer,
#                        and every program once more under valgrind (CHECK="plain" for the first only)
#   make check SANITIZE=1  build everything with the sanitizers (into sanitize-build/)
#                        and run the whole suite on that build
#   make check-cluster   padmine --shard as a Slurm array job on a one-node cluster
#                        this machine starts for the test (installs slurm-wlm, munge)
#   make check-valgrind  the valgrind phase alone (VALGRIND_TESTS picks scripts)
#   make demo            install, build, micro-sample a generated breakbeat into out/demo/
#   make bench           time shards against the tools it replaces (BASE=DIR: an older
#                        build's DIR/bin first, script by script, to compare)
#   make layers          check that no lib/ file includes a layer above its own (lib/LAYERS)
#   make install PREFIX=/usr/local [DESTDIR=...]   and make uninstall the same way
#   make dist            shards-VERSION.tar.gz: the tree that builds and checks from nothing
#   make deb             the Debian package (debian/), built from make dist's tree into out/deb/
#   make check-deb       make deb, then tests/deb.sh: lintian and the package's file list
# O=DIR puts obj/ and bin/ under DIR instead of the tree (and links DIR/share to the
# tree's share/, where the programs find their data beside their bin/).
# CPPFLAGS, CFLAGS and LDFLAGS are honoured (Debian's hardening flags reach every object).

VERSION   = 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
SANITIZE ?=
ifeq ($(SANITIZE),1)
O        ?= sanitize-build
else
O        ?= .
endif
# One spelling of O for every build ("." or a folder below the tree relative,
# anything else absolute): the dependency files name objects by it, so a tree
# built once as "." and once as its absolute path would never see a header change.
override O := $(patsubst $(CURDIR)/%,%,$(patsubst $(CURDIR),.,$(abspath $(O))))
CC       ?= cc
CFLAGS   ?= -O2 -g
CHECK    ?= plain sanitize valgrind

# Every library the suite uses; each program links what it needs through libshards.
PKGS = sndfile fftw3f libavformat libavcodec libavutil libswscale libswresample \
       libavfilter jansson soxr rubberband libebur128
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = -lfftw3f_threads $(shell pkg-config --libs $(PKGS)) -lportmidi -lm -lpthread

# cairo draws the pictures (lib/plot): only the programs that plot link it, so
# the rest do not load it (and its font stack) at every start.
PLOT_PROGS  = cutviz onsets bpm evviz specsmear specmangle padmine colorkey grade
CAIRO_CFLAGS = $(shell pkg-config --cflags cairo)
CAIRO_LIBS   = $(shell pkg-config --libs cairo)

WARN = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wpointer-arith -Wformat=2
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
           -DSH_SANITIZED
# The sanitizer runtime is linked with --no-as-needed, which would also keep every
# library after it (FFmpeg's whole tree: 170 of them), and the runtime pays for
# each at every start: --as-needed again keeps a program to what it uses.
LDFLAGS += -fsanitize=address,undefined -Wl,--as-needed
endif
# lib/ in layers, lowest first (lib/LAYERS says what each may include; make layers checks)
LAYERS   = core io dsp video seq cut tex plot av
LIB_INC  = $(LAYERS:%=-Ilib/%)
LIB_HDR  = $(wildcard lib/*/*.h)
# No path is compiled in: a program finds share/shards beside its own bin/
# (lib/core/file.c), so an install works wherever it is put.
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) $(LIB_INC) -I$(O)/obj/gen $(PKG_CFLAGS) \
             -DSHARDS_VERSION='"$(VERSION)"'

# quiet by default; V=1 shows the commands
ifeq ($(V),1)
Q =
say =
else
Q = @
say = @echo "  $(1) $(2)";
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

LIB_SRC  = $(wildcard $(LAYERS:%=lib/%/*.c))
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(O)/obj/lib/%.o)
PROG_SRC = $(wildcard src/*.c)
PROGS    = $(PROG_SRC:src/%.c=$(O)/bin/%)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(O)/obj/tests/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOLS    = $(TOOL_SRC:tests/tools/%.c=$(O)/obj/testtools/%)
LIBA     = $(O)/obj/libshards.a

# A build elsewhere (O=DIR) gets DIR/share linked to the tree's, so DIR/bin's
# programs find their data as installed ones do.
ifneq ($(abspath $(O)),$(CURDIR))
DATA_LINK = $(O)/share
endif

all: $(PROGS) $(LIBA) $(DATA_LINK)

ifdef DATA_LINK
$(DATA_LINK):
	@mkdir -p $(O)
	$(Q)ln -sfn $(CURDIR)/share $@
endif


# ---- Faust ---------------------------------------------------------------
# share/shards/faust/NAME.dsp is the processor NAME: `faust -lang c` turns it into
# C at build time (nothing generated is kept in the tree), which lib/dsp/proc_faust.c
# includes; -ftz 2 flushes denormals in feedback paths, -mcd 0 makes every delay
# a ring buffer (no copying of short ones: 15-20% faster reverbs); lib/dsp/faust.c
# gives run-time programs the same flags. Run-time programs need libfaust, which
# lib/dsp/faust.c opens (dlopen) only when one is compiled: linked, its LLVM would
# add 0.2 s to every start of every program.
FAUST       ?= faust
FAUST_FLAGS  = -ftz 2 -mcd 0
FAUST_GEN    = $(patsubst share/shards/faust/%.dsp,$(O)/obj/gen/faust_%.c,$(wildcard share/shards/faust/*.dsp))
$(O)/obj/gen/faust_%.c: share/shards/faust/%.dsp Makefile
	@mkdir -p $(@D)
	$(call say,FAUST,$<)$(FAUST) -lang c -cn $* $(FAUST_FLAGS) -o $@.tmp $< && mv $@.tmp $@
$(O)/obj/lib/dsp/proc_faust.o: $(FAUST_GEN)
# -ftz 2's flush reads a float's bits through an int pointer
$(O)/obj/lib/dsp/proc_faust.o: ALL_CFLAGS += -fno-strict-aliasing

# -MMD: each object's headers are recorded beside it (.d), so a changed header
# rebuilds exactly what includes it
$(O)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/obj/lib/plot/%.o: ALL_CFLAGS += $(CAIRO_CFLAGS)
$(PLOT_PROGS:%=$(O)/bin/%) $(O)/obj/tests/test_plot: PKG_LIBS += $(CAIRO_LIBS)

$(O)/obj/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(PROG_SRC:src/%.c=$(O)/obj/src/%.d)

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

$(O)/bin/%: $(O)/obj/src/%.o $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS)

$(O)/obj/tests/%: tests/unit/%.c $(LIBA) $(LIB_HDR) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS)

$(O)/obj/testtools/%: tests/tools/%.c $(LIBA) $(LIB_HDR)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS)

units: $(UNITS) $(TOOLS)

# lib/ in layers: no file includes a header from a layer above its own (lib/LAYERS).
layers:
	@sh tools/layers lib

# Installs what is missing (apt-get as root, sudo otherwise, else prints the line).
deps:
	@sh tools/install-deps tools/debian-packages.txt tests/packages.txt

# Each step is timed; tests/check prints every phase's time at the end.
ifeq ($(SANITIZE),1)
CHECK_RUN = SHARDS_SANITIZED=1 sh tests/check plain
else
CHECK_RUN = sh tests/check $(CHECK)
endif
check:
	@t=$$(date +%s); $(MAKE) --no-print-directory deps layers || exit 1; \
	p=$$(($$(date +%s) - t)); t=$$(date +%s); \
	$(MAKE) --no-print-directory -j$(JOBS) all units || exit 1; \
	CHECK_SETUP="packages $$p build $$(($$(date +%s) - t))" O=$(O) $(CHECK_RUN)

check-cluster: deps
	@sh tools/install-deps tests/cluster-packages.txt
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@O=$(O) TESTS=cluster sh tests/run

check-valgrind: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all units
	@O=$(O) sh tests/check valgrind

demo: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@sh tools/demo $(O)/bin out/demo

bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@sh tools/install-deps tools/bench-packages.txt
	@O=$(O) BASE=$(BASE) sh tests/bench/run

# The programs find share/shards beside their bin/, so PREFIX and DESTDIR are only
# where the files go: the tree may be moved afterwards.
install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/shards
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	@# the pages' footer names the version installed
	$(Q)for f in man/man1/*.1 man/man7/*.7; do \
		sed 's/^\.Os shards$$/.Os shards $(VERSION)/' $$f >$(DESTDIR)$(PREFIX)/share/$$f && \
		chmod 644 $(DESTDIR)$(PREFIX)/share/$$f || exit 1; \
	done
	cp -R share/shards/. $(DESTDIR)$(PREFIX)/share/shards/
	@# bash completion from the programs' own option tables, one name per program
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(Q)sh tools/completion $(O)/bin >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/shards
	$(Q)for p in $(PROG_SRC:src/%.c=%); do ln -sf shards $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; done

# What install put there, by the same lists (a program since removed from src/
# stays: uninstall with the tree that installed it)
uninstall:
	rm -f $(PROG_SRC:src/%.c=$(DESTDIR)$(PREFIX)/bin/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/%,$(wildcard man/man1/*.1 man/man7/*.7))
	rm -rf $(DESTDIR)$(PREFIX)/share/shards
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/shards \
	      $(PROG_SRC:src/%.c=$(DESTDIR)$(PREFIX)/share/bash-completion/completions/%)

# The tracked files (or, outside a git checkout, the tree less what a build makes)
# under shards-VERSION/: unpacked anywhere, it builds and passes make check.
DIST = shards-$(VERSION)
dist:
	$(Q)rm -f $(O)/$(DIST).tar.gz
	$(Q)if git -C $(CURDIR) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git -C $(CURDIR) ls-files; \
	else \
		find . -type f ! -path './.git/*' ! -path './obj/*' ! -path './bin/*' ! -path './tests/out*' \
			! -path './sanitize-build/*' ! -path './out/*' ! -name '*.tar.gz' | sed 's|^\./||'; \
	fi | LC_ALL=C sort | tar -czf $(O)/$(DIST).tar.gz --transform 's|^|$(DIST)/|' -T -
	$(call say,DIST,$(O)/$(DIST).tar.gz)

# dpkg-buildpackage in a copy of the tracked files (make dist's tree), so the
# build's files and the package land in $(O)/out/deb/, not in the tree or its parent.
DEB_DIR = $(O)/out/deb
deb: dist
	@sh tools/install-deps tools/debian-packages.txt debian/build-packages.txt
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)
	$(Q)tar -xzf $(O)/$(DIST).tar.gz -C $(DEB_DIR)
	$(Q)cd $(DEB_DIR)/$(DIST) && dpkg-buildpackage -us -uc -b -j$(JOBS)
	$(Q)rm -rf $(DEB_DIR)/$(DIST)
	$(call say,DEB,$(DEB_DIR)/$$(cd $(DEB_DIR) && ls shards_*.deb))

check-deb: deb
	@DEB_DIR=$(DEB_DIR) sh tests/deb.sh

clean:
	rm -rf $(O)/obj $(O)/bin $(DATA_LINK) tests/out tests/out-* sanitize-build

.PHONY: all units layers deps check check-cluster check-valgrind demo bench install uninstall dist deb check-deb clean
.SECONDARY:

# ---- hardening: fuzz harnesses, libFuzzer --------------------------------
#   make fuzz FUZZ_SECONDS=N   run each libFuzzer harness for N seconds (clang + libFuzzer)
#   make fuzz-afl FUZZ_SECONDS=N   the same harnesses under AFL++ (afl-fuzz)
# tests/fuzz/NAME.c are harnesses (LLVMFuzzerTestOneInput); each is also linked with
# tests/fuzz/driver.c into $(O)/obj/fuzz/NAME, a plain program that replays files
# (built with `units`, so `make check` replays every corpus through them).
FUZZ_SRC     = $(filter-out tests/fuzz/driver.c,$(wildcard tests/fuzz/*.c))
FUZZ_DRIVERS = $(FUZZ_SRC:tests/fuzz/%.c=$(O)/obj/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_O        = $(O)/obj/libfuzzer
FUZZ_FLAGS    = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -Wno-format-nonliteral -Wno-unknown-pragmas -Wno-unused-function
FUZZ_TARGETS  = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_O)/bin/%)

$(O)/obj/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(LIBA) $(LIB_HDR)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/driver.c $(LIBA) $(PKG_LIBS)

units: $(FUZZ_DRIVERS)
fuzz-drivers: $(FUZZ_DRIVERS)

# libshards again with clang's coverage instrumentation and sanitizers, for libFuzzer
fuzz-lib:
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) SANITIZE= \
		CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" $(FUZZ_O)/obj/libshards.a

$(FUZZ_O)/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h fuzz-lib
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -fsanitize=fuzzer $(LIB_INC) -Itests/fuzz $(PKG_CFLAGS) \
		-o $@ $< $(FUZZ_O)/obj/libshards.a $(PKG_LIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run-libfuzzer $(FUZZ_SECONDS) $(FUZZ_O)/bin $(O)/obj/fuzz-work

# AFL++: the same harnesses linked with tests/fuzz/driver.c (it takes afl-fuzz's @@)
# and instrumented by afl-clang-fast.   make fuzz-afl FUZZ_SECONDS=N
AFL_CC ?= afl-clang-fast
AFL_O   = $(O)/obj/afl
AFL_TARGETS = $(FUZZ_SRC:tests/fuzz/%.c=$(AFL_O)/bin/%)

afl-lib:
	@$(MAKE) --no-print-directory O=$(AFL_O) CC=$(AFL_CC) SANITIZE= CFLAGS="-O1 -g" $(AFL_O)/obj/libshards.a

$(AFL_O)/bin/%: tests/fuzz/%.c tests/fuzz/driver.c tests/fuzz/fuzz.h afl-lib
	@mkdir -p $(@D)
	$(call say,AFL,$@)$(AFL_CC) -std=gnu11 -O1 -g $(LIB_INC) -Itests/fuzz $(PKG_CFLAGS) \
		-o $@ $< tests/fuzz/driver.c $(AFL_O)/obj/libshards.a $(PKG_LIBS)

fuzz-afl: deps
	@sh tools/install-deps tools/fuzz-packages.txt
	@$(MAKE) --no-print-directory $(AFL_TARGETS)
	@bash tests/fuzz/run-afl $(FUZZ_SECONDS) $(AFL_O)/bin $(O)/obj/afl-work

# audio_ogg is audio_file.c built for Ogg files only
$(O)/obj/fuzz/audio_ogg $(FUZZ_O)/bin/audio_ogg $(AFL_O)/bin/audio_ogg: tests/fuzz/audio_file.c

.PHONY: fuzz fuzz-build fuzz-lib fuzz-drivers fuzz-afl afl-lib
