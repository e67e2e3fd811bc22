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

# best CMD: "WALL CPU", the best of 3 runs of "sh -c CMD" (CPU = user + system
# of every process in it, from GNU time; a fairer figure on a busy machine)
best() {
	bw= bc=
	for i in 1 2 3; do
		/usr/bin/time -f "%e %U %S" -o "$D/time" sh -c "$1" || { echo "failed: $1" >&2; return 1; }
		set -- "$1" $(tail -1 "$D/time")
		bw=$(echo "$2 ${bw:-}" | awk '{ t = $1; if ($2 != "" && $2 < t) t = $2; printf "%.3f", t }')
		bc=$(echo "$3 $4 ${bc:-}" | awk '{ t = $1 + $2; if ($3 != "" && $3 < t) t = $3; printf "%.3f", t }')
	done
	echo "$bw $bc"
}

line() { # WHAT OTHER "WALL CPU" "WALL CPU": one line for wall-clock time, one for CPU time
	echo "$1 $2 $3 $4" | awk '{
		printf "bench: %s (wall): shards %.3fs, %s %.3fs, ratio %.2f\n", $1, $3, $2, $5, $5 / $3
		printf "bench: %s (cpu): shards %.3fs, %s %.3fs, ratio %.2f\n", $1, $4, $2, $6, $6 / $4 }'
}

# specsmear: both read the WAV and write float AU to a pipe
t1=$(best "specsmear -b 0.5 -p 0.5 --seed 1 $IN | cat >/dev/null") &&
t2=$(best "ffmpeg -v error -i $IN -af \"afftfilt=real='re':imag='im':win_size=2048:overlap=0.75\" -f au -c:a pcm_f32be - | cat >/dev/null") &&
	line "specsmear-vs-afftfilt(10min,stereo,2048/75%)" "ffmpeg-afftfilt" "$t1" "$t2"

# stretch: the first minute of the same file, R3 (finer) engine, offline, ratio
# 1.25 and +2 semitones, both writing a 32-bit float WAV
IN60=$D/in60.wav
[ -s "$IN60" ] || sox "$IN" "$IN60" trim 0 60 || exit 1
t1=$(best "stretch -r 1.25 -p 2 $IN60 -o $D/stretch.wav") &&
t2=$(best "rubberband -q -3 -t 1.25 -p 2 $IN60 $D/rubberband.wav 2>/dev/null") &&
	line "stretch-vs-rubberband(60s,stereo,R3,x1.25,+2st)" "rubberband-cli" "$t1" "$t2"
rm -f "$D/stretch.wav" "$D/rubberband.wav"
