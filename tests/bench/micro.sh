# bench: micro-sampling. cutapply against cat on the same 10-minute stream, as a
# user runs it: from a pipe into a pipe (`cat ten.au | cutapply LIST - | cat`
# against `cat ten.au | cat | cat`), and from the file into a pipe (`cutapply
# LIST ten.au | cat` against `cat ten.au | cat`); then the same rows with two busy
# loops running beside them. Memory on long sources, cutgen/parse speed for a
# 360,000-cut list, and 1080p y4m against cat.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/micro
mkdir -p "$D"
cd "$D" || exit 1
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }  # "seconds maxrss_kb"
secs() { echo "$1" | cut -d' ' -f1; }
rss() { echo "$1" | awk '{printf "%.1f", $2 / 1024}'; }

[ -s ten.au ] || sox -n -r 48000 -c 2 -e floating-point -b 32 -t au ten.au synth 600 pinknoise gain -6
cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 --slice 1s ten.au -o id.json
cutgen --seed 1 --slice 40ms --shuffle 1 --stutter 0.2 --reverse 0.2 ten.au -o shuf.json

# the audio rows; $1 names the conditions
audio_rows() {
	bench_row "cutapply identity, 10 min 48 kHz stereo AU, pipe in and out$1" \
		"cat ten.au | cutapply id.json - | cat >/dev/null" cat "cat ten.au | cat | cat >/dev/null" ">= 0.67"
	bench_row "cutapply 40 ms shuffle, same stream, pipe in and out$1" \
		"cat ten.au | cutapply shuf.json - | cat >/dev/null" cat "cat ten.au | cat | cat >/dev/null" ">= 0.5"
	bench_row "cutapply identity, from the file into a pipe$1" \
		"cutapply id.json ten.au | cat >/dev/null" cat "cat ten.au | cat >/dev/null" ">= 0.67"
	bench_row "cutapply 40 ms shuffle, from the file into a pipe$1" \
		"cutapply shuf.json ten.au | cat >/dev/null" cat "cat ten.au | cat >/dev/null" ">= 0.5"
}
bench_load
audio_rows ""
bench_busy_start
audio_rows " (two busy loops beside)"
bench_busy_stop

# memory: a seekable 1-hour file is read in place; a long pipe spools
[ -s hour.au ] || sox -n -r 48000 -c 2 -e floating-point -b 32 -t au hour.au synth 3600 sine 220 gain -12
cutgen --seed 2 --slice 40ms --shuffle 1 hour.au -o hour.json
r=$(t cutapply hour.json hour.au)
echo "bench: cutapply 1-hour seekable source, 40 ms shuffle: $(secs "$r")s, peak RSS $(rss "$r") MiB (target < 64)"
cutgen --seed 2 --slice 1s --shuffle 1 --duration 1200 -o pipe.json
r=$(t sh -c 'head -c 460800028 hour.au | cutapply pipe.json -')
echo "bench: cutapply 20-minute piped source (439 MiB): $(secs "$r")s, peak RSS $(rss "$r") MiB (spools beyond 256 MiB)"

# a 360,000-cut list: 1 hour at 10 ms
r=$(t cutgen --seed 3 --slice 10ms --stutter 0 --duration 3600 -o big.json)
echo "bench: cutgen 1 hour at 10 ms ($(jq '.cuts | length' big.json) cuts): $(secs "$r")s (target well under 1)"
r=$(t cutinfo -q big.json)
echo "bench: parsing that list (cutinfo -q): $(secs "$r")s (target well under 1)"
r=$(t sh -c 'cutgen --seed 3 --slice 10ms --stutter 0 --duration 3600 | cutapply - hour.au')
echo "bench: cutgen | cutapply of that list over the 1-hour file: $(secs "$r")s"

# video: cutapply on 1080p y4m against cat, the same input and output paths
[ -s hd.y4m ] || ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=30 -t 4 -pix_fmt yuv420p -f yuv4mpegpipe hd.y4m
cutgen --seed 1 --fps 30 --slice 1s --shuffle 0 --stutter 0 --reverse 0 --duration 4 -o vid.json
cutgen --seed 1 --fps 30 --slice 2f --shuffle 1 --duration 4 -o vshuf.json
bench_row "cutapply identity on 4 s of 1080p y4m, from the file into a pipe" \
	"cutapply vid.json hd.y4m | cat >/dev/null" cat "cat hd.y4m | cat >/dev/null" ">= 0.5"
bench_row "cutapply 2-frame shuffle on 1080p y4m, from the file into a pipe" \
	"cutapply vshuf.json hd.y4m | cat >/dev/null" cat "cat hd.y4m | cat >/dev/null" ">= 0.5"
bench_row "cutapply 2-frame shuffle on 1080p y4m, pipe in and out (356 MiB, spools past 256)" \
	"cat hd.y4m | cutapply vshuf.json - | cat >/dev/null" cat "cat hd.y4m | cat | cat >/dev/null"
