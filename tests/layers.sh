#!/bin/sh
# layers: lib/ in layers (lib/LAYERS), and lib/ returns errors; make layers refuses
# an upward include and an exit under lib/.
. "$SHARDS_TOP/tests/lib.sh"
top=$SHARDS_TOP
check "the tree keeps its layers, and only lib/core/err.c ends a run" sh "$top/tools/layers" "$top/lib"

# refused WHAT PATTERN: make layers fails on the copy, naming what PATTERN matches
refused() {
	if make -s -C "$W/copy" layers >"$W/refused.out" 2>&1; then
		fail "$1 fails make layers" "make layers passed"
	elif grep -q "$2" "$W/refused.out"; then
		pass "$1 fails make layers, naming the file"
	else
		fail "$1 fails make layers, naming the file" "$(cat "$W/refused.out")"
	fi
}

mkdir -p "$W/copy"
cp -R "$top/lib" "$top/tools" "$top/Makefile" "$W/copy/"
check "the copy keeps its layers before the change" make -s -C "$W/copy" layers
# core reaching up into tex
printf '#include "pads.h"\n' >>"$W/copy/lib/core/rng.c"
refused "an upward include" 'lib/core/rng.c includes pads.h from lib/tex'
# a library function that ends the run instead of returning an error
sed -i '$d' "$W/copy/lib/core/rng.c"
printf 'void sh_rng_give_up(void) { sh_die("no"); }\n' >>"$W/copy/lib/core/rng.c"
refused "an exit under lib/" 'lib/core/rng.c:.*sh_die'
