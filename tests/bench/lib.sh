# tests/bench/lib.sh -- what every bench script shares (sourced). A row times two
# whole shell pipelines that do the same work as a user would run them: the same
# input (the same file, or the same pipe from cat) and the same output path
# (through a pipe to `cat >/dev/null`, or a file on the same disk). Each is run
# three times and the best wall and CPU times (user + system of every process in
# the pipeline, sinks included) are kept: wall time is what a user waits, CPU
# time is the work done, which a busy machine stretches less.
#   bench_row WHAT "SHARDS PIPELINE" OTHER "OTHER PIPELINE" [TARGET]
# prints two lines
#   bench: WHAT (wall): shards 1.234s, OTHER 2.468s, speed-up 2.00 (TARGET)
#   bench: WHAT (cpu): shards 1.100s, OTHER 2.300s, speed-up 2.09
# speed-up = OTHER's time / shards' time: above 1, shards is faster.
# TARGET is text such as ">= 2" (on the wall line) and is judged: "met"/"MISSED".
BENCH_RUNS=${BENCH_RUNS:-3}

# bench_time "PIPELINE": "WALL CPU", the best of BENCH_RUNS runs
bench_time() {
	_bw= _bc=
	_bt=${SHARDS_BENCH_TMP:-/tmp}/.time.$$
	_i=0
	while [ "$_i" -lt "$BENCH_RUNS" ]; do
		_i=$((_i + 1))
		/usr/bin/time -f "%e %U %S" -o "$_bt" sh -c "$1" || { echo "bench: failed: $1" >&2; rm -f "$_bt"; return 1; }
		_r=$(tail -1 "$_bt")
		_bw=$(echo "$_r ${_bw:-}" | awk '{ t = $1; if ($4 != "" && $4 < t) t = $4; printf "%.3f", t }')
		_bc=$(echo "$_r ${_bc:-}" | awk '{ t = $2 + $3; if ($4 != "" && $4 < t) t = $4; printf "%.3f", t }')
	done
	rm -f "$_bt"
	echo "$_bw $_bc"
}

# bench_line WHAT OTHER "WALL CPU" "WALL CPU" [TARGET]: the two lines of a row
bench_line() {
	printf '%s\037%s\037%s\037%s\037%s\n' "$1" "$2" "$3" "$4" "${5:-}" | awk -F'\037' '{
		split($3, s, " "); split($4, o, " ")
		up = s[1] > 0 ? o[1] / s[1] : 0
		tgt = ""
		if ($5 != "") {
			split($5, t, " ")
			ok = (t[1] == ">=" && up >= t[2]) || (t[1] == "<=" && up <= t[2])
			tgt = sprintf(" (target %s: %s)", $5, ok ? "met" : "MISSED")
		}
		printf "bench: %s (wall): shards %.3fs, %s %.3fs, speed-up %.2f%s\n", $1, s[1], $2, o[1], up, tgt
		printf "bench: %s (cpu): shards %.3fs, %s %.3fs, speed-up %.2f\n", $1, s[2], $2, o[2], (s[2] > 0 ? o[2] / s[2] : 0) }'
}

bench_row() {
	_s=$(bench_time "$2") && _o=$(bench_time "$4") || { echo "bench: $1: FAILED"; return 0; }
	bench_line "$1" "$3" "$_s" "$_o" "${5:-}"
}

# bench_load: a note of how busy the machine is, for reading the figures
bench_load() { echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }

# bench_busy_start / bench_busy_stop: two busy loops beside the work, the machine
# of a user who is doing something else
bench_busy_start() {
	bench_busy=
	trap 'bench_busy_stop' EXIT
	for _i in 1 2; do
		sh -c 'while :; do :; done' &
		bench_busy="$bench_busy $!"
	done
}
bench_busy_stop() {
	for _p in ${bench_busy:-}; do kill "$_p" 2>/dev/null; done
	bench_busy=
}
