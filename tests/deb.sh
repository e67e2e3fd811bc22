# deb: the Debian package (debian/). Always: every name debian/usr-bin-names
# links into /usr/bin is a program, none is a command another package owns,
# and debian/changelog's version is the Makefile's. With DEB_DIR (make
# check-deb, after make deb built the package there): lintian finds no error,
# and the package's file list puts nothing in /usr/sbin nor on arp, bpm or
# analog, links every listed name (and only those) from /usr/bin into
# /usr/lib/shards/bin, and carries the programs, pages, data and completion.
# Building takes minutes of both cores, so make check runs only the first part.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SHARDS_TMP:-}" ]; then
	. "$top/tests/lib.sh"
else
	T=deb
	pass() { echo "ok - $T: $1"; }
	fail() { echo "not ok - $T: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -20; return 0; }
fi
names=$(grep -v '^#' "$top/debian/usr-bin-names")

bad=
for n in $names; do [ -f "$top/src/$n.c" ] || bad="$bad $n"; done
[ -z "$bad" ] && pass "every name linked into /usr/bin is a program" || fail "names that are no program:$bad"
bad=
for n in $names; do case $n in arp|bpm|analog|clock|dsp|chop|integrate|pattern|lfo|sampler) bad="$bad $n" ;; esac; done
[ -z "$bad" ] && pass "no name another package's command uses is linked" || fail "linked although taken:$bad"
v=$(sed -n 's/^VERSION *= *//p' "$top/Makefile")
cv=$(sed -n '1s/^shards (\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ "$v" = "$cv" ] && pass "debian/changelog's version is the Makefile's ($v)" || fail "debian/changelog says $cv, the Makefile $v"

if [ -z "${DEB_DIR:-}" ]; then
	echo "# deb: no DEB_DIR, the package itself is checked by make check-deb"
	exit 0
fi
deb=$(ls "$DEB_DIR"/shards_"$v"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { fail "a package in $DEB_DIR" "none: run make deb"; exit 0; }
pass "make deb built ${deb##*/}"

# lintian: errors fail, warnings are shown
lintian --allow-root "$DEB_DIR"/shards_"$v"_*.changes >"${TMPDIR:-/tmp}/deb-lintian.$$" 2>&1
if grep -q '^E: ' "${TMPDIR:-/tmp}/deb-lintian.$$"; then fail "lintian finds no error" "$(grep '^E: ' "${TMPDIR:-/tmp}/deb-lintian.$$")"
else pass "lintian finds no error ($(grep -c '^W: ' "${TMPDIR:-/tmp}/deb-lintian.$$") warnings)"; fi
rm -f "${TMPDIR:-/tmp}/deb-lintian.$$"

# the file list: "PATH" or "PATH -> TARGET" a line
list=$(dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/^\./, ""); print }')
taken=$(printf '%s\n' "$list" | grep -E '^/usr/sbin/|^/sbin/|^/bin/|^/usr/bin/(arp|bpm|analog)( |$)' || true)
[ -z "$taken" ] && pass "nothing in /usr/sbin, /bin, nor on /usr/bin/arp, bpm, analog" || fail "taken paths" "$taken"
inbin=$(printf '%s\n' "$list" | sed -n 's|^/usr/bin/\([^ ]*\) -> \(.*\)|\1 \2|p')
bad=
for n in $names; do
	printf '%s\n' "$inbin" | grep -qx "$n \.\./lib/shards/bin/$n" || bad="$bad $n"
	printf '%s\n' "$list" | grep -qx "/usr/lib/shards/bin/$n" || bad="$bad $n(program)"
	printf '%s\n' "$list" | grep -qx "/usr/share/man/man1/$n.1.gz" || bad="$bad $n(page)"
done
[ -z "$bad" ] && pass "every listed name links into /usr/lib/shards/bin, with its page in man1" || fail "links or pages missing:$bad"
extra=$(printf '%s\n' "$inbin" | awk '{ print $1 }' | grep -vxF "$names" || true)
plain=$(printf '%s\n' "$list" | grep -E '^/usr/bin/[^ ]+$' || true)
[ -z "$extra$plain" ] && pass "/usr/bin holds only the listed links" || fail "more in /usr/bin" "$extra $plain"
bad=
for s in "$top"/src/*.c; do
	n=$(basename "$s" .c)
	printf '%s\n' "$list" | grep -qx "/usr/lib/shards/bin/$n" || bad="$bad $n"
	case " $(echo $names) " in *" $n "*) ;; *)
		printf '%s\n' "$list" | grep -qx "/usr/lib/shards/share/man/man1/$n.1" || bad="$bad $n(page)"
		printf '%s\n' "$list" | grep -q "^/usr/share/man/man1/$n\.1" && bad="$bad $n(page-in-man1)"
		printf '%s\n' "$list" | grep -q "^/usr/share/bash-completion/completions/$n\( \|$\)" && bad="$bad $n(completion)" ;;
	esac
done
[ -z "$bad" ] && pass "every program in /usr/lib/shards/bin; the unlinked ones' pages beside it, not in man1" || fail "misplaced" "$bad"
for f in /usr/share/man/man7/shards.7.gz /usr/share/shards/scales.json /usr/share/bash-completion/completions/shards \
	/usr/share/doc/shards/README.Debian "/usr/lib/shards/share/shards -> ../../../share/shards"; do
	printf '%s\n' "$list" | grep -qxF "$f" || bad="$bad $f"
done
[ -z "$bad" ] && pass "shards(7), the data (linked beside bin/), completion and README.Debian are there" || fail "missing" "$bad"
