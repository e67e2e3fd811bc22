# bench: padmine over eight recordings at once, -j 1 (one source after another)
# against the default (the cores): the speed-up of mining sources side by side.
# The material: 30 s each at 48 kHz stereo, drums around sustained chords, hiss
# or drones, so there is something to find and resampling to 44.1 kHz (-d) to do.
# Then the same rows with two busy loops running beside them.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/padmine
mkdir -p "$D"
cd "$D" || exit 1

if [ ! -s f8.wav ]; then
	sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
	sox -n -r 48000 -c 2 hat.wav synth 0.125 noise gain -12 highpass 7000 fade 0 0.125 0.1
	sox kick.wav hat.wav hat.wav kick.wav hat.wav hat.wav d1.wav
	sox d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav drums.wav # 8 s
	i=0
	for chord in "220 277.18 329.63" "196 246.94 293.66" "174.61 220 261.63" "146.83 185 220" \
		"261.63 329.63 392" "110 164.81 220" "233.08 293.66 349.23" "130.81 155.56 196"; do
		i=$((i + 1))
		set -- $chord
		sox -n -r 48000 -c 2 p$i.wav synth 14 sine "$1" sine "$2" synth 14 sine mix "$3" \
			tremolo 0.$i 20 gain -12 fade 0.05 14 0.05
		sox -n -r 48000 -c 2 n$i.wav synth 8 pinknoise lowpass $((1000 * i)) tremolo 0.3 10 gain -20
		sox drums.wav p$i.wav n$i.wav f$i.wav # 30 s
	done
	rm -f kick.wav hat.wav d1.wav drums.wav p?.wav n?.wav
fi
set -- f1.wav f2.wav f3.wav f4.wav f5.wav f6.wav f7.wav f8.wav

rows() {
	l=$1
	shift
	bench_row "padmine -d over 8 sources of 30 s, the default -j against -j 1$l" \
		"rm -rf dn && padmine -d dn $*" "-j 1" "rm -rf d1 && padmine -j 1 -d d1 $*" ">= 1.4"
	bench_row "padmine --report over the same 8 sources, the default -j against -j 1$l" \
		"padmine -R $* >/dev/null" "-j 1" "padmine -j 1 -R $* >/dev/null"
}
bench_load
rows "" "$@"
bench_busy_start
rows " (two busy loops beside)" "$@"
bench_busy_stop
cmp -s d1/manifest.csv dn/manifest.csv && echo "bench: padmine: -j 1 and the default wrote the same manifest" ||
	echo "bench: padmine: FAILED: -j 1 and the default wrote different manifests"
