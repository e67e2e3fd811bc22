# examples: every command in the EXAMPLES section of every man page runs, and none
# of them wraps at 80 columns.
# Each .Dl line and each .Bd -literal block is one example. It is rendered by
# mandoc, so the text run is what a reader sees and types (\e, \-, \(aq, \&, \*(Gt
# already undone), and run by bash -e -o pipefail (a failure anywhere in a pipeline
# counts; bash because a page may use <(...)) in a folder of its page holding
# fixtures under the names the pages use; the examples of one page run in order in
# that folder, as a reader following the page would. No example is edited here.
. "$(dirname "$0")/lib.sh"
cd "$W"
REALSOX=$(command -v sox)

echo "# fixtures from $(date +%s)"
# ---- fixtures: short audio and small video, under the pages' names ----------------
mkdir fx && cd fx
cp "$F/break48.wav" break.wav
sox break.wav drums.wav
sox break.wav loop.wav
sox "$F/break44.wav" loop44.wav
sox break.wav loop.flac
for n in track.wav track.flac in.wav in.flac input.wav other.wav set.wav \
	'take:2.wav' a.wav b.wav; do sox break.wav "$n"; done
sox break.wav -r 44100 cd.flac
sox break.wav short.wav trim 0 2
# a chord held, a bass line, a keyboard part, a voice gliding
sox -n -r 48000 -c 1 padm.wav synth 8 sine 220 sine 277.18 sine 329.63 gain -6 fade 0.5 8 0.5
sox padm.wav -c 2 pad.wav; rm padm.wav
sox pad.wav pad.flac
sox pad.wav song.flac; sox pad.wav song.ogg
sox pad.wav c.wav trim 0 4
sox pad.wav old.flac
sox pad.wav pad.wav pad.wav tape.wav
mkdir archive; sox pad.wav archive/one.flac; sox break.wav pad.wav archive/two.flac
sox -n -r 48000 -c 2 bass.wav synth 4 sawtooth 55 lowpass 400 gain -6
sox bass.wav bass.flac
sox bass.wav d.wav
sox -n -r 48000 -c 2 keys.wav synth 4 square 440 gain -15
sox -n -r 48000 -c 1 vocal.wav synth 3 sine 200-400 tremolo 5 40 gain -6
sox vocal.wav voice.wav
# one-shots and an SFZ instrument
sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
sox -n -r 48000 -c 2 snare.wav synth 0.25 noise fade 0 0.25 0.18 gain -6
sox -n -r 48000 -c 2 hat.wav synth 0.1 noise highpass 7000 fade 0 0.1 0.08 gain -12
sox -n -r 48000 -c 2 ohat.wav synth 0.4 noise highpass 6000 fade 0 0.4 0.3 gain -12
mkdir piano; sox -n -r 48000 -c 1 piano/c4.wav synth 1 pluck 261.63 fade 0 1 0.5
printf '<region> sample=c4.wav pitch_keycenter=60\n' >piano/piano.sfz
# video: a clip with sound, a film a minute long, pictures, a green screen
ff -f lavfi -i testsrc=size=320x180:rate=25 -f lavfi -i sine=f=440:r=48000 -t 4 \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest clip.mp4
cp clip.mp4 film.mp4; cp clip.mp4 interview.mp4
ff -i clip.mp4 -pix_fmt yuv420p -f yuv4mpegpipe clip.y4m
# twenty seconds, a length the pages mix to
sox break.wav mix.wav repeat 4
ff -f lavfi -i testsrc=size=160x90:rate=25 -t 20 -pix_fmt yuv420p -f yuv4mpegpipe render.y4m
ff -f lavfi -i testsrc2=size=160x90:rate=10 -t 66 -c:v libx264 -preset ultrafast -pix_fmt yuv420p film.mkv
ff -f lavfi -i smptebars=size=320x180:rate=25 -t 17 -c:v libx264 -preset ultrafast -pix_fmt yuv420p street.mp4
ff -f lavfi -i 'color=c=black:size=320x180:rate=25,drawbox=x=t*80:y=60:w=40:h=60:c=white:t=fill' -t 2 \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p dancer.mp4
ff -f lavfi -i mandelbrot=size=320x180:rate=25 -t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p bg.mp4
ff -f lavfi -i 'color=c=0x00FF00:size=320x180:rate=25,drawbox=x=100+t*20:y=50:w=60:h=80:c=red:t=fill' -t 2 \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p fg.mp4
# a handheld camera: the test pattern shaking by a few pixels
ff -f lavfi -i testsrc=size=360x220:rate=25 -t 2 -vf "crop=320:180:20+12*sin(n*1.7):20+9*cos(n*2.3)" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p walk.mp4
ff -i walk.mp4 -pix_fmt yuv420p -f yuv4mpegpipe shaky.y4m
ff -f lavfi -i testsrc=size=640x480 -frames:v 1 cover.jpg
cp cover.jpg photo.jpg
mkdir photos sketches
for i in 1 2 3; do
	ff -f lavfi -i "color=c=0x${i}0${i}0${i}0:size=320x240" -frames:v 1 photos/p$i.jpg
	ff -f lavfi -i "testsrc=size=320x240" -vf hue=h=$((i * 90)) -frames:v 1 sketches/s$i.png
done
# a footage library for ~/footage: HD clips with sound, short
mkdir footage
for i in 1 2 3; do
	ff -f lavfi -i "testsrc=size=1280x720:rate=25" -f lavfi -i sine=f=$((i * 220)) -t 1 \
		-vf hue=h=$((i * 100)) -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest footage/f$i.mp4
done
cp footage/f1.mp4 footage/copy.mp4
# a track folder: a part with a still, a part with pictures
mkdir -p mytrack/01-intro mytrack/02-break
sox break.wav mytrack/01-intro/sample.wav trim 0 3; cp cover.jpg mytrack/01-intro/visual.jpg
sox break.wav mytrack/02-break/sample.wav trim 0 3; cp photos/p*.jpg mytrack/02-break/
# cut lists and events the pages take as given
"$SHARDS_BIN/cutgen" --seed 1 break.wav -o cuts.json
mkdir lists
"$SHARDS_BIN/cutgen" --seed 2 break.wav -o lists/a.json
"$SHARDS_BIN/cutgen" --seed 3 -S 0.5 break.wav -o lists/b.json
"$SHARDS_BIN/cutgen" --seed 4 --duration 60 -o long.json
"$SHARDS_BIN/lfo" '0.6*sin(0.43)+0.4*sin(0.78,1.1)' -n mod_noise --bars 16 |
	"$SHARDS_BIN/integrate" -s mod_noise -k 0.06 -g 2 -T 0.85 -p 0.75 -t scale_flip --seed 1 >flips.ev
# a played take: notes a little off the grid
"$SHARDS_BIN/clock" --bars 4 | "$SHARDS_BIN/euclid" -k 5 | "$SHARDS_BIN/arp" --seed 1 |
	jq -c 'if .type == "note" then .t += 0.03 else . end' >take.ev
# a Faust file of one's own, as dsp(1) shows it
cat >lp.dsp <<'EOF'
import("stdfaust.lib");
process = fi.lowpass(2, hslider("freq [unit:Hz]", 1000, 20, 20000, 1));
EOF
cd "$W"

echo "# fixtures to $(date +%s)"
# ---- stand-ins for what a test machine lacks: a display and a sound card ----------
# Each takes the whole stream and checks that it is what the example promises.
mkdir stub
cat >stub/mpv <<'EOF'
#!/bin/sh
# stands in for a display: the stream must be YUV4MPEG2 video
f=$(mktemp) && cat >"$f" && [ "$(head -c 9 "$f")" = YUV4MPEG2 ]; s=$?; rm -f "$f"; exit $s
EOF
cat >stub/play <<EOF
#!/bin/sh
# stands in for a sound card: sox decodes the stream into its null output
exec "$REALSOX" "\$@" -n
EOF
cat >stub/sox <<EOF
#!/bin/sh
# sox with its sound card (-d) replaced by the null output (-n)
for a; do shift; if [ "\$a" = -d ]; then set -- "\$@" -n; else set -- "\$@" "\$a"; fi; done
exec "$REALSOX" "\$@"
EOF
chmod +x stub/*

# ---- examples the test machine cannot run -------------------------------------------
# PAGE|TEXT IN THE EXAMPLE|why. Everything else runs.
skips='afterglow.7|afterglow.mk|the recipe at its installed path: tests/afterglow.sh runs it from the tree
afterglow.7|30 3 * * *|a crontab line
clock.1|clock --live|a live clock runs until stopped, into a MIDI port
evmerge.1|midiout -P 1|live until stopped, into a MIDI port
midiout.1|midiout -P fluid|live until stopped, into a MIDI port'
# twenty seconds of 720p, three layers keyed, replayed and encoded: the plain phase
# runs it; the sanitizer phase checks colorkey's and avmux's memory in their own tests
[ "${SHARDS_SANITIZED:-}" = 1 ] && skips="$skips
colorkey.1|-s 1280x720|20 s of 720p is the plain phase's (the sanitizers' in colorkey's own tests)"

# ---- the examples, out of the pages ----------------------------------------------
# Each page's EXAMPLES section becomes one small page, every example behind a marker
# line, so mandoc renders it once; the rendering is cut at the markers into
# ex/PAGE.LINE, the text of the example that starts on that line of the page, and
# ex/PAGE.w80 holds the section as printed at 80 columns.
mkdir ex
for page in "$SHARDS_TOP"/man/man1/*.1 "$SHARDS_TOP"/man/man7/*.7; do
	p=${page##*/}
	awk 'BEGIN { print ".Dd January 1, 2026\n.Dt X 1\n.Os\n.Sh EXAMPLES" }
		/^\.Sh EXAMPLES/ { in_ex = 1; next }
		/^\.Sh / { in_ex = 0 }
		!in_ex { next }
		in_bd { print; if (/^\.Ed/) in_bd = 0; next }
		/^\.Dl / { print ".Pp\n@@example " NR; print; next }
		/^\.Bd -literal/ { print ".Pp\n@@example " NR; print; in_bd = 1 }
	' "$page" | mandoc -T ascii -O width=1000 | col -b | expand | awk -v out="ex/$p" '
		function flush(  i, m) {
			if (!f) return
			while (n > 0 && l[n] !~ /[^ ]/) n--
			m = 1000; for (i = 1; i <= n; i++) if (l[i] ~ /[^ ]/) { match(l[i], /^ */); if (RLENGTH < m) m = RLENGTH }
			for (i = 1; i <= n; i++) print substr(l[i], m + 1) > f
			close(f); n = 0; f = ""
		}
		/^ *@@example [0-9]+$/ { flush(); f = out "." $2; n = 0; next }
		/January 1, 2026/ { next }	# the footer
		f && (n > 0 || /[^ ]/) { l[++n] = $0 }
		END { flush() }'
	mandoc -T ascii -O width=80 "$page" | col -b | expand |
		awk '/^EXAMPLES/ { p = 1; next } /^[A-Z]/ { p = 0 } p' >"ex/$p.w80"
done

ls fx >fixtures.list
mkdir run
for ex in $(ls ex | grep '\.[0-9]*$' | sort -t. -k1,1 -k3,3n); do
	page=${ex%.*} line=${ex##*.}
	text=$(cat "ex/$ex")
	what="$page:$line: $(printf '%s\n' "$text" | head -1 | cut -c1-60)"

	# no line of it wraps or runs past 80 columns: each line is a whole line of the
	# section as printed at 80 columns, and no printed line is wider
	bad=$(awk 'function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
		NR == FNR { if (length($0) <= 80) seen[trim($0)] = 1; next }
		/[^ ]/ && !(trim($0) in seen)' "ex/$page.w80" "ex/$ex")
	[ -z "$bad" ] && pass "fits 80 columns: $what" || fail "fits 80 columns: $what" "wraps: $bad"

	reason=
	while IFS='|' read -r p pat why; do
		case $page in "$p") case $text in *"$pat"*) reason=$why; break ;; esac ;; esac
	done <<-SKIPS
	$skips
	SKIPS
	if [ -n "$reason" ]; then echo "ok - $T: $what # SKIP $reason"; continue; fi

	# the page's folder: the fixtures its examples name, HOME there (for ~/footage)
	d=run/${page%.*}
	if [ ! -d "$d" ]; then
		rm -rf run/*	# the last page's folder: its video is large
		mkdir -p "$d/.cache"
		names=$(cat ex/"$page".[0-9]* | grep -oF -f fixtures.list | sort -u)
		[ -z "$names" ] || (cd fx && printf '%s\n' "$names" | xargs -d '\n' cp -r -t "../$d")
	fi
	# what an example starts in the background (&) is waited for
	# the timeout is a guard against a hang, not a speed limit: the sanitizer build
	# on a busy machine renders a 720p example several times slower
	printf '%s\nwait\n' "$text" >"$d/.example"
	t0=$(date +%s)
	if (cd "$d" && HOME=$PWD PATH="$W/stub:$PATH" timeout 900 bash -e -o pipefail .example \
		</dev/null >.out 2>.err); then
		pass "$what"
	else
		fail "$what" "status $?: $text
$(tail -5 "$d/.err")"
	fi
	t=$(($(date +%s) - t0))
	[ $t -lt 2 ] || echo "# $page:$line: ${t}s"
done
