# tests/fixtures.sh -- shared fixtures, made once per test run into $SHARDS_FIXTURES.
# Generated with sox so no large media lives in the tree.
set -eu
F=$SHARDS_FIXTURES
mkdir -p "$F"
cd "$F"
# a stereo 48 kHz breakbeat-ish loop: kick, snare, hats at 120 BPM, 4 s
sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
sox -n -r 48000 -c 2 snare.wav synth 0.25 noise fade 0 0.25 0.18 gain -6
sox -n -r 48000 -c 2 hat.wav synth 0.125 noise gain -12 highpass 7000 fade 0 0.125 0.1
sox -n -r 48000 -c 2 rest.wav trim 0 0.125
sox kick.wav rest.wav hat.wav rest.wav snare.wav hat.wav rest.wav kick.wav kick.wav hat.wav snare.wav rest.wav hat.wav bar.wav 2>/dev/null
sox bar.wav bar.wav bar.wav bar.wav -r 48000 -c 2 -b 16 break48.wav trim 0 4
sox break48.wav -e floating-point -b 32 break48.au
sox break48.wav -r 44100 -b 16 break44.wav
sox -n -r 48000 -c 1 sine1k.wav synth 2 sine 1000 gain -6
sox -n -r 48000 -c 2 -e floating-point -b 32 sine.au synth 3 sine 440 sine 660 gain -6
rm -f kick.wav snare.wav hat.wav rest.wav bar.wav
