# vscan: records match ffprobe, the cache is incremental (proved with a planted
# value that only survives when a file is not probed again), bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p lib/sub lib/.hidden
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=f=440:sample_rate=48000 \
	-t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest lib/a.mp4
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=160x120:rate=30000/1001 -t 1 -pix_fmt yuv420p lib/sub/b.y4m
ffmpeg -nostdin -loglevel error -f lavfi -i sine=f=220:sample_rate=44100 -t 1 -c:a aac lib/sub/voice.m4a
cp lib/a.mp4 lib/.hidden/c.mp4
echo "not a video" > lib/notes.txt

check "scan a folder" vscan --cache cache.jsonl -o out.jsonl lib
check "two records (hidden folder, audio-only and text files left out)" test "$(wc -l <out.jsonl)" -eq 2
check "records are sorted JSON Lines" sh -c 'jq -r .path out.jsonl | sort -c'
check "cache holds the same records" cmp out.jsonl cache.jsonl
for f in lib/a.mp4 lib/sub/b.y4m; do
	rec=$(jq -c --arg p "$f" 'select(.path == $p)' out.jsonl)
	w=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$f")
	h=$(ffprobe -v error -select_streams v:0 -show_entries stream=height -of csv=p=0 "$f")
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
	na=$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$f" | wc -l)
	check "$f: width as ffprobe" test "$(echo "$rec" | jq .width)" = "$w"
	check "$f: height as ffprobe" test "$(echo "$rec" | jq .height)" = "$h"
	near "$f: duration as ffprobe" "$(echo "$rec" | jq .duration)" "$d" 0.05
	check "$f: has_audio as ffprobe" test "$(echo "$rec" | jq .has_audio)" = "$([ "$na" -gt 0 ] && echo true || echo false)"
	check "$f: size as stat" test "$(echo "$rec" | jq .size)" = "$(stat -c %s "$f")"
done
check "fps as a rational" test "$(jq -r 'select(.path=="lib/sub/b.y4m") | .fps_rational' out.jsonl)" = 30000/1001
check "codecs named" test "$(jq -r 'select(.has_audio) | .vcodec + "+" + .acodec' out.jsonl)" = h264+aac
check "jq picks by resolution" test "$(jq -r 'select(.width >= 320) | .path' out.jsonl)" = lib/a.mp4

# Incremental: plant a value in the cache for both files, change one file, add one.
jq -c '.vcodec = "planted"' cache.jsonl >c2 && mv c2 cache.jsonl
sleep 0.01; cp lib/sub/b.y4m lib/sub/b2.y4m
touch -d '2001-01-01 00:00:00' lib/a.mp4
vscan -v --cache cache.jsonl lib >out2.jsonl 2>err2
check "second run: one changed + one new probed, one from the cache" grep -q '2 probed, 1 from the cache, 3 records' err2
check "unchanged file not probed again (planted value kept)" \
	test "$(jq -r 'select(.path=="lib/sub/b.y4m") | .vcodec' out2.jsonl)" = planted
check "changed file probed again" test "$(jq -r 'select(.path=="lib/a.mp4") | .vcodec' out2.jsonl)" = h264
check "new file probed" test "$(jq -r 'select(.path=="lib/sub/b2.y4m") | .vcodec' out2.jsonl)" = rawvideo
check "copies share the content hash" \
	test "$(jq -r 'select(.path|test("b2?.y4m")) | .hash' out2.jsonl | sort -u | wc -l)" -eq 1
check "hash differs between different files" \
	test "$(jq -r .hash out2.jsonl | sort -u | wc -l)" -eq 2
rm lib/sub/b2.y4m
vscan -v --cache cache.jsonl lib >out3.jsonl 2>err3
check "third run probes nothing" grep -q '0 probed, 2 from the cache, 2 records' err3
check "deleted file leaves the cache" test "$(wc -l <cache.jsonl)" -eq 2
check "no temporary files beside the cache" test "$(ls -A | grep -c cache)" -eq 1
# a record of another folder stays in the cache
mkdir other && cp lib/sub/b.y4m other/
vscan --cache cache.jsonl other >/dev/null
vscan --cache cache.jsonl lib >/dev/null
check "records of other folders stay in the cache" grep -q '"other/b.y4m"' cache.jsonl

# Bad input
check_fail "missing folder" 1 'vscan: nosuch: No such file or directory' vscan nosuch
echo junk >lib/broken.mp4
check_fail "broken video is reported and skipped" 1 'lib/broken.mp4: not a media file.*skipped' vscan -o out4.jsonl lib
check "the rest is still scanned" test "$(wc -l <out4.jsonl)" -eq 2
rm lib/broken.mp4
check_fail "audio-only file named explicitly" 1 'voice.m4a: no video stream' vscan lib/sub/voice.m4a
# several operands: each bad one is one line and skipped, the rest is scanned, status 1
echo junk >garbage.mp4
mkdir -p emptydir unreadable
vscan garbage.mp4 nosuch.mp4 lib/sub/b.y4m emptydir >out5.jsonl 2>err5
rc=$?
check "bad operands among good ones: status 1" test "$rc" -eq 1
check "the good file is still scanned" test "$(jq -r .path out5.jsonl)" = lib/sub/b.y4m
check "one line for the garbage file" test "$(grep -c 'garbage.mp4' err5)" -eq 1
check "one line for the missing file" test "$(grep -c 'nosuch.mp4: No such file or directory, skipped' err5)" -eq 1
check "two lines in all" test "$(wc -l <err5)" -eq 2
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 unreadable
	check_fail "an unreadable folder is one line" 1 'unreadable: Permission denied, skipped' vscan unreadable
	chmod 755 unreadable
fi
rm -f garbage.mp4
echo '{"nope":1}' >badcache.jsonl
cp badcache.jsonl badcache.orig
check_fail "malformed cache is an error" 1 'badcache.jsonl: line 1: not a vscan record' vscan --cache badcache.jsonl lib
same_file "malformed cache left untouched" badcache.jsonl badcache.orig
check_fail "no operand is a usage error" 2 'no folder or file' vscan

# fuzz the cache reader and the prober: mutated caches and damaged videos end
# in 0 or 1, never a crash
vscan --cache fz.jsonl lib >/dev/null
crashes=0
for i in $(seq 1 30); do
	python3 - fz.jsonl $i <<'PY' >fzc.jsonl
import random, sys
random.seed(int(sys.argv[2]))
b = bytearray(open(sys.argv[1], 'rb').read())
for _ in range(random.randint(1, 6)):
    b[random.randrange(len(b))] = random.choice(b'{}[]",:0x\n' + bytes([random.randrange(256)]))
sys.stdout.buffer.write(bytes(b))
PY
	timeout 60 vscan --cache fzc.jsonl lib >/dev/null 2>&1
	rc=$?; [ $rc -gt 1 ] && { crashes=$((crashes + 1)); echo "# cache mutation $i: status $rc"; }
	python3 - lib/a.mp4 $i <<'PY' >lib/dmg.mp4
import random, sys
random.seed(int(sys.argv[2]))
b = bytearray(open(sys.argv[1], 'rb').read())
if sys.argv[2] in ('1', '2'): b = b[:random.randrange(len(b))]
for _ in range(random.randint(1, 40)):
    b[random.randrange(len(b))] = random.randrange(256)
sys.stdout.buffer.write(bytes(b))
PY
	timeout 60 vscan lib/dmg.mp4 >/dev/null 2>&1
	rc=$?; [ $rc -gt 1 ] && { crashes=$((crashes + 1)); echo "# damaged video $i: status $rc"; }
done
rm -f lib/dmg.mp4
check "30 mutated caches and 30 damaged videos: no crash, no hang" test "$crashes" -eq 0
