#!/bin/sh
# tests/bench/dsp.sh -- dsp's chains against sox running the same effects on the
# same 10-minute 48 kHz stereo file, both writing float AU through a pipe to cat:
#  - lowpass 800 Hz, an echo (300 ms, 0.4) and -6 dB; sox's echo has no
#    feedback path, so dsp does a little more work;
#  - the reverb (zita-rev1 written in Faust, compiled into shards) against
#    sox's reverb (freeverb-style) at their defaults;
#  - the same reverb as a Faust file compiled when dsp starts (libfaust, LLVM)
#    against the built-in one, and its start: compiling it and printing its
#    knobs, LLVM included.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/dsp
mkdir -p "$D"
IN=$D/in600.wav
if [ ! -s "$IN" ]; then
	# 10 minutes of 48 kHz stereo float: pink noise and a slowly beating chord
	sox -R -n -r 48000 -c 2 -e floating-point -b 32 "$IN" synth 600 pinknoise synth 600 sine mix 220 \
		synth 600 sine mix 331 tremolo 0.3 60 gain -12 || exit 1
fi
bench_load

bench_row "dsp-chain-vs-sox(10min,stereo,lowpass:echo:gain)" \
	"dsp -i $IN lowpass freq=800 : echo time=0.3 fb=0.4 : gain db=-6 | cat >/dev/null" sox \
	"sox $IN -t au -e floating-point -b 32 - lowpass 800 echo 0.8 0.9 300 0.4 gain -6 2>/dev/null | cat >/dev/null" ">= 2"
bench_row "dsp-reverb-vs-sox-reverb(10min,stereo)" \
	"dsp -i $IN reverb | cat >/dev/null" sox \
	"sox $IN -t au -e floating-point -b 32 - reverb 2>/dev/null | cat >/dev/null" ">= 1"

# the same Faust source, compiled at run time: its start (compiling it and
# printing its knobs, LLVM included) under 1 s; the run after it within 1.2x of
# the built-in one (the whole run's time less the start)
cp "$SHARDS_TOP/share/shards/faust/reverb.dsp" "$D/hall.dsp"
start=$(bench_time "dsp $D/hall.dsp --params >/dev/null") &&
	jit=$(bench_time "dsp -i $IN $D/hall.dsp | cat >/dev/null") &&
	aot=$(bench_time "dsp -i $IN reverb | cat >/dev/null") || { echo "bench: dsp-faust-runtime: FAILED"; exit 0; }
echo "$start $jit $aot" | awk '{
	printf "bench: dsp-faust-runtime-start(reverb.dsp, compile and --params): %.3fs (target < 1s: %s)\n", $1, ($1 < 1 ? "met" : "MISSED")
	run = $3 - $1; r = run > 0 ? run / $5 : 0
	printf "bench: dsp-faust-runtime-run-vs-builtin(10min,stereo,reverb): whole %.3fs, less the start %.3fs, built-in %.3fs, ratio %.2f (target <= 1.2: %s)\n", $3, run, $5, r, (r <= 1.2 ? "met" : "MISSED") }'
