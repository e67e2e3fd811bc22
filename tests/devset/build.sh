#!/bin/sh
# tests/devset/build.sh -- build the development set for onsets/bpm/keydetect
# from Debian packages (never committed; rebuilt on demand, cached):
#   - the Hydrogen drum kits' own samples arranged at known tempos (gen.py drums)
#   - Hydrogen's demo songs rendered headless with h2cli (tempo from the song)
#   - MIDI files shipped by Debian packages rendered with fluidsynth and the
#     FluidR3 General MIDI soundfont (tempo and key from the files' meta events)
#   - generated General MIDI song sketches at known tempos and keys (drums, bass,
#     chords, melody) and chord progressions with scale runs in all 24 keys
#   - the hard set: fast (150..215 BPM), triple and compound metre, swung and
#     dotted, half-time grooves as General MIDI sketches (gen.py hard styles)
# Writes $DEVSET/tempo.tsv (FILE<TAB>BPM<TAB>ORIGIN), $DEVSET/key.tsv
# (FILE<TAB>KEY<TAB>ORIGIN) and $DEVSET/tempo-hard.tsv (FILE<TAB>BPM<TAB>ORIGIN). DEVSET defaults to ~/.cache/shards-devset.
# Packages: hydrogen hydrogen-drumkits fluidsynth fluid-soundfont-gm
# python3-mido sox faust-common pianobooster (tests/packages.txt).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
DEVSET=${DEVSET:-${XDG_CACHE_HOME:-$HOME/.cache}/shards-devset}
PY=/usr/bin/python3
SF=/usr/share/sounds/sf2/FluidR3_GM.sf2
SEC=${DEVSET_SECONDS:-30}
mkdir -p "$DEVSET/audio" "$DEVSET/tmp"
tempo=$DEVSET/tempo.tsv.new key=$DEVSET/key.tsv.new hardt=$DEVSET/tempo-hard.tsv.new
: >"$tempo"; : >"$key"; : >"$hardt"

render() { # MID WAV
	[ -s "$2" ] || { fluidsynth -ni -q -F "$DEVSET/tmp/r.wav" -r 44100 "$SF" "$1" >/dev/null 2>&1 &&
		sox -q "$DEVSET/tmp/r.wav" "$2" trim 0 "$SEC" && rm -f "$DEVSET/tmp/r.wav"; }
}

# Deterministic pseudo-random tempo in 60..200 for item N (no $RANDOM: same set everywhere).
tempo_for() { awk -v n="$1" 'BEGIN { x = (n * 7919 + 104729) % 1400; printf "%.1f", 60 + x / 10 }'; }

styles="rock four break swing weak shuffle halfbar"
nstyles=7

# 1. Hydrogen drum kits arranged at known tempos.
i=0
for kit in /usr/share/hydrogen/data/drumkits/*/; do
	[ -f "$kit/drumkit.xml" ] || continue
	name=$(basename "$kit" | tr -c 'A-Za-z0-9_\n' '_')
	for rep in 1 2 3; do
		i=$((i + 1))
		bpm=$(tempo_for $i)
		style=$(echo $styles | cut -d' ' -f$(( (i % nstyles) + 1 )))
		out=$DEVSET/audio/kit-$name-$style-$rep.wav
		if [ ! -s "$out" ]; then
			rm -rf "$DEVSET/tmp/kit"; mkdir -p "$DEVSET/tmp/kit"
			cp -r "$kit"/. "$DEVSET/tmp/kit/"
			$PY "$here/gen.py" drums "$DEVSET/tmp/kit" "$out" "$bpm" "$style" "$i" "$SEC" 2>/dev/null || { echo "skip $kit" >&2; continue; }
		fi
		printf '%s\t%s\t%s\n' "$out" "$bpm" "drumkit:$style" >>"$tempo"
	done
done

# 2. Hydrogen demo songs, rendered headless.
for song in /usr/share/hydrogen/data/demo_songs/*.h2song; do
	[ -f "$song" ] || continue
	name=$(basename "$song" .h2song)
	out=$DEVSET/audio/h2-$name.wav
	if [ ! -s "$out" ]; then
		timeout 300 h2cli -s "$song" -o "$DEVSET/tmp/h2.wav" >/dev/null 2>&1 || continue
		sox -q "$DEVSET/tmp/h2.wav" "$out" trim 0 "$SEC" || continue
	fi
	bpm=$(sed -n 's:.*<bpm>\([0-9.]*\)</bpm>.*:\1:p' "$song" | head -1)
	printf '%s\t%s\t%s\n' "$out" "$bpm" "hydrogen-song" >>"$tempo"
done

# 3. MIDI files shipped by Debian packages (tempo and key from their meta events).
for mid in /usr/share/faust/examples/physicalModeling/faust-stk/pd-patches/fancy/*/*.mid \
	/usr/share/doc/pianobooster/courses/*/*.mid; do
	[ -f "$mid" ] || continue
	name=$(basename "$mid" .mid)
	out=$DEVSET/audio/mid-$name.wav
	render "$mid" "$out" || continue
	t=$($PY "$here/gen.py" truth "$mid")
	bpm=${t%%	*} k=${t#*	}
	[ "$bpm" = - ] || printf '%s\t%s\t%s\n' "$out" "$bpm" "midi-file" >>"$tempo"
	[ "$k" = - ] || printf '%s\t%s\t%s\n' "$out" "$k" "midi-file" >>"$key"
done

# 4. Generated General MIDI song sketches at known tempos and keys.
keys="C major:A minor:G major:E minor:D major:B minor:A major:F# minor:E major:C# minor:F major:D minor:Bb major:G minor:Eb major:C minor:Ab major:F minor:B major:G# minor:Db major:Bb minor:F# major:Eb minor"
n=0
for j in $(seq 1 40); do
	n=$((n + 1))
	bpm=$(tempo_for $((j + 500)))
	style=$(echo $styles | cut -d' ' -f$(( (j % nstyles) + 1 )))
	k=$(echo "$keys" | cut -d: -f$(( (j * 5 % 24) + 1 )))
	mid=$DEVSET/tmp/groove-$j.mid
	out=$DEVSET/audio/groove-$j-$style.wav
	[ -s "$out" ] || { $PY "$here/gen.py" groove "$mid" "$bpm" "$style" "$k" "$j" "$SEC" && render "$mid" "$out"; }
	printf '%s\t%s\t%s\n' "$out" "$bpm" "gm-groove:$style" >>"$tempo"
	printf '%s\t%s\t%s\n' "$out" "$k" "gm-groove" >>"$key"
done

# 4b. Drumless tunes: the pulse is in the accompaniment (ragtime, waltz, march, ballad).
tstyles="rag waltz march ballad"
for j in $(seq 1 24); do
	bpm=$(tempo_for $((j + 900)))
	style=$(echo $tstyles | cut -d' ' -f$(( (j % 4) + 1 )))
	k=$(echo "$keys" | cut -d: -f$(( (j * 7 % 24) + 1 )))
	mid=$DEVSET/tmp/tune-$j.mid
	out=$DEVSET/audio/tune-$j-$style.wav
	[ -s "$out" ] || { $PY "$here/gen.py" groove "$mid" "$bpm" "$style" "$k" "$((j + 900))" "$SEC" && render "$mid" "$out"; }
	printf '%s\t%s\t%s\n' "$out" "$bpm" "gm-tune:$style" >>"$tempo"
	printf '%s\t%s\t%s\n' "$out" "$k" "gm-tune" >>"$key"
done

# 5. Chord progressions and scale runs in all 24 keys.
j=0
echo "$keys" | tr ':' '\n' | while read -r k; do
	j=$((j + 1))
	mid=$DEVSET/tmp/chords-$j.mid
	out=$DEVSET/audio/chords-$j.wav
	[ -s "$out" ] || { $PY "$here/gen.py" chords "$mid" "$k" "$j" 20 && render "$mid" "$out"; }
	printf '%s\t%s\t%s\n' "$out" "$k" "gm-chords" >>"$key"
done

# 6. The hard set: STYLE LOW HIGH (the notated beat: a dotted quarter in 6/8),
# five pieces each, tempos spread evenly over the style's range.
j=0
for spec in "dnb 160 178" "halftime 140 170" "fastswing 180 215" "punk 175 210" "dotted 150 190" \
	"jazzwaltz 110 200" "sixeight 50 92" "slowthree 70 110"; do
	set -- $spec
	for r in 0 1 2 3 4; do
		j=$((j + 1))
		bpm=$(awk -v a="$2" -v b="$3" -v r="$r" 'BEGIN { printf "%.1f", a + (b - a) * r / 4 }')
		k=$(echo "$keys" | cut -d: -f$(( (j * 11 % 24) + 1 )))
		mid=$DEVSET/tmp/hard-$j.mid
		out=$DEVSET/audio/hard-$j-$1.wav
		[ -s "$out" ] || { $PY "$here/gen.py" groove "$mid" "$bpm" "$1" "$k" "$((j + 1300))" "$SEC" && render "$mid" "$out"; }
		printf '%s\t%s\t%s\n' "$out" "$bpm" "hard:$1" >>"$hardt"
	done
done

mv "$hardt" "$DEVSET/tempo-hard.tsv"
mv "$tempo" "$DEVSET/tempo.tsv"
mv "$key" "$DEVSET/key.tsv"
rm -rf "$DEVSET/tmp"
echo "devset: $(wc -l <"$DEVSET/tempo.tsv") tempo items, $(wc -l <"$DEVSET/tempo-hard.tsv") hard tempo items, $(wc -l <"$DEVSET/key.tsv") key items in $DEVSET"
