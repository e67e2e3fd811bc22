#!/bin/sh
# tests/bench/install.sh -- packaging adds no cost: a program installed by
# `make install` into another prefix (finding its data beside itself) starts as
# fast as the one in the build tree. 100 runs of `cutgen --version` each;
# speed-up = the built one's time / the installed one's, so 1 is "the same".
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/install
built=$(command -v cutgen) || { echo "bench: install: FAILED (no cutgen built)"; exit 0; }
rm -rf "$D" && mkdir -p "$D"
make -s -C "$SHARDS_TOP" O="${O:-.}" PREFIX="$D/prefix" install >"$D/make.log" 2>&1 ||
	{ echo "bench: install: FAILED (make install, see $D/make.log)"; exit 0; }
loop='i=0; while [ $i -lt 100 ]; do "$0" --version >/dev/null || exit 1; i=$((i + 1)); done'
bench_load
bench_row "start-up(100x cutgen --version, installed vs built)" \
	"sh -c '$loop' '$D/prefix/bin/cutgen'" "built" "sh -c '$loop' '$built'" ">= 0.9"
