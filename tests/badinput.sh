# badinput.sh -- the bad-input matrix: every program in bin/ against empty stdin,
# /dev/null, random bytes, a truncated valid stream, a header claiming absurd sizes,
# the wrong stream type, a directory, a missing file, an unwritable output path, a
# closed stdout and a reader that goes away (| head -c 100, EPIPE), plus the valid
# input as a control. Each case checks the exit status (1 for bad input, 0 where
# empty input is valid and for EPIPE), exactly one "prog: ..." line on stderr (none
# on success), no signal, no hang (timeout), and no file left in the output folder.
# A program not in the table below joins with a default row guessed from its --help.
# BADINPUT_ONLY="prog ..." limits the matrix to some programs.
T=badinput
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
I=$W/in
mkdir -p "$I" "$I/adir"
LIMIT=${BADINPUT_TIMEOUT:-30}

# ---- inputs: a valid stream of every kind, and its damaged forms
cp "$F/break48.au" "$I/audio.au"
sox "$F/break48.au" "$I/audio2.au" trim 0 2                # as long as video.y4m
head -c 100003 "$I/audio.au" >"$I/trunc.au"            # ends inside a frame
printf '.snd\000\000\000\034\377\377\377\377\000\000\000\006\000\000\273\200\000\001\206\240\000\000\000\000' >"$I/absurd.au" # 100000 channels
head -c 4000 /dev/zero >>"$I/absurd.au"
ffmpeg -v error -f lavfi -i testsrc=s=64x48:r=25:d=2 -pix_fmt yuv420p -f yuv4mpegpipe -y "$I/video.y4m"
ffmpeg -v error -f lavfi -i testsrc=s=128x96:r=25:d=1 -pix_fmt yuv420p -f yuv4mpegpipe -y "$I/video96.y4m"
head -c 7000 "$I/video.y4m" >"$I/trunc.y4m"             # the second frame cut short
printf 'YUV4MPEG2 W99999 H99999 F25:1 C444\nFRAME\n' >"$I/absurd.y4m"
clock --bars 64 >"$I/events.jsonl"
head -c 2000 "$I/events.jsonl" | head -c 1990 >"$I/trunc.jsonl"
printf '{"t":1,"type":"tick","step":1,"steps_per_beat":4}\n{"t":5,"type":"x","pad":"' >"$I/absurd.jsonl"
head -c 3000000 /dev/zero | tr '\0' a >>"$I/absurd.jsonl"; printf '"}\n' >>"$I/absurd.jsonl"
cutgen --seed 1 -s 50ms "$F/break48.wav" >"$I/cuts.json"
head -c 300 "$I/cuts.json" >"$I/trunc.json"
printf '{"format":"shards-cutlist","version":1,"source":{"duration":4,"rate":48000},"cuts":[{"src":0,"dur":1e300}]}\n' >"$I/absurd.json"
ffmpeg -v error -f lavfi -i testsrc=s=64x48:r=25:d=2 -f lavfi -i sine=r=48000:d=2 -c:v mpeg4 -c:a pcm_s16le -shortest -y "$I/media.mkv"
head -c 9000 "$I/media.mkv" >"$I/trunc.mkv"
cp "$I/absurd.y4m" "$I/absurd.mkv"
python3 -c "import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(65536)))" >"$I/random.bin"
for e in au y4m jsonl json mkv; do cp "$I/random.bin" "$I/random.$e"; done
ffmpeg -v error -f lavfi -i testsrc=s=64x48 -frames:v 1 -y "$I/still.png"
# a track folder of one part, and its manifest
mkdir -p "$I/track/01-a"
sox "$F/break48.wav" "$I/track/01-a/sample.wav" trim 0 2
cp "$I/still.png" "$I/track/01-a/visual.png"
manifest -o "$I/track/manifest.json" "$I/track"

# ---- the table: how to feed each program
# kind   audio | video | events | cuts | media | track (a track manifest) | gen (reads nothing)
# args   the command line after the program name; @IN@ is the input under test
#        ("-" means stdin), other @X@ are valid companions
# oext   extension for -o FILE ("" when the program has no output file option)
# oopt   the output option (-o; avsplit writes video with -V)
# empty  exit status for empty input (0 where an empty stream is valid)
# stdout 1 when it writes its result to stdout without -o, 0 when only to a file
# stdin  1 when "-" reads standard input
# trunc  exit status for a truncated input (0/1: read through FFmpeg, which decodes
#        the whole frames a damaged file still holds)
# keep   1 when a bad operand is skipped with a warning and the output of the
#        others is still written (exit 1 with an output file is then correct)
# dir    exit status for a directory operand
# infile 0 when the program reads standard input only (no directory or missing file)
# random exit status for random bytes in a named file (0/1 where a name ending in
#        .au is read as libsndfile reads a headerless one: 8 kHz mu-law)
spec() {
	kind=audio args="@IN@" oext=wav oopt=-o empty=1 stdout=1 stdin=1 trunc=1 keep=0 dir=1 infile=1 random=1
	case $1 in
	chop | specsmear | specmangle) ;;
	stretch) args="-R 1.5 @IN@" ;;
	onsets | bpm | keydetect) oext=json ;;
	cutgen) oext=json ;;
	cutapply) kind=cuts args="@IN@ @AUDIO@" ;;
	cutapply:source) kind=audio args="@CUTS@ @IN@" ;;
	cutinfo) kind=cuts oext= ;;
	save-preset) kind=cuts args="-f @IN@ p" oext=json stdout=0 ;; # a cut list's settings to a cutgen preset
	cutviz) kind=cuts oext=png ;;
	evviz) kind=events oext=png empty=1 ;; # an empty stream has nothing to draw
	notesynth) kind=events empty=0 ;;
	sampler) kind=events empty=0 args="--bpm 120 -m rhythm_hit=@AUDIO@ @IN@" ;;
	pattern) args="-g x.x. -n 4 @IN@" ;;
	midiout) kind=events oext=mid empty=0 ;;
	arp | euclid | integrate) kind=events oext=jsonl empty=0 ;;
	evmerge) kind=events oext=jsonl empty=0 args="@IN@ @EVENTS@" ;;
	route) kind=events oext=jsonl empty=0 args="-t a:2,b @IN@" ;;
	evrec) kind=events oext= empty=0 args="take.jsonl" keep=1 infile=0 ;; # records stdin to its operand
	clock) kind=gen oext=jsonl args="--bars 400" ;;
	lfo) kind=gen oext=jsonl args="--beats 400" ;;
	analog | colorgrade | pixcorrupt | posterize | rgbsplit | scanlines | vnoise) kind=video oext=y4m ;;
	stabilize) kind=video oext=y4m valid=$I/video96.y4m ;; # its motion search needs 96x96
	avbond) args="@IN@ @STILL@" oext=y4m ;;
	avbond:visual) kind=media args="@AUDIO@ @IN@" oext=y4m stdin=0 ;;
	avmux) args="@IN@ @VIDEO@" oext=mp4 stdout=0 stdin=0 valid=$I/audio2.au ;;
	avmux:video) kind=video args="@AUDIO2@ @IN@" oext=mp4 stdout=0 stdin=0 ;;
	avglitch) args="--x264-preset ultrafast @IN@ @STILL@" oext=mp4 stdout=0 stdin=0 random=0/1 ;; # reads its audio twice
	avglitch:visual) kind=media args="--x264-preset ultrafast @AUDIO@ @IN@" oext=mp4 stdout=0 stdin=0 ;;
	avsplit) kind=media oext=y4m oopt=-V stdin=0 ;;
	collide) kind=media args="-d 0.5 --x264-preset ultrafast @IN@" oext=mp4 stdout=0 stdin=0 ;;
	colorkey) kind=video args="@IN@ @VIDEO@" oext=y4m stdin=0 trunc=0/1 ;;
	vscan) kind=media oext=jsonl args="--all @IN@" stdin=0 keep=1 dir=0 ;; # an empty folder holds no videos
	padmine) args="-O 100 @IN@" ;; # the valid input is a drum loop: let onsets through
	grainify) args="-d 1 @IN@" ;; # a short cloud
	drone) args="-s 1 @IN@" ;; # a drone as long as its source: quick
	grade) args="@IN@" oext=csv keep=1 ;; # a bad file: one warning, exit 1, the manifest of the rest written
	dsp) args="-i @IN@ lowpass freq=2000 : echo : reverb" ;;
	amix) args="@AUDIO@:-6:0.5 @IN@" ;;
	manifest) kind=track oext=json stdin=0 valid=$I/track ;; # reads a folder
	compose) kind=track oext=mk stdin=0 ;; # a manifest; its schema errors are usage errors (2)
	*) # a program not described yet: guess from its usage and first lines of help
		h=$("$1" --help 2>/dev/null)
		case $(printf '%s\n' "$h" | sed -n '1,3p') in
		*y4m* | *video*) kind=video oext=y4m ;;
		*event* | *notes* | *trigger*) kind=events oext=jsonl empty=0 ;;
		*"cut list"*) kind=cuts oext=json ;;
		esac
		case $h in *"-o, --output"*) ;; *) oext= ;; esac ;;
	esac
}

valid_of() {
	case $1 in audio) echo "$I/audio.au" ;; video) echo "$I/video.y4m" ;; events) echo "$I/events.jsonl" ;;
	cuts) echo "$I/cuts.json" ;; media) echo "$I/media.mkv" ;; track) echo "$I/track/manifest.json" ;; esac
}
ext_of() {
	case $1 in audio) echo au ;; video) echo y4m ;; events) echo jsonl ;; cuts | track) echo json ;; media) echo mkv ;; esac
}
wrong_of() {
	case $1 in audio) echo "$I/video.y4m" ;; video) echo "$I/audio.au" ;; events) echo "$I/audio.au" ;;
	cuts | track) echo "$I/video.y4m" ;; media) echo "$I/cuts.json" ;; esac
}

# build the command line: fill @IN@ with $1 and the companions; $2 = output path or ""
cmdline() {
	local a=$args
	a=${a//@IN@/$1}
	a=${a//@AUDIO@/$I/audio.au}
	a=${a//@AUDIO2@/$I/audio2.au}
	a=${a//@VIDEO@/$I/video.y4m}
	a=${a//@EVENTS@/$I/events.jsonl}
	a=${a//@CUTS@/$I/cuts.json}
	a=${a//@STILL@/$I/still.png}
	if [ -n "$2" ]; then a="$oopt $2 $a"
	elif [ "$prog" = midiout ] || [ "$prog" = avsplit ]; then a="$oopt - $a"
	fi
	echo "$a"
}

total=0 passed=0
# run_case NAME WANT(0|1|0/1) STDIN_FILE INPUT_ARG OUTPUT(""=stdout, "file", "bad", "closed", "pipe")
run_case() {
	local name=$1 want=$2 sin=$3 inarg=$4 how=$5 out="" odir="$W/o-$row-$1" rc lines
	rm -rf "$odir"; mkdir -p "$odir"
	case $how in file) out="$odir/out.$oext" ;; bad) out="/nonexistent-shards-dir/out.$oext" ;; esac
	local cl; cl=$(cmdline "$inarg" "$out")
	total=$((total + 1))
	# shellcheck disable=SC2086
	case $how in
	closed) (cd "$odir" && timeout -k 5 "$LIMIT" "$prog" $cl <"$sin" >&- 2>"$W/err") ;;
	pipe) (cd "$odir" && timeout -k 5 "$LIMIT" "$prog" $cl <"$sin" 2>"$W/err" | head -c 100 >/dev/null; exit "${PIPESTATUS[0]}") ;;
	*) (cd "$odir" && timeout -k 5 "$LIMIT" "$prog" $cl <"$sin" >"$W/out" 2>"$W/err") ;;
	esac
	rc=$?
	lines=$(wc -l <"$W/err")
	# quiet on EPIPE: nothing on stderr the valid run did not say too (a note on
	# the answer itself, such as bpm's low confidence, is said either way)
	[ "$name" = valid ] && cp "$W/err" "$W/valid.err"
	local why=""
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then why="no exit within ${LIMIT}s"
	elif [ $rc -gt 128 ]; then why="killed by signal $((rc - 128))"
	elif [ "$want" = 0/1 ] && [ $rc -ne 0 ] && [ $rc -ne 1 ]; then why="exit $rc, wanted 0 or 1"
	elif [ "$want" != 0/1 ] && [ $rc -ne "$want" ]; then why="exit $rc, wanted $want"
	elif [ $rc -ne 0 ] && [ "$lines" -ne 1 ]; then why="$lines lines on stderr, wanted one"
	elif [ $rc -ne 0 ] && ! grep -q "^${prog%%:*}: " "$W/err"; then why="stderr does not start with '${prog%%:*}: '"
	elif [ $rc -eq 0 ] && [ "$how" = pipe ] && grep -vxFf "$W/valid.err" "$W/err" | grep -q .; then why="EPIPE is not quiet"
	elif [ $rc -ne 0 ] && [ "$keep" = 0 ] && [ -n "$(ls -A "$odir")" ]; then why="left a file behind: $(ls -A "$odir" | head -3 | tr '\n' ' ')"
	elif [ $rc -eq 0 ] && [ "$how" = file ] && [ ! -s "$out" ] && [ "$name" = valid ]; then why="no output file"
	fi
	if [ -z "$why" ]; then passed=$((passed + 1)); pass "$row: $name"
	else fail "$row: $name" "$why: $prog $cl; stderr: $(head -c 400 "$W/err")"; fi
}

rows=""
for b in "$SHARDS_BIN"/*; do
	[ -x "$b" ] || continue
	p=$(basename "$b")
	if [ -n "${BADINPUT_ONLY:-}" ]; then case " $BADINPUT_ONLY " in *" $p "*) ;; *) continue ;; esac; fi
	rows="$rows $p"
	case $p in # programs with a second input get a row for it too
	cutapply) rows="$rows cutapply:source" ;; avbond) rows="$rows avbond:visual" ;; avmux) rows="$rows avmux:video" ;;
	avglitch) rows="$rows avglitch:visual" ;;
	esac
done

for row in $rows; do
	prog=${row%%:*}
	valid=
	: >"$W/valid.err"
	spec "$row"
	if [ "$kind" = gen ]; then
		run_case valid 0 /dev/null "" ""
		[ -n "$oext" ] && run_case unwritable-output 1 /dev/null "" bad
		run_case closed-stdout 1 /dev/null "" closed
		run_case epipe 0 /dev/null "" pipe
		continue
	fi
	v=${valid:-$(valid_of "$kind")} e=$(ext_of "$kind")
	o=""; [ -n "$oext" ] && o=file
	[ "$stdout" = 0 ] && o=file
	if [ "$stdin" = 1 ]; then
		run_case valid 0 "$v" - "$o"
		run_case empty-stdin "$empty" /dev/null - "$o"
		run_case random-stdin 1 "$I/random.bin" - "$o"
		run_case truncated "$trunc" "$I/trunc.$e" - "$o"
		run_case absurd-header 1 "$I/absurd.$e" - "$o"
		run_case wrong-type 1 "$(wrong_of "$kind")" - "$o"
	else
		run_case valid 0 /dev/null "$v" "$o"
		run_case random-file "$random" /dev/null "$I/random.$e" "$o"
		# a container cut short may still hold whole frames: decoding what is there is fine
		[ "$kind" = media ] && trunc=0/1
		run_case truncated "$trunc" /dev/null "$I/trunc.$e" "$o"
		run_case absurd-header 1 /dev/null "$I/absurd.$e" "$o"
		run_case wrong-type 1 /dev/null "$(wrong_of "$kind")" "$o"
	fi
	if [ "$infile" = 1 ]; then
		run_case dev-null "$empty" /dev/null /dev/null "$o"
		run_case directory "$dir" /dev/null "$I/adir" "$o"
		run_case missing-file 1 /dev/null "$I/no-such-file.$e" "$o"
	fi
	[ -n "$oext" ] && run_case unwritable-output 1 "$v" "$( [ "$stdin" = 1 ] && echo - || echo "$v")" bad
	if [ "$stdout" = 1 ]; then
		run_case closed-stdout 1 "$v" "$( [ "$stdin" = 1 ] && echo - || echo "$v")" closed
		run_case epipe 0 "$v" "$( [ "$stdin" = 1 ] && echo - || echo "$v")" pipe
	fi
done
echo "# badinput: matrix of $total cases over $(echo $rows | wc -w) program rows: $passed passed"
