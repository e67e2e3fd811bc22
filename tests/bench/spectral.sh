#!/bin/sh
# tests/bench/spectral.sh -- specsmear against ffmpeg's afftfilt at the same window
# (2048) and overlap (75%), and stretch against the rubberband CLI at the same
# settings, on the same 10-minute stereo file in one run; best of 3 runs each.
#   bench: WHAT: shards Xs, OTHER Ys, ratio R   (ratio = other / shards: >1 = faster)
set -u
D=${SHARDS_BENCH_TMP:-/tmp}/spectral
mkdir -p "$D"
IN=$D/in600.wav
if [ ! -s "$IN" ]; then
	# 10 minutes of 48 kHz stereo float: pink noise and a slowly beating chord
	sox -n -r 48000 -c 2 -e floating-point -b 32 "$IN" synth 600 pinknoise synth 600 sine mix 220 \
		synth 600 sine mix 331 tremolo 0.3 60 gain -12 || exit 1
fi

best() { # best wall time of 3 runs of "sh -c CMD"
	b=
	for i in 1 2 3; do
		s=$(date +%s.%N)
		sh -c "$1" || { echo "failed: $1" >&2; return 1; }
		e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-}" | awk '{ t = $2 - $1; if ($3 != "" && $3 < t) t = $3; printf "%.3f", t }')
	done
	echo "$b"
}

line() { # WHAT OTHER T_SHARDS T_OTHER
	echo "$1 $2 $3 $4" | awk '{ printf "bench: %s: shards %.3fs, %s %.3fs, ratio %.2f\n", $1, $3, $2, $4, $4 / $3 }'
}

# specsmear: both read the WAV and write float AU to a pipe
t1=$(best "specsmear -b 0.5 -p 0.5 --seed 1 $IN | cat >/dev/null") &&
t2=$(best "ffmpeg -v error -i $IN -af \"afftfilt=real='re':imag='im':win_size=2048:overlap=0.75\" -f au -c:a pcm_f32be - | cat >/dev/null") &&
	line "specsmear-vs-afftfilt(10min,stereo,2048/75%)" "ffmpeg-afftfilt" "$t1" "$t2"
