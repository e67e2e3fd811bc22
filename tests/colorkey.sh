# colorkey: a generated scene with a known key colour is removed where expected
# (pixel checks) in every mode; layers of other sizes are scaled; seeds and
# --replay reproduce the bytes; bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
# px FILE FRAME X Y -> "Y U V" of that pixel (4:2:0, 4:4:4 or mono)
cat >px <<'PY'
#!/usr/bin/env python3
import sys
d = open(sys.argv[1], 'rb').read(); k, x, y = map(int, sys.argv[2:5])
head, _, rest = d.partition(b'\n')
t = dict((a[:1], a[1:]) for a in head.split()[1:])
w, h, c = int(t[b'W']), int(t[b'H']), t.get(b'C', b'420jpeg')
sx, sy = (0, 0) if c == b'444' else (1, 1)
cw, ch = (w + sx) >> sx, (h + sy) >> sy
cs = 0 if c == b'mono' else cw * ch
fs = w * h + 2 * cs
p = 0
for i in range(k + 1):
    nl = rest.index(b'\n', p); f = rest[nl + 1:nl + 1 + fs]; p = nl + 1 + fs
if cs:
    print(f[y * w + x], f[w * h + (y >> sy) * cw + (x >> sx)], f[w * h + cs + (y >> sy) * cw + (x >> sx)])
else:
    print(f[y * w + x])
PY
chmod +x px
PATH=$W:$PATH
# pixel within 3 of the wanted Y U V
is() { _f=$1 _k=$2 _x=$3 _y=$4; shift 4; set -- $(px "$_f" "$_k" "$_x" "$_y") $*
	awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v e="$5" -v f="$6" \
		'function ab(x) { return x < 0 ? -x : x } BEGIN { exit !(ab(a-d) <= 3 && ab(b-e) <= 3 && ab(c-f) <= 3) }'; }
BLUE="41 240 110"; RED="81 90 240"; WHITE="235 128 128"; GREY="126 128 128"

ff -f lavfi -i color=blue:s=160x120:r=25:d=2 -pix_fmt yuv420p bottom.y4m
# green screen with a red square at 40..79 x 40..79
ff -f lavfi -i "color=0x00FF00:s=160x120:r=25:d=2,drawbox=x=40:y=40:w=40:h=40:c=red:t=fill" -pix_fmt yuv420p green.y4m
ff -f lavfi -i "color=black:s=160x120:r=25:d=2,drawbox=x=40:y=40:w=40:h=40:c=white:t=fill" -pix_fmt yuv420p dark.y4m
# grey still background, a white square moving right 2 px a frame
ff -f lavfi -i "color=gray:s=160x120:r=25:d=2[bg];color=white:s=20x20:r=25:d=2[fg];[bg][fg]overlay=x='50*t':y=40" \
	-pix_fmt yuv420p moving.y4m
ff -f lavfi -i "color=0x00FF00:s=320x240:r=25:d=2,drawbox=x=80:y=80:w=80:h=80:c=red:t=fill" -c:v libx264 -qp 0 big.mp4

check "fixed: green keyed" sh -c 'colorkey -m fixed -c 0x00FF00 -S 0.2 -B 0 bottom.y4m green.y4m >fixed.y4m'
check "fixed: frame count kept (50)" test "$(grep -c FRAME fixed.y4m)" -eq 50
check "fixed: corner shows the bottom layer" is fixed.y4m 0 5 5 $BLUE
check "fixed: square stays red" is fixed.y4m 10 60 60 $RED
check "fixed: just outside the square is keyed" is fixed.y4m 10 36 60 $BLUE
check "fixed: last frame too" is fixed.y4m 49 150 110 $BLUE

check "kmeans: finds green and keys it" sh -c 'colorkey -v -m kmeans --seed 3 bottom.y4m green.y4m >km.y4m 2>km.err'
check "kmeans: dominant colour reported" grep -Eq 'key colour 0x0[0-2]F[D-F]0[0-2]' km.err
check "kmeans: corner shows the bottom layer" is km.y4m 0 5 5 $BLUE
check "kmeans: square stays red" is km.y4m 0 60 60 $RED

check "luminance: dark keyed (auto)" sh -c 'colorkey -m luminance -S 0.1 -B 0 bottom.y4m dark.y4m >lum.y4m'
check "luminance: black shows the bottom" is lum.y4m 0 5 5 $BLUE
check "luminance: white square stays" is lum.y4m 0 60 60 $WHITE
check "luminance bright: white keyed" sh -c 'colorkey -m luminance --luma bright -S 0.1 -B 0 bottom.y4m dark.y4m >lumb.y4m'
check "luminance bright: square shows the bottom" is lumb.y4m 0 60 60 $BLUE
check "luminance bright: black stays" is lumb.y4m 0 5 5 "16 128 128"

check "motion: still parts keyed" sh -c 'colorkey -m motion --window 5 --interval 5 -S 0.1 -B 0 bottom.y4m moving.y4m >mo.y4m'
check "motion: still background shows the bottom (frame 30)" is mo.y4m 30 150 100 $BLUE
check "motion: the moving square stays (frame 30)" is mo.y4m 30 70 50 $WHITE
check "motion: where the square was shows the bottom" is mo.y4m 30 10 50 $BLUE

check "layer of another size is scaled" sh -c 'colorkey -m fixed -c lime -S 0.2 -B 0 bottom.y4m big.mp4 >sc.y4m'
check "scaled: output keeps the bottom's size" sh -c 'head -1 sc.y4m | grep -q "W160 H120"'
check "scaled: square at the same place" is sc.y4m 0 60 60 $RED
check "scaled: corner keyed" is sc.y4m 0 5 5 $BLUE
check "--size scales every layer" sh -c 'colorkey -m fixed -c lime -s 320x240 bottom.y4m green.y4m | head -1 | grep -q "W320 H240"'
check "444 chroma" sh -c 'colorkey -C 444 -m fixed -c lime -S 0.2 -B 0 bottom.y4m green.y4m >c444.y4m && head -1 c444.y4m | grep -q C444'
check "444: corner keyed" is c444.y4m 0 5 5 $BLUE
check "mono" sh -c 'colorkey -C mono -m luminance --luma dark -S 0.1 -B 0 bottom.y4m dark.y4m >mono.y4m && head -1 mono.y4m | grep -q Cmono'
sed '1s/ F[^ ]*/ F-30:1/' green.y4m >negf.y4m
check_fail "a y4m layer with F-30:1 is refused, not played at 25 fps" 1 "negf.y4m: bad frame rate '-30:1'" colorkey -m fixed -c lime bottom.y4m negf.y4m
check_fail "...and on stdin" 1 "stdin: bad frame rate '-30:1'" sh -c 'colorkey -m fixed -c lime bottom.y4m - <negf.y4m'
check "y4m layer on stdin" sh -c 'colorkey -m fixed -c lime -S 0.2 -B 0 bottom.y4m - <green.y4m | cmp -s - fixed.y4m'
check "y4m layer on stdin in small random writes" sh -c 'trickle 900 4 <green.y4m | colorkey -m fixed -c lime -S 0.2 -B 0 bottom.y4m - | cmp -s - fixed.y4m'
check "preset classic-white keys white" sh -c 'colorkey --preset classic-white --seed 1 bottom.y4m dark.y4m >pw.y4m'
check "preset: the white square shows the bottom" is pw.y4m 0 60 60 $BLUE
check "a real photograph as the bottom layer" sh -c 'colorkey -m fixed -c lime -s 160x120 -d 1 /usr/share/backgrounds/gnome/wood-l.webp green.y4m >ph.y4m && test "$(grep -c FRAME ph.y4m)" -eq 25'
check "--duration loops the bottom" sh -c 'colorkey -m fixed -c lime -d 3 bottom.y4m green.y4m | grep -c FRAME | grep -qx 75'

# determinism and replay
ff -f lavfi -i testsrc2=s=160x120:r=25:d=3 -pix_fmt yuv420p busy.y4m
ff -f lavfi -i "mandelbrot=s=160x120:r=25" -t 3 -c:v libx264 -qp 0 mandel.mkv
run() { colorkey -m kmeans -S 0.1..0.5 -B 0..0.2 -t -k 4 --keys 2 -d 1 "$@" busy.y4m mandel.mkv green.y4m; }
run --seed 11 >s11a.y4m; run --seed 11 --record sess.json >s11b.y4m; run --seed 12 >s12.y4m
same_file "same seed, same bytes" s11a.y4m s11b.y4m
check "another seed, other bytes" sh -c '! cmp -s s11a.y4m s12.y4m'
check "session is JSON with three layers" test "$(jq '.layers | length' sess.json)" -eq 3
check "session records trims, colours, similarity and blend" \
	jq -e '.layers[1].start >= 0 and (.layers[1].key.colors | length) == 2 and .layers[2].key.similarity >= 0.1 and .layers[2].key.blend <= 0.2' sess.json
check "replay" sh -c 'colorkey --replay sess.json >replay.y4m'
same_file "replay is bit-exact" s11a.y4m replay.y4m
jq '.layers[1].key.similarity = 0.9' sess.json >edited.json
check "an edited session renders the edit" sh -c 'colorkey --replay edited.json >ed.y4m && ! cmp -s ed.y4m s11a.y4m'
check "motion session replays bit-exact" sh -c 'colorkey -m motion -S 0..0.3 --record ms.json bottom.y4m moving.y4m >m1.y4m && colorkey --replay ms.json | cmp -s - m1.y4m'

# threads (-j): the bytes never depend on them, through pipes as users run it,
# in every mode (kmeans and motion draw and sample on the main thread; the
# composite and the median are shared among the threads), 4:2:0, 4:4:4, mono
# and an odd size
for m in "-m fixed -c lime -S 0.2 -B 0.1 --seed 4" "-m kmeans -S 0.1..0.5 -B 0..0.2 --seed 4" "-m motion --window 5 --interval 3 -S 0..0.3 --seed 4" \
	"-m luminance -B 0.2 -C 444 --seed 4" "-m luminance --luma dark -C mono --seed 4" "-m kmeans --seed 9 -s 81x61" "-m kmeans --seed 9 -s 81x61 -C 422"; do
	cat busy.y4m | colorkey -j 1 $m - mandel.mkv moving.y4m 2>err | cat >j1.y4m
	cat busy.y4m | colorkey $m - mandel.mkv moving.y4m 2>/dev/null | cat >jd.y4m
	cat busy.y4m | colorkey -j 3 $m - mandel.mkv moving.y4m 2>/dev/null | cat >j3.y4m
	if [ -s j1.y4m ] && cmp -s j1.y4m jd.y4m && cmp -s j1.y4m j3.y4m; then pass "threads: -j 1 = default = -j 3 ($m)"
	else fail "threads: -j 1 = default = -j 3 ($m)" "$(cat err)"; fi
done
check "threads: -j 3 replays bit-exact" sh -c 'colorkey -j 3 --replay sess.json | cmp -s - s11a.y4m'
check "-j is in --help" sh -c 'colorkey --help | grep -q -- "-j, --jobs"'
check_fail "-j 0 is a usage error" 2 'colorkey: --jobs' colorkey -j 0 bottom.y4m green.y4m
rc=$( { colorkey -j 3 -m fixed -c lime bottom.y4m green.y4m 2>ep.err; echo $? >ep.rc; } | head -c 1000 >/dev/null; cat ep.rc)
if [ "$rc" = 0 ] && [ ! -s ep.err ]; then pass "-j 3: EPIPE is quiet, status 0"
else fail "-j 3: EPIPE is quiet, status 0" "status $rc: $(cat ep.err)"; fi

# bad input
check_fail "missing layer" 1 'colorkey: nope.mp4: No such file' colorkey bottom.y4m nope.mp4
check_fail "a directory" 1 'colorkey: \.: is a directory' colorkey bottom.y4m .
sox -n -r 48000 tone.wav synth 1 sine 440
check_fail "a layer without video" 1 'colorkey: tone.wav: no video stream' colorkey bottom.y4m tone.wav
check_fail "bad colour" 2 'colorkey: --colors:.*not a colour' colorkey -m fixed -c nocolour bottom.y4m green.y4m
check_fail "range outside 0..1" 2 'colorkey: -S: 0.5..2 is out of range 0..1' colorkey -S 0.5..2 bottom.y4m green.y4m
echo '{"format":"something"}' >bad.json
check_fail "not a session" 1 'bad.json: not a colorkey session' colorkey --replay bad.json
check_fail "replay with sources" 2 'takes its sources from the session' colorkey --replay sess.json bottom.y4m
echo "YUV4MPEG2 W99999 H10 F25:1 C420jpeg" >absurd.y4m
check_fail "absurd y4m dimensions" 1 'colorkey: absurd.y4m' colorkey bottom.y4m absurd.y4m
check "no output file on error" sh -c '! colorkey -o out.y4m bottom.y4m tone.wav 2>/dev/null && test ! -e out.y4m'

# fuzz the session parser: 60 mutations of a real session (values swapped for
# other types, keys dropped, bytes flipped) must each end in 0, 1 or 2, never a crash
python3 - sess.json <<'PY'
import json, random, sys
random.seed(5)
base = open(sys.argv[1]).read()
doc = json.loads(base)
junk = [None, -1, 1e308, "x", [], {}, True, 0, 99999, "0xZZZZZZ", -0.5, 2.0]
def paths(o, p=()):
    yield p
    if isinstance(o, dict):
        for k, v in o.items(): yield from paths(v, p + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o): yield from paths(v, p + (i,))
allp = [p for p in paths(doc) if p]
for i in range(60):
    if i % 3 == 2:
        b = bytearray(base.encode())
        for _ in range(random.randint(1, 8)):
            b[random.randrange(len(b))] = random.randrange(256)
        open('fz%d.json' % i, 'wb').write(bytes(b)); continue
    d = json.loads(base); p = random.choice(allp); o = d
    for k in p[:-1]: o = o[k]
    if i % 3 == 0: o[p[-1]] = random.choice(junk)
    else: del o[p[-1]]
    open('fz%d.json' % i, 'w').write(json.dumps(d))
PY
crashes=0
for i in $(seq 0 59); do
	timeout 60 colorkey --replay fz$i.json >/dev/null 2>fz.err
	rc=$?
	if [ $rc -gt 2 ]; then crashes=$((crashes + 1)); echo "# fz$i.json: status $rc: $(head -c 200 fz.err)"; fi
done
check "60 mutated sessions: no crash, no hang" test "$crashes" -eq 0
# a session names its sources from its own folder: it replays from anywhere
mkdir -p rec/sub elsewhere
run --seed 11 --record rec/sub/s.json >/dev/null
check "a session names its sources from its own folder" jq -e '.layers[0].source == "../../busy.y4m"' rec/sub/s.json
check "a session replays from another working directory, bit-exact" sh -c \
	'cd elsewhere && colorkey --replay ../rec/sub/s.json | cmp -s - ../s11a.y4m'
check "a session with an absolute name replays too" sh -c \
	"cd / && colorkey --replay '$W/rec/sub/s.json' | cmp -s - '$W/s11a.y4m'"
