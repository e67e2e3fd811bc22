#!/bin/sh
# tests/bench/sampler.sh -- sampler rendering an hour of sixteenth-note hits at
# 140 BPM (33600 hits of three 1-second samples, a hat on every step, kick and
# snare on top) with 8 voices, stereo float AU through a pipe to cat. No other
# program does this job, so the row compares with real time: speed-up = the
# hour / the wall time.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/sampler
mkdir -p "$D"
if [ ! -s "$D/hour.jsonl" ]; then
	sox -n -r 48000 -c 1 "$D/kick.wav" synth 1 sine 120-40 fade 0 1 0.9 || exit 1
	sox -n -r 48000 -c 2 "$D/snare.wav" synth 1 noise synth 1 sine mix 190 fade 0 1 0.95 gain -6 || exit 1
	sox -n -r 48000 -c 1 "$D/hat.wav" synth 1 noise gain -10 highpass 6000 fade 0 1 0.98 || exit 1
	# an hour at 140 BPM is 8400 beats: 2100 bars of 16 steps
	pattern "$D/kick.wav" "$D/snare.wav" "$D/hat.wav" --bpm 140 --bars 2100 \
		-g 'x...x...x...x...' -g '....x.......x...' -g 'xxxxxxxxxxxxxxxx' --events >"$D/hour.jsonl" || exit 1
fi
bench_load
s=$(bench_time "sampler --voices 8 --map kick=$D/kick.wav --map snare=$D/snare.wav --map hat=$D/hat.wav $D/hour.jsonl | cat >/dev/null") ||
	{ echo "bench: sampler-hour: FAILED"; exit 0; }
bench_line "sampler-vs-real-time(1h,16ths@140bpm,8 voices,stereo)" "real-time" "$s" "3600 3600" ">= 500"
