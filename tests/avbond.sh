# avbond: length exact at every rate pair; stills (a real photograph, an SVG
# through ImageMagick), a folder switching at clicks or beats, a clip trimmed and
# looped; seeded shuffle; bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
# helpers as scripts, so that sh -c can call them too
cat >nframes <<'PY'
#!/usr/bin/env python3
import sys
print(open(sys.argv[1], 'rb').read().count(b'FRAME\n'))
PY
ln -sf "$SHARDS_TOP/tests/y4m_means.py" means # each frame's mean Y, Cb, Cr
chmod +x nframes
PATH=$W:$PATH
ff -f lavfi -i testsrc=s=96x64 -frames:v 1 still.png

for rate in 44100 48000; do
	sox -n -r $rate -c 2 a$rate.wav synth 1.2345 sine 300
	samples=$(sox a$rate.wav -n stat 2>&1 | awk '/Samples read/ {print $3 / 2}')
	for fps in 24 25 30 30000/1001; do
		want=$(awk -v s=$samples -v r=$rate -v f=$fps 'BEGIN { split(f, a, "/"); if (!a[2]) a[2] = 1;
			x = s * a[1] / (a[2] * r); print int(x + 0.5) }')
		avbond -r $fps a$rate.wav still.png >o.y4m
		check "$rate Hz at $fps fps: $want frames" test "$(nframes o.y4m)" -eq "$want"
	done
done
check "audio on stdin" sh -c 'sox a48000.wav -t au - | avbond -r 25 - still.png | head -1 | grep -q "W96 H64 F25:1"'

# a real photograph (gnome-backgrounds) and an SVG (desktop-base) through ImageMagick
photo=/usr/share/backgrounds/gnome/wood-l.webp
svg=$(ls /usr/share/desktop-base/*/wallpaper/contents/images/1920x1080.svg 2>/dev/null | head -1)
ff -f lavfi -i testsrc=s=96x64:r=10 -t 1 -pix_fmt yuv420p clip.y4m
sed '1s/ F[^ ]*/ F-30:1/' clip.y4m >negf.y4m
check_fail "a y4m visual with F-30:1 is refused, not played at 25 fps" 1 "negf.y4m: bad frame rate '-30:1'" avbond a48000.wav negf.y4m
check "a photograph as a still" sh -c "avbond -s 320x180 a48000.wav $photo >photo.y4m"
check "photo: 37 frames at 320x180" sh -c 'head -1 photo.y4m | grep -q "W320 H180" && test "$(nframes photo.y4m)" -eq 37'
check "photo: every frame the same, not flat" sh -c 'test "$(means photo.y4m | sort -u | wc -l)" -eq 1 && python3 -c "
d=open(\"photo.y4m\",\"rb\").read(); i=d.index(b\"FRAME\n\")+6; y=d[i:i+320*180]; assert max(y)-min(y) > 40"'
check "an SVG through ImageMagick" sh -c "avbond -s 320x180 a48000.wav '$svg' >svg.y4m && test \"\$(nframes svg.y4m)\" -eq 37"

check "a PSD through ImageMagick" sh -c "convert still.png pic.psd && avbond -s 96x64 a48000.wav pic.psd >psd.y4m && test \"\$(nframes psd.y4m)\" -eq 37"
check "PSD: the picture survives (testsrc's colours, not flat)" sh -c 'test "$(means psd.y4m | head -1)" = "$(avbond -s 96x64 a48000.wav still.png | ./means /dev/stdin | head -1)"'

# a folder: red, green, blue, and a text file; clicks at 0.5, 1.0 and 1.5 s
mkdir pics
ff -f lavfi -i color=red:s=64x48 -frames:v 1 pics/1.png
ff -f lavfi -i color=lime:s=64x48 -frames:v 1 pics/2.png
ff -f lavfi -i color=blue:s=80x48 -frames:v 1 pics/3.jpg
echo "not a picture" >pics/notes.txt
cp a48000.wav pics/sample.wav # a sound beside the pictures: left out without a word
ff -f lavfi -i "aevalsrc='0.9*sin(2*PI*2000*t)*exp(-40*mod(t,0.5))*gte(t,0.5)':s=48000:d=2" clicks.wav
avbond -r 25 clicks.wav pics >fold.y4m 2>fold.err
check "folder: the text file is reported" grep -q 'pics/notes.txt: not a picture, skipped' fold.err
check "folder: only that warning" test "$(wc -l <fold.err)" -eq 1
means fold.y4m | awk '{ print ($2 < 100 && $3 > 200) ? "R" : ($2 > 200) ? "B" : "G" }' >seq.txt
check "folder: 50 frames" test "$(wc -l <seq.txt)" -eq 50
# where the picture changes, as frame numbers
changes=$(awk 'NR > 1 && $1 != prev { printf "%d:%s ", NR - 1, $1 } { prev = $1 }' seq.txt)
check "folder: switches at the clicks (frames 12..13, 25, 37..38), in name order" \
	sh -c "echo '$changes' | grep -Eq '^1[23]:G 2[56]:B 3[78]:R \$'"
check "folder: every 2 beats at 120 bpm" sh -c "avbond -r 25 --every 2 --bpm 120 clicks.wav pics >b.y4m"
changes=$(means b.y4m | awk '{ print ($2 < 100 && $3 > 200) ? "R" : ($2 > 200) ? "B" : "G" }' |
	awk 'NR > 1 && $1 != prev { printf "%d:%s ", NR - 1, $1 } { prev = $1 }')
check "beats: a switch every second" test "$changes" = "25:G "
check "onsets file" sh -c 'echo "[0.2, 0.4]" >on.json && avbond -r 25 --onsets on.json clicks.wav pics >on.y4m'
changes=$(means on.y4m | awk '{ print ($2 < 100 && $3 > 200) ? "R" : ($2 > 200) ? "B" : "G" }' |
	awk 'NR > 1 && $1 != prev { printf "%d:%s ", NR - 1, $1 } { prev = $1 }')
check "onsets file: switches at 0.2 and 0.4 s" test "$changes" = "5:G 10:B "
avbond -r 25 -S --seed 7 clicks.wav pics >s1.y4m 2>/dev/null
avbond -r 25 -S --seed 7 clicks.wav pics >s2.y4m 2>/dev/null
same_file "shuffle: same seed, same bytes" s1.y4m s2.y4m
check "trickled audio gives the same frames" sh -c 'sox clicks.wav -t au - | trickle 999 5 | avbond -r 25 -S --seed 7 - pics 2>/dev/null | cmp -s - s1.y4m'

# a clip: 1 s at 30 fps whose frames tell their number, looped and trimmed
ff -f lavfi -i "nullsrc=s=64x48:r=30,format=yuv420p,geq=lum='16+4*N':cb=128:cr=128" -t 1 clip.mp4 -c:v libx264 -qp 0
sox -n -r 48000 -c 1 a25.wav synth 2.5 sine 200
avbond -r 30 a25.wav clip.mp4 >loop.y4m
check "clip: 75 frames for 2.5 s" test "$(nframes loop.y4m)" -eq 75
check "clip: loops after 30 frames" test "$(means loop.y4m | awk '{print $1}' | sed -n '1p;30p;31p;61p' | tr '\n' ' ')" = "16 132 16 16 "
avbond -r 30 --start 0.5 a25.wav clip.mp4 >trim.y4m
check "clip: --start 0.5 begins at frame 15, loops to it" \
	test "$(means trim.y4m | awk '{print $1}' | sed -n '1p;15p;16p' | tr '\n' ' ')" = "76 132 76 "
avbond -r 30 --no-loop a25.wav clip.mp4 >hold.y4m
check "clip: --no-loop holds the last frame" test "$(means hold.y4m | awk '{print $1}' | sed -n '30p;75p' | tr '\n' ' ')" = "132 132 "
check "clip scaled to --size" sh -c 'avbond -s 128x72 a25.wav clip.mp4 | head -1 | grep -q "W128 H72"'

# bad input
check_fail "missing audio" 1 'avbond: nope.wav' avbond nope.wav still.png
check_fail "missing visual" 1 'avbond: nope.png: No such file' avbond a25.wav nope.png
mkdir empty; echo x >empty/readme.txt
check_fail "folder without pictures" 1 'avbond: empty: no pictures in the folder' sh -c 'avbond a25.wav empty 2>&1 >/dev/null | tail -1 >&2; exit 1'
check_fail "a sound as the visual" 1 'avbond: a25.wav: no picture or video' avbond a25.wav a25.wav
check_fail "--every without --bpm" 2 'needs --bpm' avbond --every 2 a25.wav pics
check "no output file left on failure" sh -c '! avbond -o out.y4m a25.wav empty 2>/dev/null && test ! -e out.y4m'
