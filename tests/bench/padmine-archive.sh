# bench: padmine over an archive folder of 24 recordings of 20 s (48 kHz stereo,
# in three folders): a run over the unchanged archive (its export folder's state
# says so: nothing opened) and one after every file was touched (each read once
# for its hash, none mined) against the first run that mines them all; and the
# four shares of --shard side by side (GNU parallel) against one run.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/padmine-archive
mkdir -p "$D"
cd "$D" || exit 1

if [ ! -s arch/c/f24.wav ]; then
	mkdir -p arch/a arch/b arch/c
	sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
	sox kick.wav kick.wav kick.wav kick.wav kick.wav kick.wav kick.wav kick.wav drums.wav # 2 s
	for i in $(seq 24); do
		f=$((110 + 10 * i))
		sox -n -r 48000 -c 2 p.wav synth 12 sine $f sine $((f * 5 / 4)) tremolo 0.$((i % 9 + 1)) 20 gain -12
		sox -n -r 48000 -c 2 n.wav synth 4 pinknoise lowpass $((300 * i)) gain -20
		sox drums.wav p.wav drums.wav n.wav "arch/$(echo abc | cut -c$((i % 3 + 1)))/f$i.wav" # 20 s
	done
	rm -f kick.wav drums.wav p.wav n.wav
fi

bench_load
[ -d ex ] || padmine -d ex arch
bench_row "padmine -d over 24 sources of 20 s: a re-run over the unchanged archive against the first run" \
	"padmine -d ex arch" "first run" "rm -rf first && padmine -d first arch" ">= 20"
bench_row "padmine -d, every source touched (hashed, not mined) against the first run" \
	"touch arch/*/*.wav && padmine -d ex arch" "first run" "rm -rf first && padmine -d first arch" ">= 5"
if command -v parallel >/dev/null; then
	bench_row "padmine -d, four --shard runs side by side (GNU parallel, -j 1 each) against one run" \
		"rm -rf sh && parallel --will-cite padmine -j 1 -d sh --shard {}/4 arch ::: 1 2 3 4" \
		"one run" "rm -rf one && padmine -d one arch"
	(cd sh && find . -type f | LC_ALL=C sort | xargs md5sum) >sh.sums
	(cd one && find . -type f | LC_ALL=C sort | xargs md5sum) >one.sums
	cmp -s sh.sums one.sums && echo "bench: padmine-archive: the four shares wrote the folder one run writes" ||
		echo "bench: padmine-archive: FAILED: the shares and one run wrote different folders"
fi
