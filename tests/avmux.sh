# avmux: streams, codecs and durations by ffprobe; avsplit -> avmux round trip
# keeps duration and sync (flashes and clicks at the same instants); mismatched
# lengths are a clear error with no file left behind.
. "$(dirname "$0")/lib.sh"
cd "$W"
# 3 s at 25 fps: white flashes on frames 10, 35 and 60, 1 kHz clicks at the same instants
ff -f lavfi -i "color=black:s=160x120:r=25:d=3,format=yuv420p,drawbox=c=white:t=fill:enable='eq(n,10)+eq(n,35)+eq(n,60)'" \
	-f lavfi -i "aevalsrc='0.8*sin(2*PI*1000*t)*(between(t,0.4,0.42)+between(t,1.4,1.42)+between(t,2.4,2.42))':s=48000:d=3" \
	-c:v libx264 -preset ultrafast -crf 10 -c:a aac -b:a 192k src.mp4
probe() { ffprobe -v error -select_streams "$2" -show_entries "stream=$3" -of csv=p=0 "$1"; }

check "split" avsplit -V v.y4m -a a.au src.mp4
check "mux to mp4" avmux --x264-preset ultrafast -o rt.mp4 a.au v.y4m
# the suite-wide --preset: presets/avmux/NAME.json, x264's own preset is --x264-preset
check "--preset draft (presets/avmux/draft.json)" avmux --preset draft -o pd.mp4 a.au v.y4m
check "--preset draft sets x264's preset" sh -c 'avmux --preset draft --print-config | jq -e ".[\"x264-preset\"] == \"ultrafast\" and .crf == 28"'
check "a flag overrides the preset" sh -c 'avmux --preset draft --crf 20 --print-config | jq -e ".crf == 20"'
check_fail "an unknown x264 preset is a usage error" 2 'x264-preset' avmux --x264-preset warp -o x.mp4 a.au v.y4m
check "two streams" test "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 rt.mp4 | tr '\n' ' ')" = "video audio "
check "h264 video" test "$(probe rt.mp4 v:0 codec_name)" = h264
check "aac audio" test "$(probe rt.mp4 a:0 codec_name)" = aac
check "yuv420p" test "$(probe rt.mp4 v:0 pix_fmt)" = yuv420p
check "75 frames" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 rt.mp4)" -eq 75
near "video duration 3 s" "$(probe rt.mp4 v:0 duration)" 3 0.001
near "audio duration 3 s" "$(probe rt.mp4 a:0 duration)" 3 0.03
near "container duration 3 s" "$(ffprobe -v error -show_entries format=duration -of csv=p=0 rt.mp4)" 3 0.05

# sync: flash frames (mean luma) and click onsets in the round-tripped file
sync_check() {
	ff -i "$1" -vf scale=8:8 -pix_fmt gray -f rawvideo "$1.gray"
	ff -i "$1" -ac 1 -ar 48000 -f f32le "$1.f32"
	python3 - "$1.gray" "$1.f32" "$2" <<'PY'
import sys, struct
g = open(sys.argv[1], 'rb').read(); fps = float(sys.argv[3])
flashes = [i / fps for i in range(len(g) // 64) if sum(g[i*64:(i+1)*64]) / 64 > 128]
a = open(sys.argv[2], 'rb').read(); n = len(a) // 4
s = struct.unpack('<%df' % n, a)
clicks, last = [], -1
for i, v in enumerate(s):
    if abs(v) > 0.3 and (last < 0 or i - last > 4800):
        clicks.append(i / 48000); 
    if abs(v) > 0.3: last = i
print('flashes', flashes, 'clicks', clicks)
assert len(flashes) == 3 and len(clicks) == 3, 'expected 3 and 3'
for f, c in zip(flashes, clicks):
    assert abs(f - c) <= 1 / fps, (f, c)
PY
}
check "flashes and clicks line up in the source" sync_check src.mp4 25
check "flashes and clicks still line up after the round trip" sync_check rt.mp4 25
check "mkv by extension" avmux --x264-preset ultrafast -o rt.mkv a.au v.y4m
check "mkv container" sh -c 'ffprobe -v error -show_entries format=format_name -of csv=p=0 rt.mkv | grep -q matroska'
check "mkv sync" sync_check rt.mkv 25
check "video on stdin, wav audio" sh -c 'sox a.au a.wav && avmux --x264-preset ultrafast -o p.mp4 a.wav - <v.y4m'
check "stdin: 75 frames" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 p.mp4)" -eq 75
check "video through a pipe in small random writes: same file" sh -c 'trickle 1000 3 <v.y4m | avmux --x264-preset ultrafast -o t1.mp4 a.au - && cmp -s t1.mp4 rt.mp4'
check "audio through a pipe in small random writes: same file" sh -c 'trickle 500 2 <a.au | avmux --x264-preset ultrafast -o t2.mp4 - v.y4m && cmp -s t2.mp4 rt.mp4'
check "preview 1 s" avmux --x264-preset ultrafast --preview 1 -o pv.mp4 a.au v.y4m
check "preview: 25 frames" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 pv.mp4)" -eq 25
near "preview: audio 1 s" "$(probe pv.mp4 a:0 duration)" 1 0.03
# several videos, one after another: 1 s red, 2 s of v.y4m (its first two
# seconds), over 3 s of audio; 25 + 50 frames, the red first
ff -f lavfi -i color=red:s=160x120:r=25:d=1 -pix_fmt yuv420p red.y4m
ff -i v.y4m -t 2 -f yuv4mpegpipe -pix_fmt yuv420p v2.y4m
check "two videos one after another" avmux --x264-preset ultrafast -o two.mp4 a.au red.y4m v2.y4m
check "two videos: 75 frames" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 two.mp4)" -eq 75
check "two videos: red first, then the second (frames 12 and 40)" sh -c '
	r=$(ffmpeg -nostdin -v error -i two.mp4 -vf "select=eq(n\,12),scale=1:1" -frames:v 1 -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | awk "{ print (\$1 > 200 && \$2 < 60) }")
	g=$(ffmpeg -nostdin -v error -i two.mp4 -vf "select=eq(n\,40),scale=1:1" -frames:v 1 -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | awk "{ print (\$1 > 200 && \$2 < 60) }")
	test "$r$g" = 10'
check "two videos with --preview 1.5: 37 or 38 frames" sh -c 'avmux --x264-preset ultrafast --preview 1.5 -o two-pv.mp4 a.au red.y4m v2.y4m &&
	n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 two-pv.mp4) && test "$n" -ge 37 && test "$n" -le 38'
check_fail "two videos too short for the audio: the lengths named" 1 "a.au is 3.0[0-9]*s long but red.y4m and the videos after it is 2.000s" avmux -o x.mp4 a.au red.y4m red.y4m
check_fail "several videos, none from stdin" 2 "none may be stdin" avmux -o x.mp4 a.au red.y4m -
# --at: red from 0.4 s (black before), the second cut in at 1 s: 25 + 50 frames again
ff -f lavfi -i color=lime:s=160x120:r=25:d=2 -pix_fmt yuv420p green.y4m
check "--at 0.4,1: a black lead, the red cut by the green" avmux --x264-preset ultrafast --at 0.4,1 -o at.mp4 a.au red.y4m green.y4m
check "--at: 75 frames, black at frame 5, red at 15, green at 40" sh -c '
	px() { ffmpeg -nostdin -v error -i at.mp4 -vf "select=eq(n\,$1),scale=1:1" -frames:v 1 -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | awk "{ print (\$1 < 30 && \$2 < 30 && \$3 < 30) ? \"k\" : (\$1 > 200 && \$2 < 60) ? \"r\" : (\$2 > 200 && \$1 < 60) ? \"g\" : \"o\" }"; }
	test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 at.mp4)" -eq 75 &&
	test "$(px 5)$(px 15)$(px 40)" = krg'
check_fail "--at going back in time" 2 "not before the start before" avmux --at 0,2,1 -o x.mp4 a.au red.y4m v2.y4m red.y4m
ff -f lavfi -i testsrc2=s=320x240:r=25 -t 3 -pix_fmt yuv420p busy.y4m
check "crf changes the size" sh -c 'avmux --x264-preset ultrafast --crf 40 -o small.mp4 a.au busy.y4m &&
	avmux --x264-preset ultrafast --crf 10 -o big.mp4 a.au busy.y4m && test $(stat -c %s small.mp4) -lt $(stat -c %s big.mp4)'
check "44.1 kHz mono audio kept" sh -c 'sox a.au -r 44100 -c 1 a44.wav && avmux --x264-preset ultrafast -o m44.mp4 a44.wav v.y4m && test "$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate,channels -of csv=p=0 m44.mp4)" = "44100,1"'

# threads: x264 runs on a fixed number of threads whatever -j says, and the
# container holds no random identifiers, so -j 1, the default and -j 3 write the
# same bytes (MP4 and Matroska; y4m and compressed video in). Compared at
# ultrafast, which has no look-ahead: at the presets with one, x264's own frame
# threads once gave a different stream on a loaded machine, whatever -j was.
for j in 1 default 3; do
	jo="-j $j"; [ $j = default ] && jo=
	avmux $jo --x264-preset ultrafast -o j$j.mp4 a.au busy.y4m
	avmux $jo --x264-preset ultrafast -o jc$j.mp4 a.au src.mp4
	avmux $jo --x264-preset ultrafast -o j$j.mkv a.au v.y4m
done
same_file "-j 1 and the default: same MP4 bytes" j1.mp4 jdefault.mp4
same_file "-j 1 and -j 3: same MP4 bytes" j1.mp4 j3.mp4
same_file "-j 1 and -j 3, compressed video in: same bytes" jc1.mp4 jc3.mp4
same_file "-j 1 and -j 3: same Matroska bytes" j1.mkv j3.mkv
check "Matroska twice: same bytes" sh -c 'avmux --x264-preset ultrafast -o again.mkv a.au v.y4m && cmp -s again.mkv j1.mkv'
check "x264 runs 3 threads" sh -c 'strings j1.mp4 | grep -q " threads=3 "'
check "-j, --jobs in --help" sh -c 'avmux --help | grep -q -- "-j, --jobs"'
python3 -c '
import struct
s=[0.1]*144000; s[30000]=float("nan")
open("nan.au","wb").write(struct.pack(">6I",0x2e736e64,28,0xffffffff,6,48000,1)+b"\0"*4+struct.pack(">144000f",*s))'
check_fail "NaN audio: refused naming the frame, not an encoder's EINVAL" 1 'nan.au: frame 30000 channel 0 is NaN' avmux -o nan.mp4 nan.au v.y4m
check "...and no output file" test ! -e nan.mp4
check_fail "-j 0: usage error" 2 "jobs" avmux -j 0 -o x.mp4 a.au v.y4m
check_fail "-j 2000: usage error" 2 "jobs" avmux --jobs 2000 -o x.mp4 a.au v.y4m

# bad input
sox a.au short.wav trim 0 2.5
check_fail "audio shorter than the video" 1 'short.wav is 2.500s long but v.y4m is 3.000s.*within one frame' \
	avmux -o bad.mp4 short.wav v.y4m
check_fail "audio shorter than piped video" 1 'short.wav is 2.500s long but - is 3.000s' \
	sh -c 'avmux -o bad.mp4 short.wav - <v.y4m'
check "no file left behind" test -z "$(ls -A | grep bad)"
sox a.au within.wav trim 0 2.97
check "0.03 s short is within a frame" avmux --x264-preset ultrafast -o ok.mp4 within.wav v.y4m
check_fail "no video stream" 1 'avmux: a.au: no video stream' avmux -o x.mp4 a.au a.au
check_fail "no audio stream" 1 'avmux: v.y4m: no audio stream' avmux -o x.mp4 v.y4m v.y4m
check_fail "missing file" 1 'avmux: nope.wav: No such file' avmux -o x.mp4 nope.wav v.y4m
check_fail "unknown container" 2 'unknown container' avmux -o x.avi a.au v.y4m
check_fail "no output" 2 'no output file' avmux a.au v.y4m
