# avglitch: one command for cutgen --fps | cutapply | avbond | avmux. Every frame
# is the bonded frame the cut list maps it to (checked against avbond | cutapply,
# lossless), the sound is cutapply's, the lengths agree; --cutlist, --keep, a
# still and a clip; same seed, same bytes; bad input leaves nothing behind.
. "$(dirname "$0")/lib.sh"
cd "$W"
# the frames of a video file as y4m (4:2:0), and each frame's mean Y, Cb, Cr
cat >means <<'PY'
#!/usr/bin/python3
import sys
d = open(sys.argv[1], 'rb').read()
head, _, rest = d.partition(b'\n')
t = dict((x[:1], x[1:]) for x in head.split()[1:])
w, h = int(t[b'W']), int(t[b'H']); cw, ch = (w+1)//2, (h+1)//2
fs = w*h + 2*cw*ch; p = 0
while p < len(rest):
    nl = rest.index(b'\n', p); f = rest[nl+1:nl+1+fs]
    y, u, v = f[:w*h], f[w*h:w*h+cw*ch], f[w*h+cw*ch:]
    print(round(sum(y)/len(y)), round(sum(u)/len(u)), round(sum(v)/len(v)))
    p = nl + 1 + fs
PY
# two sounds agree after the encoder's delay: their 20 ms energy envelopes
# (correlation above 0.98) and their waveforms (above 0.9), in mono
cat >envelope <<'PY'
#!/usr/bin/python3
import sys, numpy as np
a, b = (np.fromfile(f, dtype='<f4').reshape(-1, 2).mean(1) for f in sys.argv[1:3])
# the encoder's delay: the lag (0..2048 samples) where the waveforms match best
n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
x = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)[:2049]
lag = int(np.argmax(x))
b = b[lag:]
m = min(len(a), len(b)) // 960 * 960
ea, eb = (np.sqrt((s[:m].reshape(-1, 960) ** 2).mean(1)) for s in (a, b))
c = np.corrcoef(ea, eb)[0, 1]
w = np.corrcoef(a[:m], b[:m])[0, 1]
print(lag, c, w)
sys.exit(0 if c > 0.98 and w > 0.9 and abs(len(a) - len(b)) < 2048 else 1)
PY
chmod +x means envelope
PATH=$W:$PATH
frames() { ff -vsync 0 -i "$1" -f yuv4mpegpipe -pix_fmt yuv420p -strict -1 "$2"; }
dur() { ffprobe -v error -select_streams "$2" -show_entries stream=duration -of csv=p=0 "$1"; }
fast="--crf 0 --x264-preset ultrafast"

# four flat colours, and a sound with clicks at 0.5, 1.0 and 1.5 s
mkdir pics
ff -f lavfi -i color=red:s=64x48 -f lavfi -i color=lime:s=64x48 -f lavfi -i color=blue:s=64x48 \
	-f lavfi -i color=white:s=64x48 -map 0 -frames:v 1 pics/red.png -map 1 -frames:v 1 pics/lime.png \
	-map 2 -frames:v 1 pics/blue.png -map 3 -frames:v 1 pics/white.png
ff -f lavfi -i "aevalsrc='0.9*sin(2*PI*2000*t)*exp(-40*mod(t,0.5))*gte(t,0.5)+0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)':s=48000:d=2" clicks.wav
sox -n -r 48000 -c 2 other.wav synth 2 sine 500 sine 700

# the chain it replaces, by hand
cutgen --fps 30 --seed 7 -S 0.6 -t 0.3 -R 0.2 clicks.wav -o chain.json
cutapply chain.json clicks.wav -o chain.wav
avbond -r 30 clicks.wav pics | cutapply chain.json - >chain.y4m
avmux $fast -o chain.mkv chain.wav chain.y4m

check "folder" avglitch --seed 7 $fast -S 0.6 -t 0.3 -R 0.2 --keep kept -o out.mkv clicks.wav pics
check "the same cut list as cutgen --fps 30 with the seed" sh -c 'test "$(jq -c .cuts kept/cuts.json)" = "$(jq -c .cuts chain.json)"'
same_file "the same file as the four commands, byte for byte" out.mkv chain.mkv
# every frame independently: avbond | cutapply with the kept list, decoded lossless
avbond -r 30 clicks.wav pics | cutapply kept/cuts.json - >want.y4m
frames out.mkv got.y4m
means want.y4m >want.txt; means got.y4m >got.txt
check "every frame is the bonded frame the list maps it to" cmp want.txt got.txt
check "the pictures switch (four colours shown)" test "$(sort -u got.txt | wc -l)" -ge 3
check "as many frames as the list at 30 fps" test "$(wc -l <got.txt)" -eq \
	"$(jq '[.cuts[].dur] | add * 30 + 0.5 | floor' kept/cuts.json)"
near "audio and video lengths agree within a frame" "$(dur out.mkv v:0)" "$(dur out.mkv a:0)" 0.0334
cutapply kept/cuts.json clicks.wav -o ref.wav && raw ref.wav ref.f32 && raw kept/cut.wav kc.f32
same_file "kept cut.wav is cutapply's" ref.f32 kc.f32
ff -i out.mkv -ac 2 -ar 48000 -f f32le dec.f32
check "the track's sound is the cut sound (energy envelope)" envelope ref.f32 dec.f32
check "the kept list is one cutinfo and cutapply take" sh -c 'cutinfo kept/cuts.json >/dev/null && cutapply kept/cuts.json clicks.wav >/dev/null'

check "same seed again" avglitch --seed 7 $fast -S 0.6 -t 0.3 -R 0.2 -o again.mkv clicks.wav pics
same_file "same seed, same bytes" out.mkv again.mkv
avglitch -v $fast -o picked.mp4 clicks.wav pics 2>picked.err
check "a picked seed is printed with -v" grep -Eq '^avglitch: seed [0-9]+$' picked.err
check "and carried in the file's comment" sh -c "ffprobe -v error -show_entries format_tags=comment -of csv=p=0 picked.mp4 | grep -qx \"shards seed \$(sed -n 's/^avglitch: seed //p' picked.err)\""

# a saved list on new material
check "--cutlist on other audio" avglitch $fast --cutlist kept/cuts.json --keep k2 -o new.mkv other.wav pics
avbond -r 30 other.wav pics | cutapply kept/cuts.json - | means /dev/stdin >want2.txt
frames new.mkv got2.y4m; means got2.y4m >got2.txt
check "--cutlist: every frame as avbond | cutapply" cmp want2.txt got2.txt
check "--cutlist: that list kept as it was" sh -c 'test "$(jq -c .cuts k2/cuts.json)" = "$(jq -c .cuts kept/cuts.json)"'
sox other.wav short.wav trim 0 1
check "--cut-fit scale fits it to a shorter sound" avglitch $fast --cutlist kept/cuts.json --cut-fit scale -o scaled.mkv short.wav pics
check_fail "--cutlist with --shuffle is refused" 2 'give one or the other' avglitch --cutlist kept/cuts.json -S 0.3 -o x.mp4 clicks.wav pics

# a still, and a clip whose frames tell their number
check "a still" avglitch --seed 3 $fast -R 0.5 -d 0.3 -o still.mkv clicks.wav pics/red.png
check "still: one colour, black where pieces drop" test "$(frames still.mkv s.y4m && means s.y4m | sort -u | wc -l)" -le 2
ff -f lavfi -i "nullsrc=s=64x48:r=30,format=yuv420p,geq=lum='16+4*N':cb=128:cr=128" -t 1 clip.mp4 -c:v libx264 -qp 0
check "a clip" avglitch --seed 3 $fast -R 0.5 --keep k3 -o clip.mkv clicks.wav clip.mp4
avbond -r 30 clicks.wav clip.mp4 | cutapply k3/cuts.json - | means /dev/stdin >want3.txt
frames clip.mkv got3.y4m; means got3.y4m >got3.txt
check "clip: every frame as avbond | cutapply" cmp want3.txt got3.txt
check "clip: frames spooled to a file give the same bytes" sh -c "avglitch --seed 3 $fast -R 0.5 --memory 1 -o clip2.mkv clicks.wav clip.mp4 && cmp clip.mkv clip2.mkv"

# bad input: one line, a non-zero status, no output left behind
mkdir empty
echo "not audio" >bad.wav
cutgen --duration 5 --fps 30 --seed 1 -o long.json
check_fail "missing visual" 1 'avglitch: nope.png: No such file' avglitch -o bad.mp4 clicks.wav nope.png
check_fail "empty folder" 1 'avglitch: empty: no pictures in the folder' avglitch -o bad.mp4 clicks.wav empty
check_fail "unreadable audio" 1 'avglitch: bad.wav: ' avglitch -o bad.mp4 bad.wav pics
check_fail "a cut list longer than the audio" 1 "reaches past the source's end.*--cut-fit" avglitch --cutlist long.json --keep badkeep -o bad.mp4 clicks.wav pics
check_fail "-o without a known extension" 2 'unknown container' avglitch -o bad.avi clicks.wav pics
check_fail "no -o" 2 'no output file' avglitch clicks.wav pics
check "no output file left behind (nor the --keep folder)" sh -c 'test -z "$(ls -A | grep -E "^bad\\.(mp4|avi)|^\\.bad|^badkeep")"'
