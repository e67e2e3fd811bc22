# AV lockstep: one cut list cuts audio and y4m video at the same instants.
# A generated clip carries its frame number in every frame (and flashes on every
# tenth frame, with a click in the audio at that instant); after a shuffle /
# stutter / reverse list, every output frame must show the source frame the list
# says, and every click must land within one frame of its flash.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

cat >gen.py <<'PY'
import sys, struct
fps_num, fps_den, rate, nframes = map(int, sys.argv[1:5])
W, H = 32, 16
with open("v.y4m", "wb") as f:
    f.write(b"YUV4MPEG2 W%d H%d F%d:%d Ip A1:1 C420jpeg XSHARDS=test\n" % (W, H, fps_num, fps_den))
    for i in range(nframes):
        flash = i % 10 == 3
        y = bytearray([235 if flash else 16]) * (W * H)
        y[0], y[1] = i & 0xff, i >> 8
        f.write(b"FRAME\n" + bytes(y) + bytes([128]) * (2 * (W // 2) * (H // 2)))
n = round(nframes * rate * fps_den / fps_num)
s = [0.0] * n
for i in range(nframes):
    if i % 10 == 3:
        k = round((i + 0.5) * rate * fps_den / fps_num)  # mid-frame
        if k < n: s[k] = 0.9
with open("a.au", "wb") as f:
    f.write(struct.pack(">6I", 0x2e736e64, 28, 0xffffffff, 6, rate, 1) + b"\0" * 4)
    f.write(struct.pack(">%df" % n, *s))
PY

cat >verify.py <<'PY'
import sys, json, struct
fps_num, fps_den, rate = map(int, sys.argv[1:4])
fps = fps_num / fps_den
cl = json.load(open("cuts.json"))
def frames(path):
    data = open(path, "rb").read()
    head, rest = data.split(b"\n", 1)
    W = int([t for t in head.split() if t.startswith(b"W")][0][1:])
    H = int([t for t in head.split() if t.startswith(b"H")][0][1:])
    size = W * H + 2 * (W // 2) * (H // 2)
    out = []
    while rest:
        line, rest = rest.split(b"\n", 1)
        out.append(rest[:size]); rest = rest[size:]
    return head, out
head_in, src = frames("v.y4m")
head, got = frames("out.y4m")
errors = []
if head != head_in: errors.append("header changed: %r" % head)
# the expected frame sequence, computed independently from the list
exp, cum, prev = [], 0.0, 0
for c in cl["cuts"]:
    cum += c["dur"]
    nxt = int(cum * fps + 0.5); n = nxt - prev; prev = nxt
    s = int(c.get("src", 0) * fps + 0.5)
    for j in range(n):
        exp.append(None if c.get("silence") else (s + n - 1 - j if c.get("reverse") else s + j))
if len(exp) != len(got): errors.append("frame count %d, expected %d" % (len(got), len(exp)))
for j, (e, g) in enumerate(zip(exp, got)):
    idx = g[0] | g[1] << 8
    if e is None:
        if g[2] != 16: errors.append("frame %d: dropped piece not black" % j)
    elif idx != e: errors.append("frame %d shows source frame %d, list says %d" % (j, idx, e))
flash = [g[2] == 235 for g in got]
a = open("out.au", "rb").read()[28:]
smp = struct.unpack(">%df" % (len(a) // 4), a)
if abs(len(smp) / rate - len(got) / fps) > 1 / fps: errors.append("audio %.4fs vs video %.4fs" % (len(smp) / rate, len(got) / fps))
clicks = [k for k, v in enumerate(smp) if v > 0.5]
for k in clicks:
    f = k * fps / rate
    near = [j for j in range(int(f) - 1, int(f) + 2) if 0 <= j < len(flash) and flash[j]]
    if not near: errors.append("click at %.4fs (frame %.2f) has no flash within a frame" % (k / rate, f))
nflash = sum(flash)
if nflash and not clicks: errors.append("flashes but no clicks")
print("%d frames, %d flashes, %d clicks" % (len(got), nflash, len(clicks)))
for e in errors[:5]: print(e)
sys.exit(1 if errors else 0)
PY

for fps in 24/1 25/1 30/1 30000/1001; do
	num=${fps%/*} den=${fps#*/}
	for rate in 44100 48000; do
		python3 gen.py "$num" "$den" "$rate" 90
		cutgen --seed 11 --fps "$fps" --slice 3f --shuffle 0.7 --stutter 0.3 --reverse 0.3 --drop 0.1 a.au >cuts.json
		cutapply cuts.json a.au >out.au
		cutapply cuts.json v.y4m >out.y4m
		check "lockstep at $fps fps, $rate Hz: frames as listed, clicks on flashes" python3 verify.py "$num" "$den" "$rate"
	done
done
# a chained list keeps lockstep too, and video trickling through a pipe gives the same frames
python3 gen.py 30000 1001 44100 90
cutgen --seed 3 --fps 30000/1001 --slice 2f --shuffle 0.5 a.au | cutgen --seed 4 --slice 5f --stutter 0.5 --reverse 0.5 >cuts.json
cutapply cuts.json a.au >out.au
trickle 13 2 <v.y4m | cutapply cuts.json - >out.y4m
check "lockstep survives chaining and a trickling video pipe" python3 verify.py 30000 1001 44100
cutapply --memory 1 cuts.json - <v.y4m >spooled.y4m
same_file "y4m spooled to a temporary file renders the same" spooled.y4m out.y4m
cutapply --drop hold cuts.json v.y4m >hold.y4m
check "--drop hold keeps the frame count" test "$(grep -c FRAME hold.y4m)" -eq "$(grep -c FRAME out.y4m)"
check_fail "cut past the end of a video" 1 'past the source' sh -c 'cutgen --seed 1 --duration 9 | cutapply - v.y4m'
head -c 3000 v.y4m >trunc.y4m
check_fail "truncated video frame" 1 'truncat' cutapply cuts.json trunc.y4m
