# bench: loopify's seam search through its FFT against the direct correlation it
# replaced (--seam-method direct: every end summed in full), both at
# --seam-search 200 --crossfade 2000 (ms: 17641 ends, 88200 samples compared at
# 44.1 kHz). Whole runs, output to /dev/null, on WAV excerpts decoded beforehand:
# 12 s of real music (wesnoth-1.16-music) and a held chord (sox), so reading,
# writing and starting are the same on both sides and the search is what differs
# (the FFT's side also pays FFTW's first plan, some 10 ms).
# Target: the FFT at least 20 times faster. Then both searches must have chosen
# the same end.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/loopify
mkdir -p "$D"
cd "$D" || exit 1

M=/usr/share/games/wesnoth/1.16/data/core/music
if [ ! -s music.wav ]; then
	if [ -f "$M/battle.ogg" ]; then sox "$M/battle.ogg" music.wav trim 60 12
	else sox -R -n -r 44100 -c 2 music.wav synth 12 pinknoise synth 12 sine mix 110 gain -12; fi
fi
[ -s chord.wav ] || sox -R -n -r 44100 -c 2 chord.wav synth 12 sine 220 sine 277.18 synth 12 sine mix 329.63 \
	tremolo 0.5 20 gain -12

O="--seam-search 200 --crossfade 2000"
bench_load
for f in music chord; do
	what="loopify $O on 12 s of $f"
	[ "$f" = music ] && [ -f "$M/battle.ogg" ] && what="$what (wesnoth's battle.ogg)"
	bench_row "$what, the FFT search against the direct one" \
		"loopify $O $f.wav >/dev/null 2>&1" "direct" \
		"loopify --seam-method direct $O $f.wav >/dev/null 2>&1" ">= 20"
	loopify --json $O $f.wav | jq -c '{offset, seam_error}' >fft.json
	loopify --json --seam-method direct $O $f.wav | jq -c '{offset, seam_error}' >direct.json
	cmp -s fft.json direct.json &&
		echo "bench: loopify: $f: the FFT and the direct search chose the same end $(cat fft.json)" ||
		echo "bench: loopify: $f: FAILED: the FFT and the direct search chose different ends"
done
