# bench: hiss against sox doing the same work by hand: a minute of stereo noise
# hiss (white noise, a 4..15 kHz band, a 2.5 Hz tremolo), and a 2 s loop cut from
# a minute-long drum recording (where sox is only told where to cut; hiss tries
# eight places and keeps the fullest, and crossfades the seam), and 32 flicker
# bursts from the same drums (sox: one trim, filter and fade per burst).
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/hiss
mkdir -p "$D"
cd "$D" || exit 1

if [ ! -s drums.wav ]; then
	sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
	sox -n -r 48000 -c 2 hat.wav synth 0.125 noise gain -12 highpass 7000 fade 0 0.125 0.1
	sox kick.wav hat.wav hat.wav kick.wav hat.wav hat.wav d1.wav
	sox d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav d1.wav d8.wav
	sox d8.wav d8.wav d8.wav d8.wav d8.wav d8.wav d8.wav d8.wav drums.wav # 64 s
	rm -f kick.wav hat.wav d1.wav d8.wav
fi
# sox: a trim, a filter, a fade and a normalisation per burst, 2 s apart
SOX_BURSTS='i=0; while [ $i -lt 32 ]; do
	sox -V1 drums.wav -t au - trim $((i * 2)).1 0.2 sinc 4000-15000 fade t 0.01 0.2 0.05 norm -6; i=$((i + 1)); done'

bench_load
bench_row "hiss: a minute of stereo noise hiss, band and tremolo" \
	"hiss -d 60 --seed 1 | cat >/dev/null" "sox" \
	"sox -V1 -n -r 48000 -c 2 -t au - synth 60 whitenoise sinc 4000-15000 tremolo 2.5 50 norm -6 | cat >/dev/null"
bench_row "hiss: a 2 s loop from 64 s of drums" \
	"hiss --seed 1 drums.wav | cat >/dev/null" "sox" \
	"sox -V1 drums.wav -t au - trim 20 2 sinc 4000-15000 tremolo 2.5 50 norm -6 | cat >/dev/null"
bench_row "hiss: 32 flicker bursts from 64 s of drums" \
	"hiss -F 32 --seed 1 drums.wav | cat >/dev/null" "sox" \
	"{ $SOX_BURSTS; } | cat >/dev/null"
