#!/bin/sh
# tests/bench/avmedia.sh -- avsplit and avmux against the ffmpeg commands a user
# would type instead, on the same inputs in one run (tests/bench/lib.sh rows).
#   avsplit: 10 s of 720p H.264 -> 640x360 y4m, both through a pipe into
#            `cat >/dev/null`; -j 1 against ffmpeg on one thread (-threads 1
#            -filter_threads 1), the default against ffmpeg's default threads.
#   avmux:   10 s of 720p y4m + WAV -> H.264 (veryfast, CRF 18, yuv420p) + AAC
#            192 kbit/s MP4, both to a file in the same folder. x264 runs 3
#            threads in avmux whatever -j says; ffmpeg gives x264 1.5 x the cores,
#            which is also 3 on two cores (on more cores ffmpeg's x264 has more).
# The target, wall time at most ffmpeg's, is a speed-up of at least 1.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
tmp=${SHARDS_BENCH_TMP:-/tmp}/avmedia
mkdir -p "$tmp"
cd "$tmp" || exit 1
secs=${AVMEDIA_SECONDS:-10}
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
[ -s l0.mp4 ] && [ -s a.wav ] || {
	ff -f lavfi -i testsrc2=s=1280x720:r=30 -t "$secs" -pix_fmt yuv420p l0.y4m
	ff -i l0.y4m -c:v libx264 -preset veryfast -crf 20 l0.mp4
	ff -f lavfi -i sine=f=220:sample_rate=48000 -t "$secs" -ac 2 a.wav
}
bench_load
ffs="ffmpeg -nostdin -loglevel error -i l0.mp4 -vf scale=640:360:flags=bicubic -pix_fmt yuv420p -f yuv4mpegpipe -"
bench_row "avsplit mp4 -> 640x360 y4m, -j 1" \
	"avsplit -j 1 -s 640x360 -V - l0.mp4 | cat >/dev/null" \
	"ffmpeg -threads 1" "ffmpeg -threads 1 -filter_threads 1 -nostdin -loglevel error -i l0.mp4 -vf scale=640:360:flags=bicubic -pix_fmt yuv420p -f yuv4mpegpipe - | cat >/dev/null" ">= 1"
bench_row "avsplit mp4 -> 640x360 y4m, default -j" \
	"avsplit -s 640x360 -V - l0.mp4 | cat >/dev/null" \
	ffmpeg "$ffs | cat >/dev/null" ">= 1"
ffm="ffmpeg -nostdin -loglevel error -y -i a.wav -i l0.y4m -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 192k out-ff.mp4"
bench_row "avmux 720p y4m + wav -> H.264 + AAC mp4, -j 1" \
	"avmux -j 1 --x264-preset veryfast --crf 18 -B 192 -o out.mp4 a.wav l0.y4m" ffmpeg "$ffm" ">= 1"
bench_row "avmux 720p y4m + wav -> H.264 + AAC mp4, default -j" \
	"avmux --x264-preset veryfast --crf 18 -B 192 -o out.mp4 a.wav l0.y4m" ffmpeg "$ffm" ">= 1"
