# bench: grade over N texture files (every measure, the grade and the manifest)
# against `sox FILE -n stat` on each of the same files (levels, rough
# frequency), one process a file as a shell loop would run it. The material:
# 40 files of 8 s at 44.1 kHz stereo, tones, chords and filtered noise.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/grade
N=${GRADE_BENCH_FILES:-40}
mkdir -p "$D"
cd "$D" || exit 1

if [ ! -s "t$N.wav" ]; then
	i=0
	while [ "$i" -lt "$N" ]; do
		i=$((i + 1))
		case $((i % 3)) in
		0) sox -n -r 44100 -c 2 "t$i.wav" synth 8 sine $((110 + 7 * i)) gain -12 ;;
		1) sox -n -r 44100 -c 2 "t$i.wav" synth 8 sine $((110 + 5 * i)) sine $((220 + 5 * i)) gain -14 ;;
		2) sox -n -r 44100 -c 2 "t$i.wav" synth 8 pinknoise lowpass $((500 + 100 * i)) gain -18 ;;
		esac
	done
fi
files=$(i=0; while [ "$i" -lt "$N" ]; do i=$((i + 1)); printf 't%d.wav ' "$i"; done)

bench_load
bench_row "grade over $N files of 8 s against sox stat on each" \
	"grade $files >/dev/null" "sox stat" "for f in $files; do sox \$f -n stat 2>/dev/null; done"
bench_row "grade --sheet over the same $N files against sox stat on each" \
	"grade --sheet sheet.png $files >/dev/null" "sox stat" "for f in $files; do sox \$f -n stat 2>/dev/null; done"
