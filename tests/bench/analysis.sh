#!/bin/sh
# tests/bench/analysis.sh -- tempo and key accuracy of bpm and keydetect on the
# development set (tests/devset/build.sh), side by side with aubio tempo,
# bpm-tools' bpm and soundstretch -bpm in the same run, plus speed per minute
# of audio. Accuracy1: within 4% of the truth; Accuracy2: also at x2, x1/2, x3,
# x1/3, on the main set and on the hard set (fast, triple and compound metre,
# swung, dotted and half-time grooves), each in its own row. Key: exact, and
# MIREX-weighted (fifth 0.5, relative 0.3, parallel 0.2), with keydetect's
# "none" answers counted as wrong and reported.
# ANALYSIS_TOOLS="shards aubio" limits the tempo tools compared.
# Same path for every tool: each reads the same WAV file by name and prints a
# line that the loop reads, one process per file (bpm-tools reads raw floats on
# standard input only, so its decode through sox is part of its figure, as it is
# for its users).
set -u
top=${SHARDS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${SHARDS_BENCH_TMP:-/tmp}/analysis
mkdir -p "$tmp"
DEVSET=${DEVSET:-${XDG_CACHE_HOME:-$HOME/.cache}/shards-devset}
export DEVSET
[ -s "$DEVSET/tempo.tsv" ] && [ -s "$DEVSET/tempo-hard.tsv" ] || sh "$top/tests/devset/build.sh" >&2 || { echo "bench: analysis: no development set"; exit 1; }
tools=${ANALYSIS_TOOLS:-shards aubio bpmtools soundstretch}

est() { # TOOL FILE -> BPM
	case $1 in
	shards) bpm "$2" 2>/dev/null ;;
	aubio) aubio tempo -i "$2" 2>/dev/null | awk '/bpm/ { print $1 }' ;;
	bpmtools) sox -q "$2" -t raw -r 44100 -e float -c 1 - 2>/dev/null | "$bpm_tools_bin" 2>/dev/null ;;
	soundstretch) soundstretch "$2" -bpm 2>&1 | awk '/Detected BPM rate/ { print $4 }' ;;
	esac
}
# bpm-tools installs /usr/bin/bpm, shadowed by ours on PATH: call it by path.
bpm_tools_bin=/usr/bin/bpm

for set in main hard; do
tsv=$DEVSET/tempo.tsv
[ $set = hard ] && tsv=$DEVSET/tempo-hard.tsv
minutes=$(cut -f1 "$tsv" | while read -r f; do soxi -D "$f"; done | awk '{ s += $1 } END { printf "%.2f", s / 60 }')
n=$(wc -l <"$tsv")
for t in $tools; do
	case $t in
	aubio) command -v aubio >/dev/null || continue ;;
	bpmtools) [ -x "$bpm_tools_bin" ] || continue ;;
	soundstretch) command -v soundstretch >/dev/null || continue ;;
	esac
	start=$(date +%s.%N)
	while IFS='	' read -r f truth origin; do
		e=$(est "$t" "$f" | head -1)
		printf '%s\t%s\t%s\t%s\n' "$f" "$truth" "${e:-0}" "$origin"
	done <"$tsv" >"$tmp/tempo-$set-$t.tsv"
	end=$(date +%s.%N)
	res=$(awk -F'\t' -v min="$minutes" -v s="$start" -v e="$end" '
		function near(a, b) { return b > 0 && (a / b > 0.96 && a / b < 1.04) }
		{ n++; t = $2; x = $3
		  if (near(x, t)) a1++
		  if (near(x, t) || near(x, 2*t) || near(x, t/2) || near(x, 3*t) || near(x, t/3)) a2++ }
		END { printf "%.1f %.1f %.3f", 100*a1/n, 100*a2/n, (e - s) / min }' "$tmp/tempo-$set-$t.tsv")
	set -- $res
	if [ $set = main ]; then
		echo "bench: tempo accuracy ($n files, $minutes min): $t Accuracy1 $1%, Accuracy2 $2%, $3 s per minute of audio"
		eval "sec_$t=$3"
	else
		echo "bench: tempo accuracy, hard set ($n files, $minutes min): $t Accuracy1 $1%, Accuracy2 $2%"
	fi
done
# Per category of the hard set, every tool of this run side by side.
if [ $set = hard ]; then
	for t in $tools; do [ -s "$tmp/tempo-hard-$t.tsv" ] && awk -F'\t' -v t="$t" '{ print t "\t" $0 }' "$tmp/tempo-hard-$t.tsv"; done |
		awk -F'\t' '
		function near(a, b) { return b > 0 && (a / b > 0.96 && a / b < 1.04) }
		{ tool = $1; t = $3; x = $4; c = $5; sub(/^hard:/, "", c)
		  if (!(c in seen)) { seen[c] = 1; cats[++nc] = c }
		  if (!(tool in tseen)) { tseen[tool] = 1; tl[++nt] = tool }
		  k = c SUBSEP tool; n[k]++
		  if (near(x, t)) a1[k]++
		  if (near(x, t) || near(x, 2*t) || near(x, t/2) || near(x, 3*t) || near(x, t/3)) a2[k]++ }
		END { for (i = 1; i <= nc; i++) {
			line = sprintf("bench: tempo, hard set, %s (%d files):", cats[i], n[cats[i] SUBSEP tl[1]])
			for (j = 1; j <= nt; j++) { k = cats[i] SUBSEP tl[j]
				line = line sprintf(" %s %.0f%%/%.0f%%%s", tl[j], 100*a1[k]/n[k], 100*a2[k]/n[k], j < nt ? "," : "") }
			print line " (Accuracy1/Accuracy2)" } }'
fi
done
if [ -n "${sec_shards:-}" ] && [ -n "${sec_aubio:-}" ]; then
	echo "bench: bpm speed per minute of audio: shards ${sec_shards}s, aubio ${sec_aubio}s, ratio $(awk -v a="$sec_shards" -v b="$sec_aubio" 'BEGIN { printf "%.2f", a / b }')"
fi

# Key accuracy.
kn=$(wc -l <"$DEVSET/key.tsv")
start=$(date +%s.%N)
while IFS='	' read -r f truth origin; do
	printf '%s\t%s\t%s\n' "$f" "$truth" "$(keydetect "$f" 2>/dev/null || echo none)"
done <"$DEVSET/key.tsv" >"$tmp/key-shards.tsv"
end=$(date +%s.%N)
awk -F'\t' -v s="$start" -v e="$end" '
	BEGIN { split("C C# D Eb E F F# G Ab A Bb B", nm, " ")
	        for (i = 1; i <= 12; i++) pc[nm[i]] = i - 1
	        pc["Db"] = 1; pc["D#"] = 3; pc["Gb"] = 6; pc["G#"] = 8; pc["A#"] = 10 }
	function parse(k, r,   a) { split(k, a, " "); r["t"] = pc[a[1]]; r["m"] = (a[2] == "minor") }
	{ n++; parse($2, T); parse($3, E)
	  if ($3 == "none") { none++; next }
	  d = (E["t"] - T["t"] + 12) % 12
	  if (E["m"] == T["m"] && d == 0) { ex++; w += 1 }
	  else if (E["m"] == T["m"] && (d == 7 || d == 5)) w += 0.5
	  else if (!T["m"] && E["m"] && d == 9) w += 0.3
	  else if (T["m"] && !E["m"] && d == 3) w += 0.3
	  else if (E["m"] != T["m"] && d == 0) w += 0.2 }
	END { printf "bench: key accuracy (%d files): shards exact %.1f%%, MIREX weighted %.1f%%, %d answered none, %.2f s total\n", n, 100*ex/n, 100*w/n, none, e - s }' "$tmp/key-shards.tsv"
