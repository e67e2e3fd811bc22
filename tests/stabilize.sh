# stabilize: two-pass libvidstab through libavfilter.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
mkdir -p "$W/tmp"
export TMPDIR="$W/tmp"
shaky() { # chroma pix_fmt size frames -> a clip whose camera jitters
	ffmpeg -v error -f lavfi -i "testsrc2=size=$2:rate=25" -frames:v "$3" \
		-vf "crop=w=iw-80:h=ih-60:x=40+12*sin(n*1.7):y=30+10*cos(n*2.3)" -pix_fmt "$1" -f yuv4mpegpipe -
}
shaky yuv420p 400x300 25 >"$W/shaky.y4m"
stabilize "$W/shaky.y4m" >"$W/st.y4m"
check "frame count kept" $Y4M frames "$W/st.y4m" 25
cat >"$W/shake.py" <<PYEOF
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
def shake(f):
    h, fr = vfx_y4m.read(f); y = [x[0][40:-40, 40:-40].astype(int) for x in fr]
    return np.mean([np.abs(y[i] - y[i - 1]).mean() for i in range(1, len(y))])
a, b = shake(sys.argv[1]), shake(sys.argv[2]); print(a, b); sys.exit(0 if b < a * float(sys.argv[3]) else 1)
PYEOF
check "frame-to-frame difference falls below a third" $PY "$W/shake.py" "$W/shaky.y4m" "$W/st.y4m" 0.34
# the same two passes run by the ffmpeg command line give the same bytes
ffmpeg -v error -i "$W/shaky.y4m" -vf "vidstabdetect=result=$W/ff.trf" -f null -
ffmpeg -v error -i "$W/shaky.y4m" -vf "vidstabtransform=input=$W/ff.trf" -f yuv4mpegpipe - >"$W/ff.y4m"
same_file "bit-identical to ffmpeg's vidstabdetect + vidstabtransform" "$W/st.y4m" "$W/ff.y4m"
stabilize <"$W/shaky.y4m" >"$W/pipe.y4m"
same_file "a pipe (spooled) gives the same bytes as a file (read twice)" "$W/st.y4m" "$W/pipe.y4m"
trickle 5000 3 <"$W/shaky.y4m" | stabilize >"$W/tr.y4m"
same_file "same output whatever the pipe's block size" "$W/st.y4m" "$W/tr.y4m"
stabilize -s 0 -c black <"$W/shaky.y4m" >"$W/tripod.y4m"
check "smoothing 0 (tripod) steadies harder than the default" $PY "$W/shake.py" "$W/st.y4m" "$W/tripod.y4m" 1.0
ffmpeg -v error -loop 1 -i /usr/share/backgrounds/gnome/wood-l.webp -frames:v 5 -vf scale=320:-2 -pix_fmt yuv420p -f yuv4mpegpipe - >"$W/still.y4m"
stabilize <"$W/still.y4m" >"$W/still-st.y4m"
same_file "a still picture comes out bit-exact" "$W/still.y4m" "$W/still-st.y4m"
for c in yuv420p:C420jpeg yuv422p:C422 yuv444p:C444 gray:Cmono; do
	shaky "${c%%:*}" 240x180 8 >"$W/c.y4m"
	stabilize <"$W/c.y4m" >"$W/cs.y4m" 2>"$W/err"
	if $Y4M frames "$W/cs.y4m" 8 >/dev/null && $Y4M header "$W/cs.y4m" "${c#*:}" >/dev/null &&
		$Y4M changed "$W/cs.y4m" "$W/c.y4m" 0.05 >/dev/null; then pass "works on ${c#*:}"
	else fail "works on ${c#*:}" "$(cat "$W/err")"; fi
done
for c in 420mpeg2 420paldv 420; do
	sed "1s/C420jpeg XYSCSS=420JPEG/C$c/" "$W/shaky.y4m" >"$W/c.y4m"
	stabilize <"$W/c.y4m" >"$W/cs.y4m"
	check "works on C$c" $Y4M header "$W/cs.y4m" "C$c"
done
printf 'YUV4MPEG2 W128 H96 F25:1 C420jpeg\n' | stabilize >"$W/empty.y4m"
check "no frames in, a header and no frames out" $Y4M frames "$W/empty.y4m" 0
vfx_bad stabilize ""
check_fail "frames below 96x96 are refused (libvidstab reads outside them)" 1 "too small" stabilize "$W/c-420jpeg.y4m"
check "no temporary files left behind" sh -c "[ -z \"\$(ls -A '$W/tmp')\" ]"
check_fail "accuracy below shakiness is a usage error" 2 "at least --shakiness" stabilize -S 8 -a 4 "$W/shaky.y4m"
