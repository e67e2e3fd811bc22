# tests/seed.sh -- a picked seed that matters is carried by every output that can
# hold it (y4m X-tag, AU annotation, WAV/FLAC comment, seed event, MIDI text
# event), read back with ffprobe, sox and mido; replaying it with --seed gives the
# same samples, frames and events; runs whose randomness cannot change the output
# carry nothing; the rest is printed on stderr.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

ff -f lavfi -i testsrc=s=64x48:r=10 -t 1 -pix_fmt yuv420p in.y4m
cp "$F/break48.wav" b.wav

# the seed a y4m header carries, or nothing
y4m_seed() { head -1 "$1" | tr ' ' '\n' | sed -n 's/^XSHARDS_SEED=//p'; }
# everything after the header line: the frames
frames() { tail -n +2 "$1"; }
# an audio file's comment: ffprobe for WAV and FLAC, sox for AU (FFmpeg reads only
# key=value annotations)
comment() {
	case $1 in
	*.au) soxi -a "$1" ;;
	*) ffprobe -v error -show_entries format_tags=comment -of default=nw=1:nk=1 "$1" ;;
	esac
}
same_stdout() { # WHAT CMD1 CMD2: the two commands print the same bytes
	_w=$1
	if sh -c "$2" >"$W/a.cmp" && sh -c "$3" >"$W/b.cmp" && cmp -s "$W/a.cmp" "$W/b.cmp"; then pass "$_w"
	else fail "$_w" "$2 / $3 differ"; fi
}

# ---- video: the X-tag, and a replay by it
vnoise in.y4m >n1.y4m 2>n1.err
s=$(y4m_seed n1.y4m)
check "vnoise: the header carries the picked seed" test -n "$s"
check "vnoise: nothing on stderr when the output holds it" test ! -s n1.err
vnoise --seed "$s" in.y4m >n2.y4m
same_stdout "vnoise: --seed with the carried seed gives the same frames" "tail -n +2 n1.y4m" "tail -n +2 n2.y4m"
check "vnoise: a given seed is not carried" test -z "$(y4m_seed n2.y4m)"
vnoise n1.y4m >n3.y4m
check "vnoise after vnoise: one seed tag, the second run's" \
	sh -c "test \"\$(head -1 n3.y4m | grep -o XSHARDS_SEED= | wc -l)\" -eq 1 && test \"$(y4m_seed n3.y4m)\" != \"$s\""
check "ffmpeg reads the tagged stream" sh -c 'ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 n1.y4m | grep -qx 10'
posterize in.y4m >p1.y4m; posterize in.y4m >p2.y4m 2>p2.err
check "posterize with fixed levels: nothing carried" test -z "$(y4m_seed p1.y4m)"
same_file "posterize with fixed levels: the same bytes run after run" p1.y4m p2.y4m
check "posterize with fixed levels: nothing on stderr" test ! -s p2.err
posterize -n 3..9 in.y4m >p3.y4m
check "posterize with a range of levels: the seed is carried" test -n "$(y4m_seed p3.y4m)"
vnoise -s 0 -c 0 in.y4m >z.y4m 2>z.err
check "vnoise of strength 0: nothing carried, nothing printed" sh -c 'test -z "$(head -1 z.y4m | grep XSHARDS_SEED)" && test ! -s z.err'

# ---- audio: AU annotation on a pipe, a WAV comment after the samples, FLAC
chop b.wav >c1.au 2>c1.err
is_seed_comment() { comment "$1" | grep -Eq "^shards seed [0-9]+$"; }
check "chop on a pipe: the AU annotation holds the seed" is_seed_comment c1.au
s=$(comment c1.au | sed 's/shards seed //')
check "chop: nothing on stderr" test ! -s c1.err
chop --seed "$s" b.wav >c2.au
check "chop --seed with the carried seed: the same samples" \
	sh -c 'sox c1.au -t f32 a.f32 && sox c2.au -t f32 b.f32 && cmp -s a.f32 b.f32'
check "sox reads the annotated stream: same length" \
	sh -c 'test "$(soxi -s c1.au)" = "$(soxi -s c2.au)"'
check "the suite reads it back" sh -c 'dsp gain db=0 <c1.au | sox -t au - -t f32 - | cmp -s - a.f32'
chop b.wav -o c3.wav
check "chop -o WAV: ffprobe reads the comment" is_seed_comment c3.wav
check "chop -o WAV: sox and ffmpeg read the same samples (no comment taken for audio)" \
	sh -c 'sox c3.wav -t f32 x.f32 && ffmpeg -nostdin -v error -i c3.wav -f f32le -c:a pcm_f32le -y y.f32 && cmp -s x.f32 y.f32 &&
	test "$(stat -c %s x.f32)" -eq "$(od -An -tu4 -j54 -N4 c3.wav | tr -d " ")"'
chop b.wav --bits 16 -o c4.flac
check "chop -o FLAC: ffprobe reads the comment" is_seed_comment c4.flac
chop b.wav --bits 16 -o c5.wav
check "chop -o 16-bit WAV (libsndfile): ffprobe reads the comment" is_seed_comment c5.wav
dsp -i b.wav lowpass >l1.au 2>l1.err; dsp -i b.wav lowpass >l2.au
same_file "dsp lowpass (nothing random): the same bytes run after run" l1.au l2.au
check "dsp lowpass: nothing on stderr" test ! -s l1.err
check "dsp lowpass: no annotation" sh -c 'test "$(od -An -tu1 -j4 -N4 l1.au | tr -d " ")" = 00028'
# a seed that matters only once the samples flow: FLAC's comment is written
# before them, so the seed goes to stderr
specsmear b.wav -o sm.flac 2>sm.err
check "specsmear -o FLAC: the seed on stderr" grep -Eqx "specsmear: seed [0-9]+" sm.err
s=$(sed -n 's/^specsmear: seed //p' sm.err)
specsmear --seed "$s" b.wav -o sm2.flac
check "specsmear --seed with the printed seed: the same samples" \
	sh -c 'sox sm.flac -t f32 a.f32 && sox sm2.flac -t f32 b.f32 && cmp -s a.f32 b.f32'
specsmear b.wav >sm.au 2>sm.err
check "specsmear on a pipe: the annotation holds the seed" is_seed_comment sm.au
check "specsmear on a pipe: nothing on stderr" test ! -s sm.err
check "-v notes the seed once, at the start" sh -c 'specsmear -v b.wav -o v.flac 2>&1 | grep -c "seed" | grep -qx 1'
check "a failing run prints no seed" sh -c '! specsmear nosuch.wav -o x.flac 2>e.txt; ! grep -q "seed" e.txt'

# ---- events: a seed event, and midiout's text event
euclid --beats 64 -p 0.5 >e1.jsonl 2>e1.err
check "euclid -p 0.5: a seed event" grep -q '"type":"seed","program":"euclid","seed":' e1.jsonl
check "euclid: nothing on stderr" test ! -s e1.err
s=$(jq -r 'select(.type == "seed") | .seed' e1.jsonl)
euclid --beats 64 -p 0.5 --seed "$s" >e2.jsonl
same_stdout "euclid --seed with the carried seed: the same events" "grep -v '\"type\":\"seed\"' e1.jsonl" "cat e2.jsonl"
check "times stay in order" sh -c 'jq -s "[.[].t] | . == sort" e1.jsonl | grep -qx true'
euclid --beats 8 >d1.jsonl; euclid --beats 8 >d2.jsonl
same_file "euclid with a chance of 1: the same events run after run" d1.jsonl d2.jsonl
check "arp passes the seed event on" sh -c 'arp <e1.jsonl | grep -q "\"type\":\"seed\",\"program\":\"euclid\""'
arp <e1.jsonl | midiout -o e.mid
check "midiout writes it as a MIDI text event (mido)" sh -c "$PY -c '
import mido, sys
t = [m.text for m in mido.MidiFile(\"e.mid\").tracks[0] if m.type == \"text\"]
sys.exit(0 if t == [\"euclid seed $s\"] else 1)'"

# ---- cut lists and sessions hold it already: nothing on stderr
cutgen b.wav >cl.json 2>cl.err
check "cutgen: the cut list holds the seed, nothing on stderr" sh -c 'jq -e ".seed >= 0" cl.json >/dev/null && test ! -s cl.err'

# ---- a long header (1080p at 30000/1001 from ffmpeg) stays short enough for FFmpeg
ff -f lavfi -i testsrc=s=1920x1080:r=30000/1001 -frames:v 2 -pix_fmt yuv420p hd.y4m
vnoise hd.y4m >hdn.y4m
check "1080p: the seed is carried" test -n "$(y4m_seed hdn.y4m)"
check "1080p: the header fits FFmpeg's 96 bytes (XYSCSS, a repeat of C, gave way)" \
	sh -c 'test "$(head -1 hdn.y4m | wc -c)" -le 96 && ! head -1 hdn.y4m | grep -q XYSCSS'
check "1080p: ffmpeg reads it" sh -c 'ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 hdn.y4m | grep -qx 2'

# ---- an arrangement plan holds it; a direct render's file keeps it as its comment
arrange b.wav b.wav -d 4 -b 120 --plan >plan.json 2>plan.err
check "arrange --plan: the plan holds the seed, nothing on stderr" sh -c 'jq -e ".seed >= 0" plan.json >/dev/null && test ! -s plan.err'
arrange b.wav b.wav -d 4 -b 120 -o ar.wav 2>ar.err
check "arrange: the rendered file's comment holds the seed" is_seed_comment ar.wav
check "arrange: nothing on stderr" test ! -s ar.err

# ---- a colorkey session replays a picked seed's output bit-exact, tag included
colorkey -m kmeans -S 0.1..0.5 -k 4 --keys 2 -d 1 --record ck.json in.y4m in.y4m >ck1.y4m
check "colorkey: the stream carries the session's seed" test "$(y4m_seed ck1.y4m)" = "$(jq .seed ck.json)"
colorkey --replay ck.json >ck2.y4m
same_file "colorkey --replay of a picked seed: the same bytes" ck1.y4m ck2.y4m
