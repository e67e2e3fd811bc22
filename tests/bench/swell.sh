# bench: swell against the tools a user would chain by hand: a swell of a 30 s
# stereo pad (sox: fade and norm), and the same stretched twice first (the
# rubberband command line, finer engine, then sox).
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/swell
mkdir -p "$D"
cd "$D" || exit 1

[ -s pad.wav ] || sox -n -r 48000 -c 2 pad.wav synth 30 sine 220 sine 277.18 synth 30 sine mix 329.63 \
	tremolo 0.3 20 gain -12

bench_load
bench_row "swell: a 30 s stereo pad, rise 3 s, decay 6 s" \
	"swell -A 3 -D 6 pad.wav | cat >/dev/null" "sox" \
	"sox -V1 pad.wav -t au - fade q 3 0 6 norm -1 | cat >/dev/null"
if command -v rubberband >/dev/null; then
	bench_row "swell: the pad stretched twice first (Rubber Band, finer engine)" \
		"swell -S 2 -A 3 -D 6 pad.wav | cat >/dev/null" "rubberband+sox" \
		"rubberband -q -3 -t 2 pad.wav st.wav 2>/dev/null && sox -V1 st.wav -t au - fade q 3 0 6 norm -1 | cat >/dev/null"
else
	echo "bench: swell: the rubberband command line is missing (rubberband-cli, tools/bench-packages.txt)"
fi
