# evviz: an event stream as a piano roll PNG (lib/plot, drawn with cairo)
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
G=$SHARDS_TOP/tests/golden-img

# width x height from the PNG header, read by python3 rather than by us
size() { python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); assert b[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", b[16:24]))' "$1"; }
# light pixels (text and marks on the dark ground) in a WxH+X+Y box
light() { convert "$1" -crop "$2" +repage -colorspace gray -threshold 60% -format "%[fx:round(mean*w*h)]" info:; }
# note-cyan pixels below the legend row: "count first-column last-column"
cyan() {
	convert "$1" -crop +0+20 +repage txt:- |
		awk -F'[(,)]' 'NR > 1 && $5 > 180 && $3 < 100 && $4 > 150 { n++; if (n == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
			END { print n + 0, mn + 0, mx + 0 }'
}
# pixels that differ by more than a fifth of full scale from a golden picture
differs() {
	_n=$(compare -metric AE -fuzz 20% "$1" "$2" null: 2>&1)
	case $_n in '' | *[!0-9.e+]*) echo 99999999 ;; *) echo "$_n" ;; esac
}
at_most() { [ "$(printf '%.0f' "$1")" -le "$2" ]; }
at_least() { [ "$(printf '%.0f' "$1")" -ge "$2" ]; }

# a patch with every kind of lane: notes, two trigger names, a value, params
clock --bars 4 | euclid -k 5 -n 16 | euclid -k 3 -n 8 -t hat --name hats | arp -S dorian -O 2 --seed 1 >notes.ev
lfo --bars 4 -r 4 -n cutoff >lfo.ev
cat >params.ev <<'EV'
{"t":4,"type":"param","target":"arp","param":"scale","value":"minor"}
{"t":8,"type":"param","target":"notesynth","param":"gain","value":0.5}
{"t":12,"type":"param","target":"notesynth","param":"gain","value":0.9}
EV
evmerge notes.ev lfo.ev params.ev >patch.ev
check "the patch has notes, triggers, values and params" sh -c \
	'[ "$(jq -r .type patch.ev | sort -u | grep -cxE "note|trigger|value|param")" = 4 ]'

evviz -W 600 -H 240 -o small.png patch.ev
check "a PNG of the size asked for" test "$(size small.png)" = 600x240
evviz <patch.ev >default.png
check "1200x480 by default, on stdout" test "$(size default.png)" = 1200x480
n=$(light default.png 600x16+0+0)
check "the legend's text renders ($n light pixels)" at_least "$n" 300
n=$(light default.png 1200x16+0+464)
check "the beat axis is labelled ($n light pixels)" at_least "$n" 200
n=$(light default.png 200x200+1000+20)
check "the lanes are named ($n light pixels)" at_least "$n" 150
n=$(light default.png 40x240+6+220)
check "the C's of the pitch axis are named ($n light pixels)" at_least "$n" 30
n=$(differs small.png "$G/evviz.png")
check "matches tests/golden-img/evviz.png ($n pixels differ)" at_most "$n" 1500
check "the golden picture stays small" test "$(wc -c <"$G/evviz.png")" -lt 40960
evviz -o again.png patch.ev
same_file "the same stream draws the same picture" again.png default.png
# --beats-per-bar moves the bar lines
evviz --beats-per-bar 3 -o three.png patch.ev
if cmp -s three.png default.png; then fail "--beats-per-bar changes the bars"; else pass "--beats-per-bar changes the bars"; fi

# --from/--to: one note at beats 10..11, drawn where the window puts it
printf '{"t":0,"type":"tempo","bpm":90}\n{"t":10,"type":"note","pitch":64,"velocity":1,"gate":1}\n{"t":20,"type":"end"}\n' >one.ev
evviz -W 400 -H 200 --from 8 --to 12 -o win.png one.ev
set -- $(cyan win.png)
# the plot area is 388 px wide from x=6: beats 10..11 of 8..12 are columns 200..297
check "--from 8 --to 12: the note is in its columns ($*)" \
	sh -c "[ $1 -gt 200 ] && [ $2 -ge 198 ] && [ $2 -le 202 ] && [ $3 -ge 294 ] && [ $3 -le 299 ]"
evviz -W 400 -H 200 --to 8 -o before.png one.ev
set -- $(cyan before.png)
check "--to 8: a note after the window is not drawn ($1 pixels)" test "$1" = 0
check_fail "--to before --from" 2 "--to" evviz --from 5 --to 2 -o x.png one.ev
check_fail "--from past the end" 1 "past the end" evviz --from 500 -o x.png one.ev

# bad input: one line naming the input and line, exit 1, no picture
printf '{"t":0,"type":"tempo","bpm":120}\n{"t":1,"type":"note","pitch":60}\nnot json\n' >bad1.ev
check_fail "malformed JSON names its line" 1 "bad1.ev: line 3" evviz -o x.png bad1.ev
printf '{"t":0,"type":"note","pitch":200}\n' >bad2.ev
check_fail "a pitch out of range names its line" 1 "stdin: line 1" sh -c 'evviz -o x.png <bad2.ev'
printf '{"t":2,"type":"tick"}\n{"t":1,"type":"tick"}\n' >bad3.ev
check_fail "time going backwards names its line" 1 "line 2" evviz -o x.png bad3.ev
printf '{"t":0,"type":"trigger","value":1}\n' >bad4.ev
check_fail "a trigger without a name" 1 "line 1: .*name" evviz -o x.png bad4.ev
printf '{"t":0,"type":"value","name":"x","value":"high"}\n' >bad5.ev
check_fail "a value that is not a number" 1 "line 1: .*number" evviz -o x.png bad5.ev
printf '{"t":1e9,"type":"tick"}\n' >bad6.ev
check_fail "an absurd beat is refused" 1 "line 1: beat" evviz -o x.png bad6.ev
check_fail "an unreadable input" 1 "nosuch.ev" evviz -o x.png nosuch.ev
# an empty stream has nothing to scale a picture to: an error, not a blank roll
check_fail "an empty stream is an error" 1 "no events to draw" sh -c 'evviz -o x.png </dev/null'
check "no file left by a failed run" test ! -e x.png
check_fail "bad input on stdout leaves nothing there" 1 "line 3" sh -c 'evviz bad1.ev >out.png'
check "nothing written to stdout on failure" test ! -s out.png
