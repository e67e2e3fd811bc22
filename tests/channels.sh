# tests/channels.sh -- MIDI channels: a bare number counts as MIDI does (0..15, as
# the files always have), chN as DAWs show them (ch1..ch16), in every option and
# event field that takes a channel; read back from the MIDI file with mido.
. "$SHARDS_TOP/tests/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# channels FILE.mid: "channel:pitch" of every note-on with velocity, in order
channels() { $PY -c '
import sys, mido
print(" ".join("%d:%d" % (m.channel, m.note) for m in mido.MidiFile(sys.argv[1]) if m.type == "note_on" and m.velocity))' "$1"; }

printf '%s\n' '{"t":0,"type":"note","pitch":60,"gate":0.5,"channel":"ch10"}' \
	'{"t":1,"type":"note","pitch":61,"gate":0.5,"channel":9}' \
	'{"t":2,"type":"note","pitch":62,"gate":0.5,"channel":"CH1"}' \
	'{"t":3,"type":"note","pitch":63,"gate":0.5,"channel":15}' \
	'{"t":4,"type":"note","pitch":64,"gate":0.5}' >notes.ev
midiout -c ch16 -o n.mid notes.ev
check "midiout: \"ch10\" and 9 are the same channel, CH1 is 0, 15 stays, -c ch16 for the rest" \
	test "$(channels n.mid)" = "9:60 9:61 0:62 15:63 15:64"
midiout -c 4 -o n4.mid notes.ev
check "midiout: a bare -c counts from 0" test "$(channels n4.mid | cut -d' ' -f5)" = "4:64"

clock --bars 1 | euclid -k 4 -n 4 | arp -c ch10 | midiout -o arp.mid
check "arp -c ch10 plays on the drum channel (9)" test "$(channels arp.mid | tr ' ' '\n' | cut -d: -f1 | sort -u)" = 9
clock --bars 1 | euclid -k 4 -n 4 | arp -c 9 >arp9.ev
clock --bars 1 | euclid -k 4 -n 4 | arp -c ch10 >arp10.ev
check "arp: -c 9 and -c ch10 write the same stream" cmp -s arp9.ev arp10.ev
check "arp: the stream carries the channel as MIDI's number" sh -c "jq -r 'select(.type==\"note\") | .channel' arp10.ev | sort -u | grep -qx 9"
clock --bars 1 | euclid -k 1 -n 4 | chord -c ch2 >chord.ev
check "chord -c ch2 writes channel 1" sh -c "jq -r 'select(.type==\"note\") | .channel' chord.ev | sort -u | grep -qx 1"
{ clock --bars 2 | euclid -k 4 -n 4; echo '{"t":3.9,"type":"param","target":"arp","param":"channel","value":"ch3"}'; } |
	jq -c -s 'sort_by(.t) | .[]' | arp >live.ev
check "arp: a param event sets the channel as ch3 (2 from beat 4)" sh -c \
	"test \"\$(jq -r 'select(.type==\"note\") | [(.t >= 4), .channel] | @tsv' live.ev | sort -u | tr '\t\n' ':,')\" = 'false:0,true:2,'"
check "arp --print-config keeps the number MIDI counts" sh -c "arp -c ch10 --print-config | grep -q '\"channel\": 9'"

check_fail "a bare 16 is refused, naming both ways" 2 "'16' is not a MIDI channel: 0..15 .* ch1..ch16" arp -c 16
check_fail "ch0 is refused" 2 "'ch0' is not a MIDI channel" chord -c ch0
check_fail "ch17 is refused" 2 "'ch17' is not a MIDI channel" midiout -c ch17 -o x.mid notes.ev
for bad in '"ch17"' 16 -1 3.5 '"x"' true; do
	echo "{\"t\":0,\"type\":\"note\",\"pitch\":60,\"gate\":1,\"channel\":$bad}" >bad.ev
	check_fail "midiout: a note with channel $bad is refused with its line" 1 \
		'bad.ev: line 1: "channel" must be 0..15 .* "ch1".."ch16"' midiout -o x.mid bad.ev
done
check "no partial MIDI file after the refusals" test ! -e x.mid
