# bench: micro-sampling. cutapply against cat on the same 10-minute stream,
# memory on long sources, cutgen/parse speed for a 360,000-cut list.
set -eu
D=$SHARDS_BENCH_TMP/micro
mkdir -p "$D"
cd "$D"
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }  # "seconds maxrss_kb"
secs() { echo "$1" | cut -d' ' -f1; }
rss() { echo "$1" | awk '{printf "%.1f", $2 / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

[ -s ten.au ] || sox -n -r 48000 -c 2 -e floating-point -b 32 -t au ten.au synth 600 pinknoise gain -6
cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 --slice 1s ten.au -o id.json
cutgen --seed 1 --slice 40ms --shuffle 1 --stutter 0.2 --reverse 0.2 ten.au -o shuf.json
best() { # best of three wall times of a shell pipeline
	b=999
	for i in 1 2 3; do
		s=$(/usr/bin/time -f %e sh -c "$1" 2>&1 >/dev/null | tail -1)
		b=$(awk -v a="$s" -v b="$b" 'BEGIN { print (a < b ? a : b) }')
	done
	echo "$b"
}
c=$(best "cat ten.au | cat >/dev/null")
i=$(best "cat ten.au | cutapply id.json - >/dev/null")
s=$(best "cat ten.au | cutapply shuf.json - >/dev/null")
echo "bench: cutapply identity, 10 min 48 kHz stereo AU on a pipe: shards ${i}s, cat ${c}s, ratio $(ratio "$i" "$c") (target <= 2)"
echo "bench: cutapply 40 ms shuffle, same stream: shards ${s}s, cat ${c}s, ratio $(ratio "$s" "$c") (target <= 2)"

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

# video: cutapply on 1080p y4m against cat
[ -s hd.y4m ] || ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=30 -t 4 -pix_fmt yuv420p -f yuv4mpegpipe hd.y4m
cutgen --seed 1 --fps 30 --slice 1s --shuffle 0 --stutter 0 --reverse 0 --duration 4 -o vid.json
cutgen --seed 1 --fps 30 --slice 2f --shuffle 1 --duration 4 -o vshuf.json
c=$(best "cat hd.y4m | cat >/dev/null")
i=$(best "cutapply vid.json hd.y4m | cat >/dev/null")
s=$(best "cutapply vshuf.json hd.y4m | cat >/dev/null")
p=$(best "cat hd.y4m | cutapply vshuf.json - | cat >/dev/null")
echo "bench: cutapply identity on 4 s of 1080p y4m (file): shards ${i}s, cat ${c}s, ratio $(ratio "$i" "$c") (target <= 2)"
echo "bench: cutapply 2-frame shuffle on 1080p y4m (file): shards ${s}s, cat ${c}s, ratio $(ratio "$s" "$c") (target <= 2)"
echo "bench: cutapply 2-frame shuffle on 1080p y4m (pipe, 356 MiB, spools past 256): shards ${p}s, cat ${c}s, ratio $(ratio "$p" "$c")"
