# bench: drone against the chain a user would otherwise type: the rubberband
# command-line tool (its R3 "finer" engine, -3, as drone's default) into a
# temporary WAV, then sox applying the warm colour's filters (its three shelves
# and bell at amount 0.5: bass +2 dB at 150 Hz, +1 dB at 350 Hz, treble -5 dB at
# 6 kHz), each writing 24-bit WAV files on the same disk, from the same input:
# 30 s of a Wesnoth track (wesnoth-1.16-music) as a 44.1 kHz stereo WAV.
#  - one drone, stretched 4 times and a fifth up, warm;
#  - the design's set, 2 x 3 x 3 = 18 files: drone in one run (one stretch per
#    pair, handed to the three colours at once; pairs side by side on the
#    default -j, then on one thread) against rubberband once per pair and sox
#    once per colour (warm, airy, dark with the same shelves as the processors),
#    one after another as a shell loop runs them.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/drone
mkdir -p "$D"
cd "$D" || exit 1
music=/usr/share/games/wesnoth/1.16/data/core/music/transience.ogg
if [ ! -s in.wav ]; then
	if [ -f "$music" ]; then
		sox "$music" -b 16 in.wav trim 5 30 || exit 1
	else
		echo "# wesnoth-1.16-music missing: a generated chord instead"
		sox -n -r 44100 -c 2 -b 16 in.wav synth 30 sine 220 sine 277.18 synth 30 sine mix 329.63 tremolo 0.3 20 gain -12
	fi
fi
warm="bass 2 150 0.707q equalizer 350 0.7q 1 treble -5 6000 0.5q"
airy="treble 4 10000 0.707q bass -2 100 0.707q"
dark="treble -6 2500 0.8q treble -6 6000 0.8q equalizer 300 0.7q 1.5"
bench_load

bench_row "drone-one(30s,stereo,x4,+7,warm)-vs-rubberband+sox" \
	"drone -s 4 -P 7 -V warm --bits 24 in.wav -o one.wav 2>/dev/null" "rubberband+sox" \
	"rubberband -3 -q -t 4 -p 7 in.wav t.wav 2>/dev/null && sox t.wav -b 24 o.wav $warm && rm t.wav"

# shell loop of the other chain; one rubberband per pair, one sox per colour
cat >loop.sh <<EOF
mkdir -p rb && for s in 2 4; do for p in -12 0 7; do
	rubberband -3 -q -t \$s -p \$p in.wav t.wav 2>/dev/null || exit 1
	sox t.wav -b 24 rb/in_s\${s}_p\${p}_warm.wav $warm
	sox t.wav -b 24 rb/in_s\${s}_p\${p}_airy.wav $airy
	sox t.wav -b 24 rb/in_s\${s}_p\${p}_dark.wav $dark
done; done; rm -f t.wav
EOF
bench_row "drone-set(30s,stereo,2x3x3=18 files)-vs-rubberband+sox-loop" \
	"drone -d set -s 2,4 -P -12,0,7 -V warm,airy,dark in.wav 2>/dev/null" "rubberband+sox" \
	"sh loop.sh" ">= 1"
bench_row "drone-set(30s,stereo,2x3x3=18 files,-j 1)-vs-rubberband+sox-loop" \
	"drone -j 1 -d set1 -s 2,4 -P -12,0,7 -V warm,airy,dark in.wav 2>/dev/null" "rubberband+sox" \
	"sh loop.sh"
n=$(ls set | wc -l) m=$(ls rb | wc -l)
[ "$n" -eq 18 ] && [ "$m" -eq 18 ] && echo "bench: drone: both wrote 18 files" ||
	echo "bench: drone: FAILED: drone wrote $n files, the loop $m"
diffs=0
for f in set/*.wav; do cmp -s "$f" "set1/${f#set/}" || diffs=$((diffs + 1)); done
echo "bench: drone: the default -j and -j 1 wrote the same files ($diffs differ)"
rm -rf set set1 rb one.wav o.wav
