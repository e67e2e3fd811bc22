# tests/lib.sh -- sourced by every pipeline test script.
#   T=name                       prefix for this script's results
#   pass "what" / fail "what" "detail"
#   check "what" CMD...          passes when CMD exits 0 (its output goes to the log on failure)
#   check_fail "what" STATUS PATTERN CMD...
#                                passes when CMD exits STATUS and its stderr is one line
#                                matching the grep -E PATTERN
#   same_file "what" A B         byte-identical files
#   near "what" A B TOL          |A-B| <= TOL (numbers)
#   wait_for PID CMD...          polls until CMD succeeds or process PID has ended:
#                                a condition, never a time (tests/run's timeout is the
#                                only bound, however busy the machine)
#   W                            a fresh scratch folder for this script
set -u
: "${SHARDS_TMP:?run through tests/run}"
F=$SHARDS_FIXTURES
T=${T:-$(basename "$0" .sh)}
W=$SHARDS_TMP/work-$T
rm -rf "$W"; mkdir -p "$W"

pass() { echo "ok - $T: $1"; }
fail() { echo "not ok - $T: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -20; return 0; }
# ffmpeg quietly, overwriting: how the scripts make their video fixtures
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }

check() {
	_what=$1; shift
	if "$@" >"$W/.out" 2>"$W/.err"; then pass "$_what"
	else fail "$_what" "status $?: $(head -c 1500 "$W/.err")"; fi
}

check_fail() {
	_what=$1 _want=$2 _pat=$3; shift 3
	"$@" >"$W/.out" 2>"$W/.err" </dev/null
	_got=$?
	_lines=$(wc -l <"$W/.err")
	if [ "$_got" -ne "$_want" ]; then fail "$_what" "exit $_got, wanted $_want: $(head -c 600 "$W/.err")"
	elif [ "$_lines" -ne 1 ]; then fail "$_what" "stderr has $_lines lines: $(head -c 600 "$W/.err")"
	elif ! grep -qE -- "$_pat" "$W/.err"; then fail "$_what" "stderr does not match '$_pat': $(cat "$W/.err")"
	else pass "$_what"; fi
}

same_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}

near() {
	if awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; then
		pass "$1"
	else fail "$1" "$2 vs $3 (tolerance $4)"; fi
}

wait_for() {
	_pid=$1; shift
	while ! "$@" 2>/dev/null && kill -0 "$_pid" 2>/dev/null; do sleep 0.05; done
}

# raw AUDIO OUT.f32: the samples as little-endian floats, channels interleaved
raw() { sox "$1" -t f32 -e floating-point -b 32 "$2"; }
# seam_check AUDIO CHANNELS: for the loop played three times, prints "jump
# inside_max d2seam d2inside": the largest step and second difference at the
# wraps and elsewhere (a seamless loop has no larger jump at its seams)
seam_check() {
	raw "$1" "$1.f32"
	"${PY:-/usr/bin/python3}" - "$1.f32" "$2" <<'PYEOF'
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4').reshape(-1, int(sys.argv[2])).astype(np.float64)
n = len(x)
y = np.concatenate([x, x, x])
d = np.abs(np.diff(y, axis=0)).max(axis=1)
d2 = np.abs(np.diff(y, 2, axis=0)).max(axis=1)
seams = [n - 1, 2 * n - 1]
inside = np.delete(d, seams)
w2 = [n - 2, n - 1, 2 * n - 2, 2 * n - 1]
inside2 = np.delete(d2, w2)
print("%.6f %.6f %.6f %.6f" % (max(d[s] for s in seams), inside.max(), max(d2[s] for s in w2), inside2.max()))
PYEOF
}
