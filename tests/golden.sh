# golden: the bytes every program writes, held fixed. Each case runs one program
# (or a short pipeline ending in it) with a fixed seed over small fixtures and
# compares the sha256 of what it wrote with the sum recorded in tests/golden.sums
# ("NAME SHA256" per line). A refactor that claims "same bytes" is checked here.
#   GOLDEN_UPDATE=1 sh tests/run    rewrites golden.sums from this build instead
#                                   (do that only for an intended change, and name
#                                   it in the commit)
# Every input is made here or by tests/fixtures.sh (sox -R, ffmpeg lavfi, -bitexact),
# and every program runs in $W on relative names, so no absolute path, date or
# temporary name reaches an output. What had to be normalised, each where it is done:
# avmux (x264's bits depend on the core count: decoded frames and AAC packets are
# hashed), vscan (mtimes are set), padmine -d (its lock file is left out), stretch
# (Rubber Band R2 offline on stereo is not repeatable: not used). The sums belong to
# Debian 12's FFmpeg, Rubber Band, FFTW, sox and ImageMagick; the sanitized build
# gives the same bytes, and so does valgrind: the script runs in all three phases,
# and under valgrind it is the run of every program that looks for uninitialised
# reads.
. "$(dirname "$0")/lib.sh"
SUMS=$SHARDS_TOP/tests/golden.sums
cd "$W" || exit 1
mkdir -p tmp xdg g
# spools and temporary files stay in $W; no user preset or scales file can leak in
export TMPDIR="$W/tmp" XDG_CONFIG_HOME="$W/xdg" HOME="$W"
: >new.sums; : >ran
nfail=0

# golden NAME CMD...   CMD's standard output (which may be the files it wrote,
#                      concatenated) is the case's output; NAME is PROGRAM-what
golden() {
	_n=$1; shift
	echo "$_n" >>ran
	"$@" >"g/$_n" 2>"g/$_n.err"
	_st=$?
	if [ "$_st" -ne 0 ]; then
		fail "$_n" "exit $_st: $* : $(head -c 1200 "g/$_n.err")"; nfail=$((nfail + 1)); return
	fi
	_got=$(sha256sum <"g/$_n" | cut -d' ' -f1)
	echo "$_n $_got" >>new.sums
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then pass "$_n (recorded)"; return; fi
	_want=$(awk -v n="$_n" '$1 == n { print $2 }' "$SUMS" 2>/dev/null)
	if [ -z "$_want" ]; then
		fail "$_n" "no recorded sum in tests/golden.sums: regenerate with GOLDEN_UPDATE=1 and name it in the commit"
	elif [ "$_got" = "$_want" ]; then pass "$_n"
	else fail "$_n" "output changed; if the change is intended, regenerate with GOLDEN_UPDATE=1 and name it in the commit
$*
recorded $_want
now      $_got ($(wc -c <"g/$_n") bytes, kept in $W/g/$_n)"
	fi
}

# ---------------------------------------------------------------- fixtures
cp "$F/break48.wav" b.wav          # 4 s stereo 48 kHz breakbeat, 16 bit
cp "$F/break44.wav" b44.wav        # the same at 44.1 kHz
cp "$F/sine.au" s.au               # 3 s stereo float, 440 + 660 Hz
sox b.wav b2.wav trim 0 2          # 2 s, for the slow ones
sox -n -r 44100 -c 1 chord.wav synth 2 pluck A3 pluck C4 pluck E4 remix - gain -3
# padmine's material: hits, a held low chord, hits, a held bright chord
sox -n -r 44100 -c 2 lo.wav synth 2.5 sine 110 sine 165 sine 220 remix 1,2,3 1,2,3 gain -14 tremolo 0.5 10
sox -n -r 44100 -c 2 hi.wav synth 2.5 sawtooth 880 sine 1320 remix 1,2 1,2 gain -18
sox b44.wav -c 2 hits.wav trim 0 1
sox hits.wav lo.wav hits.wav hi.wav pad.wav
rm -f lo.wav hi.wav hits.wav
# video: 10 frames of 128x96 at 25 fps (0.4 s), 4:2:0 and 4:4:4
ff -f lavfi -i testsrc=size=128x96:rate=25 -frames:v 10 -pix_fmt yuv420p -f yuv4mpegpipe v.y4m
ff -f lavfi -i testsrc2=size=128x96:rate=25 -frames:v 10 -pix_fmt yuv444p -f yuv4mpegpipe v444.y4m
ff -f lavfi -i testsrc2=size=96x64:rate=30 -frames:v 12 -pix_fmt yuv420p -f yuv4mpegpipe top.y4m
# a moving box on a flat green background (colorkey's motion and kmeans keys)
ff -f lavfi -i color=c=0x20c040:size=128x96:rate=25 -f lavfi -i color=c=red:size=24x24:rate=25 \
	-filter_complex "[0][1]overlay=x=8+n*7:y=30" -frames:v 12 -pix_fmt yuv420p -f yuv4mpegpipe box.y4m
# a camera that shakes (stabilize needs 96x96 at least)
ff -f lavfi -i testsrc2=size=208x156:rate=25 -frames:v 12 \
	-vf "crop=w=iw-80:h=ih-60:x=40+12*sin(n*1.7):y=30+10*cos(n*2.3)" -pix_fmt yuv420p -f yuv4mpegpipe shaky.y4m
# stills: a PNG from ffmpeg, a PNG with a white background (ImageMagick, no date chunks)
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 -fflags +bitexact -flags +bitexact still.png
convert -size 128x96 xc:white -fill "#3050d0" -draw "circle 64,48 64,16" -define png:exclude-chunks=date,time paper.png
mkdir -p pics
for c in red green blue; do
	ff -f lavfi -i "color=c=$c:size=64x48" -frames:v 1 -fflags +bitexact -flags +bitexact "pics/$c.png"
done
# a media file with both streams (MPEG-4 part 2 + PCM in Matroska, bit-exact muxing)
ff -f lavfi -i testsrc=size=64x48:rate=25 -f lavfi -i sine=f=330:sample_rate=44100 -t 1 \
	-c:v mpeg4 -threads 1 -c:a pcm_s16le -fflags +bitexact -flags +bitexact media.mkv

# ---------------------------------------------------------------- micro-sampling
golden cutgen-default        cutgen --seed 3 b.wav
cutgen --seed 3 b.wav >cuts.json
golden cutgen-slices         cutgen --seed 4 -n 24 -S 0.8 -t 0.4 -m 3 -R 0.3 -d 0.1 b.wav
golden cutgen-beats-fps      cutgen --seed 5 -s 1/16 -b 120 -f 25 b.wav
golden cutgen-duration       cutgen --seed 6 -s 80ms -f 25 -D 0.4
cutgen --seed 6 -s 80ms -f 25 -D 0.4 >cutsv.json
golden cutgen-chain          cutgen --seed 7 -s 20ms -S 0.3 cuts.json
onsets b.wav >on.json
golden cutgen-onsets         cutgen --seed 8 --onsets on.json b.wav
golden cutapply-audio        cutapply cuts.json b.wav
golden cutapply-audio-stdin  sh -c 'cutapply cuts.json <b.wav'
cutapply_file() { cutapply --declick 3 --bits 16 -o ca.wav cuts.json b44.wav --fit scale && cat ca.wav; }
golden cutapply-wav16-fit    cutapply_file
golden cutapply-wrap         cutapply --fit wrap cuts.json s.au
golden cutapply-y4m          cutapply cutsv.json v.y4m
cutgen --seed 9 -s 40ms -f 25 -d 0.4 -D 0.4 >cutsd.json
golden cutapply-y4m-hold     cutapply --drop hold cutsd.json v.y4m
golden cutapply-y4m-black    cutapply cutsd.json v.y4m
golden chop-default          chop --seed 5 b.wav
chop_files() { chop --seed 5 -n 16 -t 0.5 -R 0.5 -d 0.1 --declick 2 -c chop.json -o chop.wav --bits 16 b.wav && cat chop.wav chop.json; }
golden chop-files            chop_files
golden chop-onsets           chop --seed 6 --onsets on.json -S 0.7 b.wav
golden cutinfo-text          cutinfo cuts.json
golden cutinfo-json          cutinfo --json cutsd.json
golden cutviz-default        cutviz cuts.json
golden cutviz-small          cutviz -W 300 -H 100 cutsd.json

# ---------------------------------------------------------------- spectral, analysis, time
golden specsmear-default     specsmear --seed 1 b.wav
golden specsmear-options     sh -c 'specsmear --seed 2 -B 0.9 -P 1 -n 512 --hop 64 --bits 24 -o sm.wav s.au && cat sm.wav'
golden specmangle-default    specmangle --seed 3 b.wav
golden specmangle-options    specmangle --seed 4 -s 0.5 -N 0.4 -f 0.2 --hold 0.05..0.2 --shift -3..3 -n 1024 s.au
golden onsets-default        onsets b.wav
golden onsets-options        onsets -t 0.3 -g 100ms b44.wav
golden bpm-text              bpm b.wav
golden bpm-json              bpm --json --prior 120 --min 60 --max 180 b44.wav
golden keydetect-text        keydetect chord.wav
golden keydetect-json        keydetect --json s.au
# dsp: every kind of node once (C filters and effects, the Faust reverbs built
# in, a rate change, a channel pick, events); a Faust file compiled at run time
# is left to tests/dsp.sh (LLVM under valgrind takes minutes)
printf '%s\n' '{"t":0,"s":0.5,"type":"param","target":"lp","param":"freq","value":400}' >dsp.ev
golden dsp-filters           dsp -i b.wav lp=lowpass freq=3000 q=2 : peak freq=200 gain=4 : warm : dcblock -e dsp.ev
golden dsp-effects           dsp -i b2.wav echo time=0.1 fb=0.5 damp=4000 : chorus : phaser : bitcrush bits=6 ch=R : saturate : pan pos=0.3
golden dsp-dynamics          dsp -i b2.wav gain db=12 : compress : gate : limit ceiling=-1
golden dsp-faust-reverbs     dsp -i b2.wav reverb : freeverb
golden dsp-resample          dsp -i b44.wav resample rate=48000 : width width=1.5 : mono
# amix: gains and pans, a 44.1 kHz input resampled and placed, a looped part
# from stdin; the limiter into 16 bits; an mkv soundtrack looped
ff -f lavfi -i sine=frequency=330:sample_rate=48000:duration=1 -c:a pcm_s16le -bitexact tone.mkv
golden amix-mix              sh -c 'amix b.wav:-3dB:-0.4 b44.wav:-6:0.5:start=0.25 -- -:-12:0:trim=0.5:len=0.5:loop=3 <s.au'
golden amix-limit            sh -c 'amix b2.wav:+6 s.au:+3:-0.3 --shortest --limit --ceiling -2 --bits 16 -o amix.wav && cat amix.wav'
golden amix-media            amix b2.wav tone.mkv:-6:0.3:loop=2
# arrange: a direct render (44.1 kHz and float stems reconciled), a plan, a plan
# rendered from stdin
golden arrange-mix           arrange b.wav b44.wav s.au -d 10 --bpm 120 --density 0.6 --seed 7
golden arrange-plan          arrange b.wav b2.wav s.au -d 16 --bpm 120 --seed 3 --plan
golden arrange-render        sh -c 'arrange b2.wav s.au -d 9 -b 100 --beats-per-bar 3 -D 1 -f 50 --seed 2 --plan | arrange -R - --bits 16 -o arr.wav && cat arr.wav'
# loudnorm: the measurement, the limiter (to stdout, and its tries to a file), a
# gain alone, 16 bits, a spooled pipe
golden loudnorm-measure      loudnorm --measure b.wav
golden loudnorm-limited      loudnorm -t -11 b.wav
golden loudnorm-tries-file   sh -c 'loudnorm -t -11 -o lim.wav b.wav && cat lim.wav'
golden loudnorm-linear       loudnorm -t -20 --linear b44.wav
golden loudnorm-file16       sh -c 'loudnorm -t -16 --true-peak -2 s.au --bits 16 -o ln.wav && cat ln.wav'
golden loudnorm-pipe         sh -c 'cat b2.wav | loudnorm -t -10.5 --release 20'
golden stretch-ratio         stretch -R 1.5 b2.wav
golden stretch-formant       stretch -P -4 -F b2.wav
golden stretch-pitch         stretch -P 3 b2.wav
# The faster engine (Rubber Band R2) is run on mono offline and on stereo in real time
# only: offline with two or more channels it processes them in threads of its own
# (stretch asks RubberBandOptionThreadingNever in real time only) and its bytes then
# differ from run to run, so no sum can hold it.
sox b2.wav -c 1 m2.wav
golden stretch-r2-mono       stretch -R 0.8 -P -2 -F --engine faster m2.wav
golden stretch-r2-realtime   stretch -R 0.8 -P -2 -F --engine faster --mode realtime b2.wav
golden stretch-realtime      sh -c 'stretch --mode realtime --block 512 -R 1.25 <b2.wav'
golden stretch-bpm-key       stretch -t 140 --from-bpm 120 -k Am --from-key C chord.wav

# ---------------------------------------------------------------- textures
golden padmine-best          padmine -D 1,2 pad.wav
golden padmine-report        padmine -R -D 1,2 -O 1 -x 30 pad.wav
padmine_dir() { # the export folder: the manifest, then every pad in name order
	# (not the manifest's lock file, .manifest.lock: empty, it only serialises writers)
	rm -rf pads && padmine -d pads -D 1,2 -n 3 --bits 16 pad.wav && cat pads/manifest.csv &&
		find pads -type f ! -name manifest.csv ! -name '.*' | LC_ALL=C sort | xargs cat
}
golden padmine-dir           padmine_dir
golden drone-one             drone -s 2 -P 7 -V warm chord.wav
golden drone-key-norm        drone -s 1.5 -k F --from-key Am --mono -N -V dark b2.wav
golden drone-dir             sh -c 'drone -j 2 -d dr -s 1,2 -P -12,0 -V dry,airy --bits 16 chord.wav && ls dr && cat dr/*'
golden loopify               loopify --start 1 -d 2 -x 300 --seam-search 100 pad.wav
golden loopify-json          loopify --json -x 30 --seam-search 200 pad.wav

# ---------------------------------------------------------------- events
golden clock-bars            clock -b 124 --bars 2
golden clock-loop            clock -b 90 -s 3 -L 12 --beats 5
golden clock-duration        clock -d 3s -b 100 -s 2
clock -b 124 --bars 2 >clk.jsonl
golden euclid-clock          euclid --seed 2 -n 16 -k 5 -R 2 -p 0.7 clk.jsonl
golden euclid-grid           euclid --seed 1 -n 12 -k -5 --beats 4 -s 3
golden euclid-show           euclid --show -n 13 -k 5 -R 1
euclid --seed 2 -n 16 -k 5 clk.jsonl >eu.jsonl
golden arp-default           arp --seed 4 eu.jsonl
golden arp-random            arp --seed 4 -S minor -P random -O 2 -V 0.5..1 -p 0.8 -c 2 eu.jsonl
golden arp-shuffle           arp --seed 5 -S minor_pentatonic -R 48 -D 0,1,2,3,4 -P shuffle -g 0.5 eu.jsonl
golden lfo-sine              lfo --seed 1 -b 124 --bars 2 -r 8 '0.5+0.5*sin(0.5)'
golden lfo-noise             lfo --seed 2 -b 124 --beats 8 -r 20 -n mod '0.6*noise(2)+0.3*tri(0.7,1)-0.1*square(1.5)+0.1*saw(3)'
lfo --seed 1 -b 124 --bars 2 -r 8 '0.5+0.5*sin(0.5)' >lfo.jsonl
golden integrate-state       integrate --seed 1 --emit-state -T 0.5 lfo.jsonl
golden integrate-subtract    integrate --seed 1 --reset subtract --pass-source -T 0.3 -k 0.5 -p 0.6 lfo.jsonl
arp --seed 4 -P updown -c 1 eu.jsonl >arp.jsonl
golden evmerge-two           evmerge arp.jsonl lfo.jsonl
golden evmerge-three         evmerge clk.jsonl lfo.jsonl eu.jsonl
# notes over two tempos, channels, a repeated pitch, a controller stream and param events
cat >notes.jsonl <<'EOF'
{"t":0,"type":"tempo","bpm":100}
{"t":0,"type":"note","pitch":60,"velocity":0.9,"gate":0.5}
{"t":0,"type":"note","pitch":64,"velocity":0.5,"gate":1.5,"channel":3}
{"t":0.25,"type":"value","name":"lfo","value":0.25}
{"t":0.5,"type":"note","pitch":60,"velocity":0.7,"gate":1}
{"t":0.75,"type":"note","pitch":60,"velocity":0.6,"gate":0.25}
{"t":1,"type":"param","target":"midi","param":"cc7","value":0.5}
{"t":1,"type":"param","target":"midi","param":"program","value":12}
{"t":1,"type":"value","name":"lfo","value":0.75}
{"t":1.5,"type":"tempo","bpm":150}
{"t":1.5,"type":"note","pitch":67,"velocity":1,"gate":0.125}
{"t":2,"type":"note","pitch":72,"velocity":0.01,"gate":0.3333}
{"t":3,"type":"tick","step":12,"steps_per_beat":4}
EOF
# pattern and sampler: a grid with accents, chances, a Euclidean row, swing and
# humanize, as audio and as events; the sampler on triggers with a choke group,
# on notes repitched, and on an SFZ with a loop
golden pattern-render        pattern b2.wav s.au --bpm 132 -n 8 --bars 2 -g 'X.x.x7x.' -e 3,8,1 --swing 0.25 --humanize 3 --seed 4
golden pattern-events        pattern b2.wav s.au --bpm 132 -n 8 --bars 2 -g 'X.x.x7x.' -e 3,8,1 --swing 0.25 --humanize 3 --seed 4 --events
golden sampler-triggers      sh -c 'euclid --seed 2 -n 16 -k 5 -t b2 clk.jsonl | sampler -m b2=b2.wav -m s=s.au -c b2,s --voices 2'
golden sampler-notes         sampler -m b=b44.wav --root 64 --release 30 notes.jsonl
golden sampler-sfz           sh -c "printf '<region> sample=s.au hikey=62 pitch_keycenter=60\n<region> sample=b44.wav lokey=63 loop_mode=loop_continuous loop_start=100 loop_end=9000 volume=-6\n' >k.sfz && sampler --sfz k.sfz --bits 16 -o sfz.wav notes.jsonl && cat sfz.wav"
golden midiout-file          sh -c 'midiout -o m.mid notes.jsonl && cat m.mid'
golden midiout-options       sh -c 'midiout --ppq 96 -b 90 -c 5 --cc lfo:1 --name synth -o - notes.jsonl'
golden midiout-chain         sh -c 'clock -b 124 --bars 2 | euclid --seed 2 -k 7 | arp --seed 3 -P converge | midiout -o chain.mid && cat chain.mid'
golden notesynth-default     notesynth notes.jsonl
golden notesynth-file        sh -c 'notesynth -w saw -C 2 -r 44100 -A 2 -D 40 -S 0.3 -R 300 -g 0.4 --voices 2 --bits 16 -o ns.wav arp.jsonl && cat ns.wav'
golden notesynth-chain       sh -c 'clock -b 90 --bars 1 | euclid --seed 1 -k 7 | arp --seed 1 -O 3 -P diverge | notesynth -w square -R 20ms -C 2'

# ---------------------------------------------------------------- video effects
golden analog-default        analog --seed 7 v.y4m
golden analog-options        analog --seed 8 -g 12 -B 0.3 -r 2 -d 0.6 -V 0.8 v444.y4m
golden colorgrade-ranges     colorgrade --seed 3 -t -0.5..0.5 --tint -0.3..0.3 -c 0.8..1.3 -B -0.1..0.1 -s 0.5..1.5 v.y4m
golden colorgrade-curve      colorgrade -C 0/0.1,0.5/0.6,1/0.9 -g 1.4 v444.y4m
golden pixcorrupt-default    pixcorrupt --seed 9 v.y4m
golden pixcorrupt-options    pixcorrupt --seed 10 -p 1 -n 2..6 -s 8..32 -m 6 -k 0.3 --smear 1 --bytes 0.5 v444.y4m
golden posterize-default     posterize --seed 2 v.y4m
golden posterize-ranges      posterize --seed 2 -n 3..8 -N 4..16 -m 0.7 -p 0.7 v444.y4m
golden rgbsplit-default      rgbsplit --seed 1 v.y4m
golden rgbsplit-ranges       rgbsplit --seed 2 --red-x -4..4 --red-y -2..2 --green-x 0..3 --blue-x -5..-1 --blue-y -2..2 -p 0.8 v444.y4m
golden scanlines-default     scanlines --seed 1 v.y4m
golden scanlines-options     scanlines --seed 2 -P 4 -T 2 -d 0.3..0.7 -R 1 -t 0.5 -s 20 v444.y4m
golden vnoise-default        vnoise --seed 4 v.y4m
golden vnoise-options        vnoise --seed 5 -s 4..12 -c 0..5 -p 0.8 -t uniform -f v444.y4m
golden stabilize-default     stabilize shaky.y4m
golden stabilize-tripod-pipe sh -c 'stabilize -s 0 -c black -Z 0 -z 5 -i bicubic <shaky.y4m'

# ---------------------------------------------------------------- layering, bonding, containers
golden colorkey-fixed        colorkey --seed 1 -m fixed -c white -S 0.2..0.3 -B 0..0.05 v.y4m paper.png
colorkey_kmeans() { # the session is part of the output: sources are relative names
	colorkey --seed 11 -m kmeans -k 4 --keys 2 -S 0.1..0.4 -B 0..0.2 -t -d 0.4 --record sess.json v.y4m box.y4m top.y4m &&
		cat sess.json
}
golden colorkey-kmeans-record colorkey_kmeans
golden colorkey-replay       colorkey --replay sess.json
golden colorkey-luminance    colorkey --seed 2 -m luminance -C 444 -s 96x64 --fit pad v.y4m top.y4m
golden colorkey-motion       colorkey --seed 3 -m motion --window 3 --interval 2 -r 25 --no-loop -d 16f v.y4m box.y4m
golden avbond-still          avbond -r 25 -s 64x48 b2.wav still.png
golden avbond-folder-onsets  avbond --seed 1 -r 25 b.wav pics
golden avbond-folder-every   avbond --seed 2 -S -e 1 -b 120 -r 12 -s 48x32 --fit pad b.wav pics
golden avbond-clip           avbond -r 30 -s 64x48 --start 0.1 -C 444 b2.wav v.y4m
golden avsplit-video         avsplit media.mkv
golden avsplit-audio         avsplit -a - media.mkv
golden avsplit-convert       avsplit -V - -r 30 -s 96x64 --fit pad -C 422 --start 0.2 -d 0.6 media.mkv
golden avsplit-audio-wav     sh -c 'avsplit -a as.wav --rate 48000 -c 1 --bits 16 --start 100ms media.mkv && cat as.wav'
# avmux: the container's bytes hold x264's bit stream, and x264 picks its thread count
# (and so its bits) from the machine's cores; the case is lossless (-q 0), so the
# decoded frames are the input's and do not depend on threads: what is hashed is
# ffprobe's stream facts, the decoded video frames' checksums and the AAC packets
# (libavcodec's encoder, single-threaded).
avmux_digest() { # OUTFILE
	ffprobe -v error -show_entries format=format_name,duration:stream=index,codec_type,codec_name,width,height,pix_fmt,r_frame_rate,time_base,start_pts,duration_ts,nb_frames,sample_rate,channels \
		-of compact "$1" &&
		ff -i "$1" -map 0:v -f framemd5 - && ff -i "$1" -map 0:a -c:a copy -f framemd5 -
}
avmux_mp4() { avbond -r 25 -s 64x48 b2.wav v.y4m >mux.y4m && avmux -q 0 --x264-preset ultrafast -o mux.mp4 b2.wav mux.y4m && avmux_digest mux.mp4; }
golden avmux-mp4-lossless    avmux_mp4
avmux_mkv() { avmux -q 0 --x264-preset ultrafast -B 96 --preview 0.2 -o mux.mkv b2.wav mux.y4m && avmux_digest mux.mkv; }
golden avmux-mkv-preview     avmux_mkv
# vscan: a small library with fixed mtimes (the records carry them), scanned by its
# relative name; each file is made bit-exact, as the record's hash reads its bytes
vscan_lib() {
	rm -rf lib && mkdir -p lib/sub lib/.hidden &&
		cp v.y4m lib/a.y4m && cp media.mkv lib/sub/b.mkv && cp b2.wav lib/sub/voice.wav &&
		cp still.png lib/still.png && cp v.y4m lib/.hidden/c.y4m && cp top.y4m lib/sub/noext &&
		find lib -exec touch -h -d '2024-01-02 03:04:05.5 UTC' {} +
}
vscan_lib
golden vscan-default         vscan lib
golden vscan-all-images      vscan -a --images lib
vscan_cache() { vscan -c cache.jsonl lib >/dev/null && vscan -c cache.jsonl -o list.jsonl lib && cat list.jsonl cache.jsonl; }
golden vscan-cache           vscan_cache

# ---------------------------------------------------------------- the sums
# a recorded case the script no longer runs is stale
if [ "${GOLDEN_UPDATE:-}" != 1 ] && [ -r "$SUMS" ]; then
	awk 'NR == FNR { run[$1] = 1; next } !($1 in run) { print $1 }' ran "$SUMS" | while read -r n; do
		fail "$n" "recorded in tests/golden.sums but no longer run: regenerate with GOLDEN_UPDATE=1 and name it in the commit"
	done
fi
if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
	if [ "$nfail" -eq 0 ]; then
		cp new.sums "$SUMS.tmp" && mv "$SUMS.tmp" "$SUMS" && pass "golden.sums rewritten ($(wc -l <new.sums) cases)"
	else fail "golden.sums left as it was" "$nfail cases did not run"; fi
fi
