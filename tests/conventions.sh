# every program: --help, --version, a man page that renders cleanly, a README line
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
for src in "$SHARDS_TOP"/src/*.c; do
	p=$(basename "$src" .c)
	[ -x "$SHARDS_BIN/$p" ] || { fail "$p: built"; continue; }
	"$SHARDS_BIN/$p" --help >help.out 2>help.err
	if [ $? -eq 0 ] && grep -q "^usage: $p" help.out && ! test -s help.err; then pass "$p: --help"
	else fail "$p: --help" "$(head -3 help.out help.err)"; fi
	check "$p: --version" sh -c "'$SHARDS_BIN/$p' --version | grep -q '^$p (shards) '"
	# one parameter table: --print-config is a preset that loads back to itself, and the
	# suite-wide names are the program's (a table that takes one is refused at start)
	if "$SHARDS_BIN/$p" --print-config >conf.json 2>conf.err && jq -e 'type == "object"' conf.json >/dev/null &&
		"$SHARDS_BIN/$p" --preset ./conf.json --print-config >conf2.json 2>>conf.err && cmp -s conf.json conf2.json; then
		pass "$p: --print-config loads back through --preset"
	else fail "$p: --print-config loads back through --preset" "$(head -3 conf.err)"; fi
	# a program that draws at random: a given seed stays in the preset and loads back
	if grep -q -- "--seed" help.out; then
		if "$SHARDS_BIN/$p" --seed 5 --print-config >seed.json 2>seed.err && jq -e '.seed == 5' seed.json >/dev/null &&
			"$SHARDS_BIN/$p" --preset ./seed.json --print-config >seed2.json 2>>seed.err && cmp -s seed.json seed2.json; then
			pass "$p: --seed 5 --print-config pins the seed, and loads back"
		else fail "$p: --seed 5 --print-config pins the seed, and loads back" "$(head -3 seed.err)"; fi
	fi
	for reserved in --preset --print-config --help --version -h -v; do
		grep -q -- "^ *\(-[a-zA-Z], \)\?$reserved\b" help.out || { fail "$p: --help lists $reserved"; break; }
	done
	# the default is printed once, by the table: no help line carries it twice
	dup=$(sed -n 's/.*(\([^();]*\)[;)].*(\1)$/&/p' help.out | head -1)
	[ -z "$dup" ] && pass "$p: --help prints each default once" || fail "$p: --help prints each default once" "$dup"
	page="$SHARDS_TOP/man/man1/$p.1"
	if [ ! -f "$page" ]; then fail "$p: man page"; continue; fi
	lint=$(mandoc -T lint -W warning "$page" 2>&1 | grep -v "referenced manual not found\|mandoc.db")
	if [ -z "$lint" ]; then pass "$p: man page lints clean"; else fail "$p: man page lints clean" "$lint"; fi
	for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\.Sh $sec" "$page" || fail "$p: man page has $sec"
	done
	grep -qw -- "$p" "$SHARDS_TOP/README.md" && pass "$p: in the README tour" || fail "$p: in the README tour"
	grep -q "^\.It Xr $p 1\$" "$SHARDS_TOP/man/man7/shards.7" && pass "$p: in shards(7)'s list of programs" ||
		fail "$p: in shards(7)'s list of programs"
done
lint=$(mandoc -T lint -W warning "$SHARDS_TOP/man/man7/shards.7" 2>&1 | grep -v "referenced manual not found\|mandoc.db")
if [ -z "$lint" ]; then pass "shards.7 lints clean"; else fail "shards.7 lints clean" "$lint"; fi
