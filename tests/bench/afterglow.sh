# bench: the texture library over real music (Wesnoth's soundtrack, Ogg Vorbis):
#  - padmine -d over an hour of it against decoding the same files with sox
#    (`sox FILE -n`, one after another), target at most 3x, and its peak RSS
#    (target < 256 MiB);
#  - the afterglow recipe (afterglow.mk, -j2, default settings) over ten minutes
#    of it as SRC, with two 20 s excerpts as PADS and a drum loop as DRUMS:
#    target under 60 s; then the re-run, which has nothing to do.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/afterglow
mkdir -p "$D"
cd "$D" || exit 1
music=/usr/share/games/wesnoth/1.16/data/core/music
kit=/usr/share/hydrogen/data/drumkits/GMRockKit
if [ ! -d "$music" ]; then
	echo "bench: afterglow: Wesnoth's music is missing (wesnoth-1.16-music, tests/packages.txt)"
	exit 0
fi

# an hour: the soundtrack's files in name order until their length passes 3600 s
if [ ! -d hour ]; then
	mkdir hour
	total=0
	for f in "$music"/*.ogg; do
		[ "$total" -ge 3600 ] && break
		ln -s "$f" hour/
		total=$((total + $(soxi -D "$f" | cut -d. -f1)))
	done
fi
echo "# padmine: $(ls hour | wc -l) files, $(for f in hour/*; do soxi -D "$f"; done | awk '{ s += $1 } END { printf "%.0f", s }') s of Ogg Vorbis"
bench_load
bench_row "padmine -d over an hour of music against decoding it (sox FILE -n)" \
	"rm -rf ex && padmine -d ex hour" "sox-decode" "for f in hour/*; do sox \"\$f\" -n; done" ">= 0.33"
rss=$(rm -rf ex && /usr/bin/time -f %M padmine -d ex hour 2>&1 >/dev/null | tail -1)
echo "bench: padmine -d over an hour of music: peak RSS $((rss / 1024)) MiB (target < 256)"

# ten minutes of music for the recipe, two pad sources, a drum loop
if [ ! -d src ]; then
	mkdir -p src pads drums
	i=0 total=0
	for f in "$music"/*.ogg; do # two minutes of each (or all of a shorter one) up to ten
		[ "$total" -ge 600 ] && break
		i=$((i + 1))
		sox "$f" "src/s$i.wav" trim 0 "$((600 - total < 120 ? 600 - total : 120))" 2>/dev/null
		total=$((total + $(soxi -D "src/s$i.wav" | cut -d. -f1)))
	done
	sox "$music/$(ls "$music" | sed -n 10p)" pads/p1.wav trim 30 20
	sox "$music/$(ls "$music" | sed -n 20p)" pads/p2.wav trim 30 20
	sox "$kit/24Ride-3.wav" -r 44100 -c 2 r.wav trim 0 0.25 pad 0 0.25
	sox r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav r.wav drums/loop.wav
	rm -f r.wav
fi
MK="make -s -f $SHARDS_TOP/share/shards/recipes/afterglow.mk CONF=$D/afterglow.conf SRC=src PADS=pads DRUMS=drums"
rm -rf export
t0=$(date +%s.%N)
$MK OUT=export -j2 >/dev/null 2>recipe.err || echo "bench: afterglow: FAILED: $(tail -3 recipe.err)"
t1=$(date +%s.%N)
$MK OUT=export -j2 >/dev/null 2>&1
t2=$(date +%s.%N)
echo "bench: afterglow.mk -j2 over $(for f in src/*.wav; do soxi -D "$f"; done | awk '{ s += $1 } END { printf "%.0f", s }') s of music ($(find export -name '*.wav' | wc -l) files): $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s (target < 60)"
echo "bench: afterglow.mk re-run with nothing to do: $(awk "BEGIN { printf \"%.1f\", $t2 - $t1 }") s"
