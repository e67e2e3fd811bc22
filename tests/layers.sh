#!/bin/sh
# layers: lib/ in layers (lib/LAYERS); make layers refuses an upward include.
. "$SHARDS_TOP/tests/lib.sh"
top=$SHARDS_TOP
check "the tree keeps its layers" sh "$top/tools/layers" "$top/lib"
# a copy with one upward include: core reaching up into tex
mkdir -p "$W/copy"
cp -R "$top/lib" "$top/tools" "$top/Makefile" "$W/copy/"
check "the copy keeps its layers before the change" make -s -C "$W/copy" layers
printf '#include "pads.h"\n' >>"$W/copy/lib/core/rng.c"
if make -s -C "$W/copy" layers >"$W/up.out" 2>&1; then
	fail "an upward include fails make layers" "make layers passed"
elif grep -q 'lib/core/rng.c includes pads.h from lib/tex' "$W/up.out"; then
	pass "an upward include fails make layers, naming file, header and layer"
else
	fail "an upward include fails make layers, naming file, header and layer" "$(cat "$W/up.out")"
fi
