# pictures: cutviz, onsets --plot, bpm --plot, padmine --plot, colorkey --plot (lib/plot, drawn with cairo)
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
G=$SHARDS_TOP/tests/golden-img

# width x height from the PNG header, read by python3 rather than by us
size() { python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); assert b[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", b[16:24]))' "$1"; }
# light pixels (text and marks on the dark ground) in a WxH+X+Y box
light() { convert "$1" -crop "$2" +repage -colorspace gray -threshold 60% -format "%[fx:round(mean*w*h)]" info:; }
# pixels that differ by more than a fifth of full scale from a golden picture:
# rendering may move a glyph's edge, not a whole label (the analyses' pictures
# allow more: another build's arithmetic, the sanitizers', may move a beat or an
# onset by a pixel column, and each mark is a full-height line)
differs() {
	_n=$(compare -metric AE -fuzz 20% "$1" "$2" null: 2>&1)
	case $_n in '' | *[!0-9.e+]*) echo 99999999 ;; *) echo "$_n" ;; esac
}
at_most() { [ "$(printf '%.0f' "$1")" -le "$2" ]; }
at_least() { [ "$(printf '%.0f' "$1")" -ge "$2" ]; }

# --- cutviz
cutgen --seed 4 --reverse 0.3 --drop 0.1 --bpm 120 -s 1/8 "$F/break48.wav" >beat.json
cutviz -W 480 -H 160 -s "$F/break48.wav" -o small.png beat.json
check "cutviz: PNG of the size asked for" test "$(size small.png)" = 480x160
cutviz beat.json >default.png
check "cutviz: 1200x400 by default, on stdout" test "$(size default.png)" = 1200x400
n=$(light default.png 600x16+0+0)
check "cutviz: the legend's text renders ($n light pixels)" at_least "$n" 300
n=$(light default.png 1200x16+0+384)
check "cutviz: the time axis is labelled ($n light pixels)" at_least "$n" 200
n=$(differs small.png "$G/cutviz.png")
check "cutviz: matches tests/golden-img/cutviz.png ($n pixels differ)" at_most "$n" 1500
# cut numbers as messages name them, where a piece has room: an 8-cut window
cutviz --from 0 --to 1 -W 1200 -H 300 -o window.png beat.json
n=$(light window.png 1180x12+10+36)
check "cutviz: cut numbers in a window ($n light pixels)" at_least "$n" 100
cutviz -o nowave.png beat.json
if cmp -s nowave.png default.png; then pass "cutviz: the same list draws the same picture"; else fail "cutviz: the same list draws the same picture"; fi
cutviz -s "$F/break48.wav" -o wave.png beat.json
if cmp -s wave.png default.png; then fail "cutviz: --source draws the waveform"; else pass "cutviz: --source draws the waveform"; fi
# ten minutes of list: still a labelled axis, in minutes, and bars
cutgen --seed 1 --duration 600 -s 0.25s --bpm 120 >long.json
cutviz -o long.png long.json
check "cutviz: a 600 s list draws" test "$(size long.png)" = 1200x400
n=$(light long.png 1200x16+0+384)
check "cutviz: a 600 s list has axis labels ($n light pixels)" at_least "$n" 300
cutviz --from 60 --to 72 -o longwin.png long.json
n=$(light longwin.png 1180x12+10+36)
check "cutviz: --from/--to window of a long list numbers its cuts ($n)" at_least "$n" 300
check_fail "cutviz: --to before --from" 2 "--to" cutviz --from 5 --to 2 beat.json -o x.png
check_fail "cutviz: --from past the end" 1 "past the end" cutviz --from 500 beat.json -o x.png
check_fail "cutviz: unreadable --source" 1 "nosuch.wav" cutviz -s nosuch.wav beat.json -o x.png
check "cutviz: no file left by a failed run" test ! -e x.png

# --- onsets --plot, bpm --plot
onsets --plot on.png "$F/break48.wav" >on.json
check "onsets --plot: the JSON is still printed" jq -e '.count > 4' on.json
check "onsets --plot: a 1200x300 PNG" test "$(size on.png)" = 1200x300
n=$(light on.png 400x16+0+0)
check "onsets --plot: the legend's text renders ($n light pixels)" at_least "$n" 150
n=$(differs on.png "$G/onsets.png")
check "onsets --plot: matches tests/golden-img/onsets.png ($n pixels differ)" at_most "$n" 8000
# a marker where each onset is: the red of the marks in the columns of the JSON's times
cols=$(jq -r '.onsets[].t' on.json | awk -v d="$(jq .duration on.json)" '{ printf "%d ", 6 + $1 / d * 1188 }')
miss=0
for x in $cols; do
	r=$(convert on.png -crop 3x1+$((x - 1))+150 +repage -format "%[fx:maxima.r]" info:)
	awk -v r="$r" 'BEGIN { exit !(r > 0.6) }' || miss=$((miss + 1))
done
check "onsets --plot: a mark at every onset ($miss missing)" test "$miss" = 0
check_fail "onsets --plot: an unwritable picture" 1 "--plot" onsets --plot nosuch/x.png "$F/break48.wav"
bpm --plot beats.png "$F/break48.wav" >bpm.txt
check "bpm --plot: the tempo is still printed" grep -Eq '^[0-9]+\.[0-9]+$' bpm.txt
check "bpm --plot: a 1200x300 PNG" test "$(size beats.png)" = 1200x300
n=$(light beats.png 600x16+0+0)
check "bpm --plot: the legend's text renders ($n light pixels)" at_least "$n" 300
n=$(differs beats.png "$G/bpm.png")
check "bpm --plot: matches tests/golden-img/bpm.png ($n pixels differ)" at_most "$n" 8000
bpm --json "$F/break48.wav" >plain.json
bpm --json --plot beats2.png "$F/break48.wav" >plotted.json
same_file "bpm --plot: the report is the same with or without a picture" plain.json plotted.json

# --- padmine --plot
sox -n -r 48000 -c 1 pad.wav synth 8 sine 220 sine 277 gain -6 fade 0.5 8 0.5
padmine -o plain.wav pad.wav
padmine --plot pads.png -o plotted.wav pad.wav
same_file "padmine --plot: the same pad with or without a picture" plain.wav plotted.wav
check "padmine --plot: a 1200x300 PNG" test "$(size pads.png)" = 1200x300
n=$(light pads.png 400x16+0+0)
check "padmine --plot: the legend's text renders ($n light pixels)" at_least "$n" 150
n=$(light pads.png 1200x90+0+190)
check "padmine --plot: candidates drawn and labelled ($n light pixels)" at_least "$n" 20
n=$(differs pads.png "$G/padmine.png")
check "padmine --plot: matches tests/golden-img/padmine.png ($n pixels differ)" at_most "$n" 3000
cp pad.wav other.wav
padmine --plot many.png --report pad.wav other.wav >rep.json
check "padmine --plot: a picture per source with several" test -s many_pad.png -a -s many_other.png
check_fail "padmine --plot: an unwritable picture fails at once" 1 "--plot nosuch/x.png" padmine --plot nosuch/x.png -o y.wav pad.wav
check "padmine --plot: nothing left by the failed run" test ! -e y.wav

# --- colorkey --plot: each layer's first frame, what its key leaves, the key
ff -f lavfi -i color=blue:s=160x120:r=25:d=1 -pix_fmt yuv420p blue.y4m
ff -f lavfi -i "color=0x00FF00:s=160x120:r=25:d=1,drawbox=x=40:y=40:w=40:h=40:c=red:t=fill" -pix_fmt yuv420p green.y4m
ff -f lavfi -i "color=black:s=160x120:r=25:d=1,drawbox=x=40:y=40:w=40:h=40:c=white:t=fill" -pix_fmt yuv420p dark.y4m
# pixels of COLOUR (within a fifth of full scale) in a WxH+X+Y box
count() { convert "$1" -crop "$2" +repage -fuzz 20% -fill black +opaque "$3" -fill white -opaque "$3" \
	-colorspace gray -format "%[fx:round(mean*w*h)]" info:; }
colorkey --seed 3 blue.y4m green.y4m >plain.y4m
colorkey --seed 3 --plot keys.png blue.y4m green.y4m >plotted.y4m
same_file "colorkey --plot: the same video with or without a picture" plain.y4m plotted.y4m
check "colorkey --plot: 1200 wide, a row per keyed layer" test "$(size keys.png)" = 1200x326
n=$(light keys.png 600x16+0+0)
check "colorkey --plot: the legend's text renders ($n light pixels)" at_least "$n" 300
n=$(count keys.png 400x300+0+20 lime)
check "colorkey --plot: the first frame, green ($n pixels)" at_least "$n" 50000
n=$(count keys.png 380x300+410+20 lime)
check "colorkey --plot: the key takes the green away ($n pixels left)" at_most "$n" 100
n=$(count keys.png 380x300+410+20 red)
check "colorkey --plot: and leaves the red square ($n pixels)" at_least "$n" 5000
n=$(count keys.png 400x300+800+20 lime)
check "colorkey --plot: the key colour as a swatch ($n pixels)" at_least "$n" 5000
n=$(light keys.png 400x30+800+40)
check "colorkey --plot: the layer is named ($n light pixels)" at_least "$n" 100
n=$(differs keys.png "$G/colorkey.png")
check "colorkey --plot: matches tests/golden-img/colorkey.png ($n pixels differ)" at_most "$n" 3000
# a real photograph under a luminance key, two layers
ff -loop 1 -i /usr/share/backgrounds/gnome/wood-l.webp -frames:v 10 -vf scale=320:180 -pix_fmt yuv420p wood.y4m
check "colorkey --plot: a photograph and a luminance key" \
	sh -c 'colorkey -m luminance --plot lum.png -d 0.2 blue.y4m dark.y4m wood.y4m >/dev/null'
check "colorkey --plot: two rows" test "$(size lum.png)" = 1200x604
colorkey --plot - -o tofile.y4m blue.y4m green.y4m >stdout.png
check "colorkey --plot: the picture to stdout when the video goes to a file" test "$(size stdout.png)" = 1200x326
check_fail "colorkey --plot: not both on stdout" 2 "standard output carries the video" colorkey --plot - blue.y4m green.y4m
check_fail "colorkey --plot: an unwritable picture fails at once" 1 "--plot nosuch/x.png" \
	colorkey --plot nosuch/x.png -o y.y4m blue.y4m green.y4m
check "colorkey --plot: nothing left by the failed run" test ! -e y.y4m
