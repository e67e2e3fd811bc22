# install: make install and uninstall with PREFIX and DESTDIR, installed programs
# that find their data (scales, presets) wherever the tree is put and whatever
# the build's path was, and make dist's tarball of the tracked files.
. "$(dirname "$0")/lib.sh"
cd "$W"
mk() { make -s --no-print-directory -C "$SHARDS_TOP" O="$SHARDS_O" "$@"; }
clock --bars 1 | euclid >trig.jsonl

# PREFIX: programs, pages and data laid out
mk install PREFIX="$W/inst" >install.log 2>&1
check "make install: programs" test -x "$W/inst/bin/cutgen"
check "make install: man pages" test -f "$W/inst/share/man/man1/cutapply.1" -a -f "$W/inst/share/man/man7/shards.7"
check "make install: installed program runs" sh -c "'$W/inst/bin/cutinfo' --version | grep -q shards"
version=$(cutinfo --version | awk '{ print $3 }')
check "installed pages name the version in their footer" \
	sh -c "grep -qx '.Os shards $version' '$W/inst/share/man/man1/cutgen.1' && man -l '$W/inst/share/man/man7/shards.7' 2>/dev/null | tail -1 | grep -q 'shards $version'"
# run from elsewhere, with no hint where the data is: scales and presets come
# from the share/shards beside the program's bin/
# runinst ROOT PROGRAM ARGS...: PROGRAM of ROOT/bin, run from /, without SHARDS_DATA
cat >runinst <<EOS
#!/bin/sh
root=\$1 prog=\$2; shift 2
cd / && exec env -u SHARDS_DATA HOME="$W" XDG_CONFIG_HOME="$W/xdg" "\$root/bin/\$prog" "\$@"
EOS
chmod +x runinst
check "installed arp knows dorian from its own share/shards" \
	sh -c "./runinst '$W/inst' arp -S dorian <trig.jsonl | grep -q '\"note\"'"
check "installed arp loads a preset from its own share/shards" \
	sh -c "./runinst '$W/inst' arp --preset magicbus <trig.jsonl | grep -q '\"note\"'"

# bash completion made from the option tables: options, dsp's processors,
# arp's scales, a program's presets
comp="$W/inst/share/bash-completion/completions"
complete_() { # PROGRAM-PATH CWORD WORDS...: what bash would offer
	bash -c 'source "$0"; cw=$1; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$cw; _shards; echo "${COMPREPLY[*]}"' "$comp/shards" "$2" x "$1" "${@:3}"
}
check "bash completion: a file per program" test -L "$comp/cutgen" -a -f "$comp/shards"
check "bash completion: cutgen --sl offers --slice and --slices" test "$(complete_ "$W/inst/bin/cutgen" 1 --sl)" = "--slice --slices"
check "bash completion: dsp low offers the processors" test "$(complete_ "$W/inst/bin/dsp" 1 low)" = "lowpass lowshelf"
check "bash completion: arp -S dor offers the scales" test "$(complete_ "$W/inst/bin/arp" 2 -S dor)" = "dorian dorian_b2"
check "bash completion: a choice offers its words" test "$(complete_ "$W/inst/bin/stretch" 2 --engine "")" = "finer faster"
check "bash completion: avmux --preset offers its presets" test "$(complete_ "$W/inst/bin/avmux" 2 --preset "")" = "draft final"

# the installed tree moved elsewhere still finds its data
mv "$W/inst" "$W/moved"
check "a moved install still finds its scales" \
	sh -c "./runinst '$W/moved' arp -S lydian <trig.jsonl | grep -q '\"note\"'"

# DESTDIR: staged under it, and the staged tree runs where it lies
mk install DESTDIR="$W/stage" PREFIX=/opt/shards >stage.log 2>&1
check "DESTDIR: files under DESTDIR/PREFIX" test -x "$W/stage/opt/shards/bin/arp" -a -f "$W/stage/opt/shards/share/shards/scales.json"
check "DESTDIR: the staged program finds its data" \
	sh -c "./runinst '$W/stage/opt/shards' arp -S phrygian <trig.jsonl | grep -q '\"note\"'"
check "no path of the build is compiled into a program" \
	sh -c "! grep -q -F '$SHARDS_TOP/share' '$W/stage/opt/shards/bin/arp'"

# uninstall removes what install put there, and nothing else
mkdir -p "$W/stage/opt/shards/bin" && echo keep >"$W/stage/opt/shards/bin/mine"
mk uninstall DESTDIR="$W/stage" PREFIX=/opt/shards >unstage.log 2>&1
check "make uninstall: every file install put there is gone" \
	test "$(find "$W/stage" ! -type d | sed "s|$W/stage/||")" = "opt/shards/bin/mine"

# dist: the tracked files under shards-VERSION/, as a tarball in the build folder
if git -C "$SHARDS_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mk dist >dist.log 2>&1
	tb=$(ls "$SHARDS_O"/shards-*.tar.gz 2>/dev/null | head -1)
	check "make dist: a tarball" test -s "$tb"
	git -C "$SHARDS_TOP" ls-files | LC_ALL=C sort >tracked.txt
	tar -tzf "$tb" | sed 's|^shards-[^/]*/||' | grep -v '/$' | LC_ALL=C sort >packed.txt
	same_file "make dist: exactly the tracked files, under shards-VERSION/" tracked.txt packed.txt
	rm -f "$tb"
fi
