#!/bin/sh
# tests/bench/amix.sh -- amix against `sox -m` mixing the same four 10-minute
# 48 kHz stereo float WAV files (pink noise, a chord, brown noise, a swept
# square), both writing float AU through a pipe to cat. sox -m scales each
# input by 1/4; amix is given the same gains (-12.04 dB), so both do the same
# work: read four streams, scale, sum, write one. A second row adds a 44.1 kHz
# input, which amix resamples (libsoxr) and sox -m refuses, so sox gets it
# through its own `rate -v` in a pipe of its own.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/amix
mkdir -p "$D"
mk() { # FILE RATE SOX-SYNTH-ARGS...
	f=$1 r=$2; shift 2
	[ -s "$f" ] || sox -R -n -r "$r" -c 2 -e floating-point -b 32 "$f" "$@" || exit 1
}
mk "$D/a.wav" 48000 synth 600 pinknoise gain -12
mk "$D/b.wav" 48000 synth 600 sine 220 sine 331 gain -12
mk "$D/c.wav" 48000 synth 600 brownnoise gain -15
mk "$D/d.wav" 48000 synth 600 square 55-880 gain -18
mk "$D/e.wav" 44100 synth 600 sine 440 sine 660 gain -12
bench_load

q=-12.0412 # 20 log10(1/4): sox -m's own scaling
bench_row "amix-vs-sox-m(4 inputs,10min,48kHz,stereo)" \
	"amix $D/a.wav:$q $D/b.wav:$q $D/c.wav:$q $D/d.wav:$q | cat >/dev/null" "sox -m" \
	"sox -m $D/a.wav $D/b.wav $D/c.wav $D/d.wav -t au -e floating-point -b 32 - 2>/dev/null | cat >/dev/null" ">= 2"
bench_row "amix-vs-sox-m(4 inputs + one at 44.1kHz resampled,10min,stereo)" \
	"amix $D/a.wav:-14 $D/b.wav:-14 $D/c.wav:-14 $D/d.wav:-14 $D/e.wav:-14 | cat >/dev/null" "sox -m" \
	"sox $D/e.wav -t au - rate -v 48000 | sox -m $D/a.wav $D/b.wav $D/c.wav $D/d.wav -t au - -t au -e floating-point -b 32 - 2>/dev/null | cat >/dev/null" ">= 1"
