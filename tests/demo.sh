# demo: `make demo`'s tour (tools/demo) renders every piece it promises, each one
# checked by a tool other than shards: sox for sound, ffprobe for the video, mido for
# the MIDI file, ffmpeg's ebur128 for loudness, jq for the cut lists, the texture manifest by its columns.
. "$(dirname "$0")/lib.sh"
cd "$W"
top=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(dirname "$(command -v cutgen)")
check "the tour runs" sh "$top/tools/demo" "$bindir" out
secs() { soxi -D "out/$1"; }
for f in break glitched smeared dsp-chain pattern arp soundtrack; do
	check "$f.wav is sound (not silence)" sh -c "sox out/$f.wav -n stat 2>&1 | awk '/RMS +amplitude/ { exit !(\$3 > 0.001) }'"
done
near "the break is four bars at 132 BPM" "$(secs break.wav)" 7.2727 0.001
check "the micro-sampled break is at least as long (stutters add)" sh -c "[ \$(echo \"$(secs glitched.wav) >= 7.27\" | bc) = 1 ]"
check "cut lists are JSON with cuts" sh -c 'jq -e ".cuts | length > 10" out/cuts.json && jq -e ".cuts | length > 10" out/video-cuts.json'
check "the cut list's picture is a PNG" sh -c 'identify out/cuts.png | grep -q " PNG "'
check "textures: pads mined, with a graded manifest" sh -c \
	'ls out/textures/recording/pads/*.wav >/dev/null && awk -F, "NR > 1 && \$12 ~ /^[A-F]\$/ { n++ } END { exit !(n >= 1) }" out/textures/manifest.csv'
check "textures: a contact sheet" sh -c 'identify out/textures/sheet.png | grep -q " PNG "'
check "the arpeggio as MIDI has notes" /usr/bin/python3 -c '
import sys, mido
n = sum(1 for m in mido.MidiFile("out/arp.mid") if m.type == "note_on" and m.velocity)
sys.exit(n < 20)'
probe() { ffprobe -v error -select_streams "$1" -show_entries "stream=$2" -of csv=p=0 out/video.mp4; }
check "the video: H.264 and AAC" test "$(probe v:0 codec_name) $(probe a:0 codec_name)" = "h264 aac"
check "the video: 640x360" test "$(probe v:0 width)x$(probe v:0 height)" = 640x360
near "the video: as long as the break" "$(probe v:0 duration)" 7.2727 0.04
near "the video: its sound as long" "$(probe a:0 duration)" 7.2727 0.04
lufs=$(ffmpeg -nostdin -hide_banner -i out/soundtrack.wav -af ebur128 -f null - 2>&1 | awk '/^ *I:/ { v = $2 } END { print v }')
near "the soundtrack is at -14 LUFS (ffmpeg's ebur128)" "$lufs" -14 0.5
check "avglitch's one-command render: H.264 and AAC, as long as the break" sh -c \
	'[ "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 out/avglitch.mp4 | tr "\n" " ")" = "h264 aac " ]'
vdur=$(ffprobe -v error -select_streams v:0 -show_entries stream=duration -of csv=p=0 out/avglitch.mp4)
near "avglitch's render: sound and picture equally long" \
	"$(ffprobe -v error -select_streams a:0 -show_entries stream=duration -of csv=p=0 out/avglitch.mp4)" "$vdur" 0.04
