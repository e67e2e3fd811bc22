# pictures of the spectral effects: specsmear --plot, specmangle --plot
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
G=$SHARDS_TOP/tests/golden-img

size() { python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); assert b[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", b[16:24]))' "$1"; }
# light pixels (text on the dark ground) in a WxH+X+Y box
light() { convert "$1" -crop "$2" +repage -colorspace gray -threshold 60% -format "%[fx:round(mean*w*h)]" info:; }
# the golden pictures are kept at 40% in 32 colours (a spectrogram compresses poorly):
# pixels that differ by more than a fifth of full scale, at that size
differs() {
	convert "$1" -resize 40% half.png
	_n=$(compare -metric AE -fuzz 20% half.png "$2" null: 2>&1)
	case $_n in '' | *[!0-9.e+]*) echo 99999999 ;; *) echo "$_n" ;; esac
}
at_most() { [ "$(printf '%.0f' "$1")" -le "$2" ]; }
at_least() { [ "$(printf '%.0f' "$1")" -ge "$2" ]; }

for prog in specsmear specmangle; do
	$prog --seed 5 -o plain.wav "$F/break48.wav"
	$prog --seed 5 --plot $prog.png -o plotted.wav "$F/break48.wav"
	same_file "$prog --plot: the audio is the same bytes with or without a picture" plain.wav plotted.wav
	# two channels on two threads, each feeding its own part of the picture
	sox "$F/break48.wav" -c 2 st.wav remix 1 1v0.5
	$prog --seed 5 -j 2 -o st-plain.wav st.wav
	$prog --seed 5 -j 2 --plot j2.png -o st-plotted.wav st.wav
	same_file "$prog --plot -j 2: the same stereo audio" st-plain.wav st-plotted.wav
	check "$prog --plot: a 1200x600 PNG" test "$(size $prog.png)" = 1200x600
	n=$(light $prog.png 400x16+0+0)
	check "$prog --plot: the title and key render ($n light pixels)" at_least "$n" 150
	n=$(light $prog.png 1200x16+0+584)
	check "$prog --plot: the time axis is labelled ($n light pixels)" at_least "$n" 200
	n=$(light $prog.png 60x270+6+24)
	check "$prog --plot: frequencies are labelled ($n light pixels)" at_least "$n" 100
	n=$(differs $prog.png "$G/$prog.png")
	check "$prog --plot: matches tests/golden-img/$prog.png ($n pixels differ)" at_most "$n" 2000
	check_fail "$prog --plot: an unwritable picture" 1 "--plot nosuch/x.png" $prog --plot nosuch/x.png -o x.wav "$F/break48.wav"
	check "$prog --plot: no audio and no picture left by the failed run" test ! -e x.wav -a ! -e nosuch
	check_fail "$prog --plot -: refused while the audio goes to stdout" 2 "standard output" $prog --plot - "$F/break48.wav"
done
