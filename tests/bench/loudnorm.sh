#!/bin/sh
# tests/bench/loudnorm.sh -- loudnorm against FFmpeg's loudnorm filter on the
# same 10-minute 48 kHz stereo file (a drum loop from hydrogen-drumkits one-shots
# over a pad of pink noise and a beating chord, peaks 16 dB over the loudness),
# both bringing it to -16 LUFS under -1 dBTP and writing a float WAV beside it:
#  - loudnorm measures (true peak on) and normalises, limiting the peaks and
#    raising the gain until the output measures on target;
#  - FFmpeg runs the documented two passes: the first prints the measurement
#    (JSON), the second takes it back with linear=true (FFmpeg falls back to its
#    own dynamic mode when the peaks would cross the ceiling, as here).
# And the measurement alone: loudnorm --measure against FFmpeg's ebur128 meter
# with true peak. libebur128's true peak costs more CPU than FFmpeg's meter, so
# that row asks only that the two cores keep loudnorm ahead in wall time.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/loudnorm
mkdir -p "$D"
IN=$D/in600.wav
if [ ! -s "$IN" ]; then
	(
		cd "$D" || exit 1
		kit=/usr/share/hydrogen/data/drumkits/GMRockKit
		n=0 mix=
		hit() {
			n=$((n + 1))
			if [ -r "$kit/$1" ]; then sox "$kit/$1" -r 48000 -c 2 -e floating-point -b 32 "h$n.wav" pad "$2" 2>/dev/null
			else sox -n -r 48000 -c 2 -e floating-point -b 32 "h$n.wav" synth 0.2 sine 150-40 fade 0 0.2 0.18 pad "$2"; fi
			mix="$mix -v $3 h$n.wav"
		}
		for t in 0 1 2 3; do hit Kick-Hardest.wav $t 0.5; done
		for t in 0.5 1.5 2.5 3.5; do hit Snare-Hardest.wav $t 0.5; done
		for t in 0 0.25 0.5 0.75 1 1.25 1.5 1.75 2 2.25 2.5 2.75 3 3.25 3.5 3.75; do hit HatClosed-Med.wav $t 0.3; done
		# shellcheck disable=SC2086
		sox -m $mix loop.wav trim 0 4 &&
			sox loop.wav drums.wav repeat 149 &&
			sox -R -n -r 48000 -c 2 -e floating-point -b 32 pad.wav synth 600 pinknoise synth 600 sine mix 220 \
				synth 600 sine mix 331 tremolo 0.3 60 gain -18 &&
			sox -m -v 1 pad.wav -v 1 drums.wav -e floating-point -b 32 in600.wav norm -0.1 || exit 1
		rm -f h*.wav loop.wav drums.wav pad.wav
	) || exit 1
fi
# FFmpeg's two passes, the measurement handed from the first to the second
cat >"$D/ff2pass.sh" <<'EOF'
in=$1 out=$2
ffmpeg -nostdin -hide_banner -nostats -i "$in" -af loudnorm=I=-16:TP=-1:print_format=json -f null - 2>&1 |
	sed -n '/^{/,/^}/p' >"$out.json" || exit 1
v() { awk -F'"' -v k="$1" '$2 == k {print $4}' "$out.json"; }
ffmpeg -nostdin -v error -y -i "$in" -af "loudnorm=I=-16:TP=-1:measured_I=$(v input_i):measured_TP=$(v input_tp):measured_LRA=$(v input_lra):measured_thresh=$(v input_thresh):offset=$(v target_offset):linear=true:print_format=none" \
	-ar 48000 -c:a pcm_f32le "$out"
EOF
bench_load

bench_row "loudnorm-vs-ffmpeg-loudnorm-2pass(10min,stereo,-16LUFS,-1dBTP)" \
	"loudnorm -t -16 --true-peak -1 $IN -o $D/ours.wav" ffmpeg \
	"sh $D/ff2pass.sh $IN $D/theirs.wav" ">= 3"
bench_row "loudnorm-measure-vs-ffmpeg-ebur128(10min,stereo,true peak)" \
	"loudnorm --measure $IN >/dev/null" ffmpeg \
	"ffmpeg -nostdin -hide_banner -nostats -i $IN -af ebur128=peak=true -f null - 2>/dev/null" ">= 1"
rm -f "$D/ours.wav" "$D/theirs.wav" "$D/theirs.wav.json"
