# afterglow.mk -- a library of textures from an archive in one command: pads
# mined from SRC, drones and swells and clouds made from PADS, hiss from DRUMS
# (or from noise), and the graded manifest over all of them:
#
#   make -f /usr/share/shards/recipes/afterglow.mk SRC=archive/ PADS=pad_sources/ \
#        DRUMS=drums/ OUT=export/ -j2
#
# writes OUT/<source>/{pads,swells,clouds,hiss}/*.wav and OUT/manifest.csv.
# Targets: all (the default), the phases alone (pads, drones, swells, clouds,
# hiss, manifest), check-config (also run before any work) and clean-state.
# The settings live in afterglow.conf (CONF=FILE for another), written with the
# defaults and a comment on each on the first run; NAME=VALUE on the command
# line overrides the file for one run. See afterglow(7).
#
# A re-run does only what changed: padmine keeps its own state of the archive,
# and every other file is remade when its source or the settings of its phase
# changed (OUT/.afterglow/ holds what each phase wrote and with which settings).

CONF ?= afterglow.conf
RECIPES := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

# A missing settings file is written from the commented defaults, and make reads
# it then (an included file that a rule makes).
include $(CONF)
$(CONF): | $(RECIPES)/afterglow.conf
	@cp $(RECIPES)/afterglow.conf $@ && echo "afterglow.mk: wrote $@ with the default settings; edit it and run again to change them" >&2

SRC   ?= source_audio
PADS  ?= pad_sources
DRUMS ?= drums
OUT   ?= export
SHARDS_BIN ?=
# folders as given, with or without a trailing slash
override SRC := $(patsubst %/,%,$(SRC))
override PADS := $(patsubst %/,%,$(PADS))
override DRUMS := $(patsubst %/,%,$(DRUMS))
override OUT := $(patsubst %/,%,$(OUT))

# Settings an older afterglow.conf may lack: the recipe's defaults.
RATE ?= 44100
BITS ?= 24
PEAK_DBFS ?= -1
SEED ?= 1
DARK_HZ ?= 1000
BRIGHT_HZ ?= 3000
EXTENSIONS ?= wav,flac,ogg,oga,opus,mp3,aiff,aif,au
PAD_COUNT ?= 4
PAD_DURATIONS ?= 2,4,8
PAD_RMS_GATE ?= -40
PAD_ONSET_GATE ?= 0
PAD_CROSSFADE ?= 50
PAD_SEAM_SEARCH ?= 20
PAD_GRADE_MIN ?= D
DRONE_STRETCH ?= 4
DRONE_PITCH ?= -12,0,7
DRONE_VARIANTS ?= warm,airy,dark
DRONE_AMOUNT ?= 0.5
DRONE_MONO ?= no
TARGET_KEY ?=
SWELL_STRETCH ?= 2
SWELL_PITCH ?= 0
SWELL_RISE ?= 1s
SWELL_DECAY ?= 2.5s
SWELL_SHAPE ?= sine
SWELL_LENGTH ?=
SWELL_MONO ?= no
CLOUD_COUNT ?= 2
CLOUD_LENGTH ?= 30s
CLOUD_GRAIN ?= 50ms..150ms
CLOUD_GRAINS ?= 200
CLOUD_OVERLAP ?= 0.65
CLOUD_PITCH ?= -7..7
CLOUD_WINDOW ?= hann
CLOUD_SPREAD ?= 0.8
CLOUD_MONO ?= no
CLOUD_RMS_FLOOR ?= -40
CLOUD_MAX_CLIP ?= 0.001
CLOUD_MAX_DC ?= 0.1
CLOUD_MAX_SKEW ?= 2
HISS_LENGTH ?= 4s
HISS_FLICKERS ?= 8
HISS_BURST ?= 30..500
HISS_GAP ?= 100..400
HISS_FILTER ?= bandpass
HISS_BAND ?= 4000..15000
HISS_HIGHPASS ?= 5500
HISS_TREMOLO_RATE ?= 2.5
HISS_TREMOLO_DEPTH ?= 0.5
HISS_PEAK ?= -6
HISS_MONO ?= no
GRADE_SILENCE ?= -60
GRADE_MAX_CLIP ?= 0.001
GRADE_MAX_CREST ?= 30
GRADE_A_RMS ?= -30
GRADE_A_CREST ?= 15
GRADE_A_SEAM ?= 0.05
GRADE_B_RMS ?= -36
GRADE_B_CREST ?= 18
GRADE_B_SEAM ?= 0.15
GRADE_C_RMS ?= -45
GRADE_C_CREST ?= 21
GRADE_C_SEAM ?= 0.3
DELETE_F ?= no

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all pads drones swells clouds hiss manifest check-config clean-state FORCE

ST := $(OUT)/.afterglow
Q  := $(if $(SHARDS_BIN),$(abspath $(SHARDS_BIN))/)

yes = $(if $(filter yes,$1),$2)
comma := ,
# The sources of a folder: files with one of the EXTENSIONS (any case), sorted.
audio_names = \( $(foreach e,$(subst $(comma), ,$(EXTENSIONS)),-iname '*.$e' -o) -false \)
# names make cannot carry in a rule: a space, a colon, \#, $$, %, a quote
odd_names = \( -name '* *' -o -name '*:*' -o -name '*\#*' -o -name '*$$*' -o -name '*%*' -o -name "*'*" -o -name '*"*' \)
find_audio = $(shell test -d '$1' && find -L '$1' -type f $(audio_names) ! $(odd_names) | LC_ALL=C sort)
find_odd = $(shell test -d '$1' && find -L '$1' -type f $(audio_names) $(odd_names) -print -quit)
PAD_FILES  := $(call find_audio,$(PADS))
DRUM_FILES := $(call find_audio,$(DRUMS))
stem = $(basename $(notdir $1))

# ---------------------------------------------------------------- settings
# Every phase's command line, one per phase: a phase's files are remade when
# its line changes (ST/PHASE.settings is rewritten only then).
PAD_FLAGS = -n $(PAD_COUNT) -D $(PAD_DURATIONS) -g $(PAD_RMS_GATE) -O $(PAD_ONSET_GATE) -x $(PAD_CROSSFADE) \
	--seam-search $(PAD_SEAM_SEARCH) --dark $(DARK_HZ) --bright $(BRIGHT_HZ) --grade-min $(PAD_GRADE_MIN) \
	-r $(RATE) --bits $(BITS) --ext $(EXTENSIONS)
DRONE_FLAGS = -s $(DRONE_STRETCH) -P $(DRONE_PITCH) -V $(DRONE_VARIANTS) -a $(DRONE_AMOUNT) --peak $(PEAK_DBFS) \
	-r $(RATE) --bits $(BITS) $(call yes,$(DRONE_MONO),--mono) $(if $(TARGET_KEY),-k '$(TARGET_KEY)')
SWELL_FLAGS = -S $(SWELL_STRETCH) -P $(SWELL_PITCH) -A $(SWELL_RISE) -D $(SWELL_DECAY) -s $(SWELL_SHAPE) \
	$(if $(SWELL_LENGTH),-d $(SWELL_LENGTH)) --peak $(PEAK_DBFS) -r $(RATE) --bits $(BITS) \
	$(call yes,$(SWELL_MONO),--mono)
CLOUD_FLAGS = -d $(CLOUD_LENGTH) -g $(CLOUD_GRAIN) -n $(CLOUD_GRAINS) -O $(CLOUD_OVERLAP) -P $(CLOUD_PITCH) \
	-w $(CLOUD_WINDOW) $(if $(filter yes,$(CLOUD_MONO)),--mono,-s $(CLOUD_SPREAD)) --rms-floor $(CLOUD_RMS_FLOOR) \
	--max-clip $(CLOUD_MAX_CLIP) --max-dc $(CLOUD_MAX_DC) --max-skew $(CLOUD_MAX_SKEW) --dark $(DARK_HZ) \
	--bright $(BRIGHT_HZ) --peak $(PEAK_DBFS) -r $(RATE) --bits $(BITS) $(if $(TARGET_KEY),-k '$(TARGET_KEY)')
HISS_COMMON = --filter $(HISS_FILTER) --band $(HISS_BAND) --highpass $(HISS_HIGHPASS) --peak $(HISS_PEAK) \
	-r $(RATE) --bits $(BITS) $(call yes,$(HISS_MONO),-c 1)
HISS_LOOP_FLAGS = $(HISS_COMMON) -d $(HISS_LENGTH) -t $(HISS_TREMOLO_RATE) -T $(HISS_TREMOLO_DEPTH)
HISS_FLICKER_FLAGS = $(HISS_COMMON) -F $(HISS_FLICKERS) --burst $(HISS_BURST) --gap $(HISS_GAP)
GRADE_FLAGS = --silence $(GRADE_SILENCE) --max-clip $(GRADE_MAX_CLIP) --max-crest $(GRADE_MAX_CREST) \
	--a-rms $(GRADE_A_RMS) --a-crest $(GRADE_A_CREST) --a-seam $(GRADE_A_SEAM) \
	--b-rms $(GRADE_B_RMS) --b-crest $(GRADE_B_CREST) --b-seam $(GRADE_B_SEAM) \
	--c-rms $(GRADE_C_RMS) --c-crest $(GRADE_C_CREST) --c-seam $(GRADE_C_SEAM) \
	--dark $(DARK_HZ) --bright $(BRIGHT_HZ) $(call yes,$(DELETE_F),--delete-f)

SETTINGS_pads = $(PAD_FLAGS)
SETTINGS_drones = $(DRONE_FLAGS)
SETTINGS_swells = $(SWELL_FLAGS)
SETTINGS_clouds = $(CLOUD_COUNT) $(SEED) $(CLOUD_FLAGS)
SETTINGS_hiss = $(SEED) $(HISS_LOOP_FLAGS) / $(HISS_FLICKER_FLAGS)
SETTINGS_manifest = $(GRADE_FLAGS)

$(ST)/%.settings: FORCE
	@mkdir -p $(ST); printf '%s\n' "$(strip $(SETTINGS_$*))" | cmp -s - $@ || printf '%s\n' "$(strip $(SETTINGS_$*))" >$@

# ---------------------------------------------------------------- check-config
# Each setting is given to the program that uses it, which checks it as it
# checks its own options (--print-config runs every check and does no work);
# a refusal names the setting. yes/no settings and folders are checked here.
YESNO = DRONE_MONO SWELL_MONO CLOUD_MONO HISS_MONO DELETE_F
# setting, program and its flag: one check each
CHECKS = RATE:swell:-r BITS:swell:--bits PEAK_DBFS:drone:--peak SEED:hiss:--seed EXTENSIONS:padmine:--ext PAD_COUNT:padmine:-n PAD_DURATIONS:padmine:-D \
	PAD_RMS_GATE:padmine:-g PAD_ONSET_GATE:padmine:-O PAD_CROSSFADE:padmine:-x \
	PAD_SEAM_SEARCH:padmine:--seam-search PAD_GRADE_MIN:padmine:--grade-min DRONE_STRETCH:drone:-s \
	DRONE_PITCH:drone:-P DRONE_VARIANTS:drone:-V DRONE_AMOUNT:drone:-a TARGET_KEY:drone:-k \
	SWELL_STRETCH:swell:-S SWELL_PITCH:swell:-P SWELL_RISE:swell:-A SWELL_DECAY:swell:-D \
	SWELL_SHAPE:swell:-s SWELL_LENGTH:swell:-d CLOUD_LENGTH:grainify:-d CLOUD_GRAIN:grainify:-g \
	CLOUD_GRAINS:grainify:-n CLOUD_OVERLAP:grainify:-O CLOUD_PITCH:grainify:-P CLOUD_WINDOW:grainify:-w \
	CLOUD_SPREAD:grainify:-s CLOUD_RMS_FLOOR:grainify:--rms-floor CLOUD_MAX_CLIP:grainify:--max-clip \
	CLOUD_MAX_DC:grainify:--max-dc CLOUD_MAX_SKEW:grainify:--max-skew HISS_LENGTH:hiss:-d \
	HISS_FLICKERS:hiss:-F HISS_BURST:hiss:--burst HISS_GAP:hiss:--gap HISS_FILTER:hiss:--filter \
	HISS_BAND:hiss:--band HISS_HIGHPASS:hiss:--highpass HISS_TREMOLO_RATE:hiss:-t \
	HISS_TREMOLO_DEPTH:hiss:-T HISS_PEAK:hiss:--peak

check1 = $(Q)$(word 2,$1) $(word 3,$1) '$($(word 1,$1))' --print-config >/dev/null 2>$(ST)/check.err || \
	{ echo "$(CONF): $(word 1,$1) = $($(word 1,$1)): $$(sed 's/^[a-z]*: //; s/^--*[A-Za-z-]*: //' $(ST)/check.err)" >&2; bad=1; };
# One run per program with all its settings; only when that refuses, one run
# per setting, so the refusal names its setting.
check_progs := $(sort $(foreach c,$(CHECKS),$(word 2,$(subst :, ,$c))))
check_flags = $(foreach c,$(CHECKS),$(if $(filter $1,$(word 2,$(subst :, ,$c))),$(if $($(firstword $(subst :, ,$c))),$(word 3,$(subst :, ,$c)) '$($(firstword $(subst :, ,$c)))')))
check_each = $(foreach c,$(CHECKS),$(if $(filter $1,$(word 2,$(subst :, ,$c))),$(if $($(firstword $(subst :, ,$c))),$(call check1,$(subst :, ,$c)))))
check_prog = $(Q)$1 $(call check_flags,$1) --print-config >/dev/null 2>&1 || { $(call check_each,$1) };
# and then the settings that only mean something together, in the program
# that judges them together (the grade thresholds only so: each is judged
# against the others)
pair = [ $$bad = 1 ] || $(Q)$1 --print-config >/dev/null 2>$(ST)/check.err || \
	{ echo "$(CONF): $2: $$(sed 's/^[a-z]*: //' $(ST)/check.err)" >&2; bad=1; };
check_pairs = $(call pair,grade --dark '$(DARK_HZ)' --bright '$(BRIGHT_HZ)',DARK_HZ = $(DARK_HZ)$(comma) BRIGHT_HZ = $(BRIGHT_HZ)) \
	$(call pair,grade $(GRADE_FLAGS),GRADE_*) $(call pair,swell $(SWELL_FLAGS),SWELL_*) \
	$(call pair,hiss $(HISS_LOOP_FLAGS),HISS_*)

$(ST)/check: FORCE
	@mkdir -p $(ST); bad=0; \
	for v in $(foreach v,$(YESNO),$v=$($v)); do \
		case $${v#*=} in yes|no) ;; *) echo "$(CONF): $${v%%=*} = $${v#*=}: yes or no" >&2; bad=1 ;; esac; \
	done; \
	$(if $(filter-out 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20,$(CLOUD_COUNT)),echo "$(CONF): CLOUD_COUNT = $(CLOUD_COUNT): a whole number 0..20" >&2; bad=1;) \
	$(foreach p,$(check_progs),$(call check_prog,$p)) \
	$(check_pairs) \
	$(foreach d,PADS DRUMS,$(if $(call find_odd,$($d)),echo "$(CONF): $d: make cannot name a file '$(call find_odd,$($d))' (a space or one of : \# $$ % and quotes): rename it" >&2; bad=1;)) \
	$(if $(filter-out 1,$(words $(OUT))),echo "$(CONF): OUT = '$(OUT)': one folder without spaces" >&2; bad=1;) \
	dup=$$(for f in $(PAD_FILES); do basename "$${f%.*}"; done | sort | uniq -d | head -n 1); \
	[ -z "$$dup" ] || { echo "$(CONF): PADS: two sources named '$$dup': names must differ (they name the export folders)" >&2; bad=1; }; \
	dup=$$(for f in $(DRUM_FILES); do basename "$${f%.*}"; done | sort | uniq -d | head -n 1); \
	[ -z "$$dup" ] || { echo "$(CONF): DRUMS: two sources named '$$dup': names must differ" >&2; bad=1; }; \
	rm -f $(ST)/check.err; \
	[ $$bad = 0 ] || { echo "afterglow.mk: fix the settings above in $(CONF) (or on the command line); nothing was made" >&2; exit 1; }

check-config: $(ST)/check
	@echo "$(CONF): the settings are good" >&2

# ---------------------------------------------------------------- phases
all: pads drones swells clouds hiss manifest
	@if [ -e $(ST)/pads.failed ]; then \
		echo "afterglow.mk: padmine could not read the sources it named above; everything else is made" >&2; exit 1; fi
	@if [ -e $(ST)/grade.failed ]; then \
		echo "afterglow.mk: grade could not read the files it named above: the manifest leaves them out" >&2; exit 1; fi

# padmine walks SRC itself (any file names), keeps OUT/.padmine-state and
# reads no audio of a source it has mined unchanged; ST/pads changes only when
# its state did, so the manifest is graded again only then.
pads: $(ST)/pads
$(ST)/pads: $(ST)/pads.settings FORCE | $(ST)/check
	@if [ -d '$(SRC)' ]; then \
		cp -p $(OUT)/.padmine-state $(ST)/pads.before 2>/dev/null || : >$(ST)/pads.before; \
		force=; [ $(ST)/pads.ran -nt $(ST)/pads.settings ] || force=--force; \
		s=0; $(Q)padmine -d $(OUT) $(PAD_FLAGS) --prune $$force '$(SRC)' || s=$$?; \
		cmp -s $(ST)/pads.before $(OUT)/.padmine-state || touch $@; [ -e $@ ] || touch $@; \
		rm -f $(ST)/pads.before; \
		case $$s in 0) rm -f $(ST)/pads.failed ;; 1) touch $(ST)/pads.failed ;; *) exit $$s ;; esac; \
		[ -z "$$force" ] || touch $(ST)/pads.ran; \
	else echo "afterglow.mk: SRC '$(SRC)' is not a folder: no pads mined" >&2; touch $@; fi

# publish,STAMP,DEST: the files a step wrote into its own temporary folder
# replace in DEST the ones its last run wrote (listed in STAMP); STAMP then
# lists the new ones.
define publish
	@[ ! -s $(ST)/tmp/$(@F).names ] || mkdir -p '$2'; \
	if [ -f $1 ]; then while IFS= read -r f; do rm -f "$2/$$f"; done <$1; fi; \
	for f in $(ST)/tmp/$(@F)/*; do if [ -e "$$f" ]; then mv -f "$$f" '$2'/ || exit 1; fi; done; \
	mv -f $(ST)/tmp/$(@F).names $1 && rm -rf $(ST)/tmp/$(@F)
endef
# begin: a fresh temporary folder for the step's files
begin = @rm -rf $(ST)/tmp/$(@F) && mkdir -p $(ST)/tmp/$(@F)
# names: what the step wrote, listed before the files move
names = @( cd $(ST)/tmp/$(@F) && ls -1 ) >$(ST)/tmp/$(@F).names

# One set of rules per source: drones and swells and clouds for a PADS file,
# hiss for a DRUMS file (or from noise when DRUMS has none).
define pad_source
$(ST)/$(call stem,$1).drones: $1 $(ST)/drones.settings | $(ST)/check
	$$(begin)
	$(Q)drone -d $(ST)/tmp/$$(@F) --name $(call stem,$1) $(DRONE_FLAGS) $1
	$$(names)
	$$(call publish,$$@,$(OUT)/$(call stem,$1)/pads)
$(ST)/$(call stem,$1).swells: $1 $(ST)/swells.settings | $(ST)/check
	$$(begin)
	$(Q)swell $(SWELL_FLAGS) -o $(ST)/tmp/$$(@F)/$(call stem,$1)_swell.wav $1
	$$(names)
	$$(call publish,$$@,$(OUT)/$(call stem,$1)/swells)
$(ST)/$(call stem,$1).clouds: $1 $(ST)/clouds.settings | $(ST)/check
	$$(begin)
	@i=1; while [ $$$$i -le $(CLOUD_COUNT) ]; do \
		$(Q)grainify $(CLOUD_FLAGS) --seed $$$$(($(SEED) + $$$$i - 1)) \
			-o $(ST)/tmp/$$(@F)/$(call stem,$1)_cloud$$$$i.wav $1 || exit 1; i=$$$$((i + 1)); done
	$$(names)
	$$(call publish,$$@,$(OUT)/$(call stem,$1)/clouds)
endef
# short_ok,COMMAND,WHAT: COMMAND may refuse a source too short for WHAT, which
# is then skipped with a note; any other failure stops the step.
short_ok = @$1 2>$(ST)/tmp/$(@F).err || \
	if grep -q 'too short for a' $(ST)/tmp/$(@F).err; then \
		echo "afterglow.mk: $(strip $3) is too short for $2: none made" >&2; \
	else cat $(ST)/tmp/$(@F).err >&2; exit 1; fi; rm -f $(ST)/tmp/$(@F).err
define hiss_source
$(ST)/$2.hiss: $1 $(ST)/hiss.settings | $(ST)/check
	$$(begin)
	$$(call short_ok,$(Q)hiss $(HISS_LOOP_FLAGS) --seed $(SEED) -o $(ST)/tmp/$$(@F)/$2_hiss.wav $1,a $(HISS_LENGTH) hiss loop,$1)
	$$(call short_ok,$(Q)hiss $(HISS_FLICKER_FLAGS) --seed $(SEED) -o $(ST)/tmp/$$(@F)/$2_flicker.wav $1,flicker bursts of $(HISS_BURST) ms,$1)
	$$(names)
	$$(call publish,$$@,$(OUT)/$2/hiss)
endef
$(foreach f,$(PAD_FILES),$(eval $(call pad_source,$f)))
$(foreach f,$(DRUM_FILES),$(eval $(call hiss_source,$f,$(call stem,$f))))
$(if $(DRUM_FILES),,$(eval $(call hiss_source,,noise)))

DRONES := $(foreach f,$(PAD_FILES),$(ST)/$(call stem,$f).drones)
SWELLS := $(foreach f,$(PAD_FILES),$(ST)/$(call stem,$f).swells)
CLOUDS := $(if $(filter-out 0,$(CLOUD_COUNT)),$(foreach f,$(PAD_FILES),$(ST)/$(call stem,$f).clouds))
HISS   := $(if $(DRUM_FILES),$(foreach f,$(DRUM_FILES),$(ST)/$(call stem,$f).hiss),$(ST)/noise.hiss)
drones: $(DRONES)
swells: $(SWELLS)
clouds: $(CLOUDS)
hiss: $(HISS)

# Files of sources that are gone (or of phases now off) go with their stamps.
KEEP := $(notdir $(DRONES) $(SWELLS) $(CLOUDS) $(HISS))
$(ST)/stale: FORCE | $(ST)/check
	@for s in $(ST)/*.drones $(ST)/*.swells $(ST)/*.clouds $(ST)/*.hiss; do \
		[ -f "$$s" ] || continue; n=$${s##*/}; \
		case " $(KEEP) " in *" $$n "*) continue ;; esac; \
		d=$(OUT)/$${n%.*}/$${n##*.}; [ "$${n##*.}" = drones ] && d=$(OUT)/$${n%.*}/pads; \
		while IFS= read -r f; do rm -f "$$d/$$f"; done <"$$s"; rm -f "$$s"; \
		echo "afterglow.mk: removed what $${n%.*} had in $$d: its source is gone" >&2; touch $@; \
	done; [ -e $@ ] || touch $@

# The graded manifest of every file in OUT (paths relative to OUT, sorted by
# bytes, as padmine keeps it), made again when anything in OUT changed. xargs
# may run grade more than once on a large library: one header is kept; with
# DELETE_F the deleted files' rows go too. A file grade cannot read is named
# and left out, and the run ends with status 1, the manifest kept.
manifest: $(OUT)/manifest.csv
$(OUT)/manifest.csv: $(ST)/pads $(DRONES) $(SWELLS) $(CLOUDS) $(HISS) $(ST)/stale $(ST)/manifest.settings | $(ST)/check
	@cd $(OUT) && find . -mindepth 3 -maxdepth 3 -type f -name '*.wav' \
		\( -path './*/pads/*' -o -path './*/swells/*' -o -path './*/clouds/*' -o -path './*/hiss/*' \) \
		| sed 's|^\./||' | LC_ALL=C sort | tr '\n' '\0' >.afterglow/files; \
	if [ -s .afterglow/files ]; then \
		rm -f .afterglow/grade.failed; \
		xargs -0 $(Q)grade $(GRADE_FLAGS) <.afterglow/files >.afterglow/grades.csv || touch .afterglow/grade.failed; \
		awk -F, -v del=$(DELETE_F) 'NR == 1 { h = $$0; print; next } $$0 == h { next } \
			del != "yes" || $$NF != "F"' .afterglow/grades.csv >.afterglow/manifest.new && \
		mv -f .afterglow/manifest.new manifest.csv && rm -f .afterglow/grades.csv; \
	else echo "afterglow.mk: nothing in $(OUT) to grade" >&2; touch manifest.csv; fi

# Forget what the recipe made (not the files): the next run makes everything again.
clean-state:
	rm -rf $(ST)
