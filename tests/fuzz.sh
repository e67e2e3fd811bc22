# fuzz.sh -- every committed fuzz corpus and crash regression replayed through the
# plain fuzz drivers ($O/obj/fuzz/NAME, built by `make units`), mutated copies of
# the corpus through them too, and, when clang's libFuzzer is installed, a short
# libFuzzer pass per harness on the plain build only: a fixed number of inputs from
# a fixed seed (tests/fuzz/ci-runs), so a busy machine does the same work, only
# slower (FUZZ_CI_SECONDS=N runs N seconds each instead). A sanitizer or valgrind
# run of the suite replays only; `make fuzz FUZZ_SECONDS=N` runs long passes.
T=fuzz
. "$(dirname "$0")/lib.sh"
top=$SHARDS_TOP
drivers=$SHARDS_O/obj/fuzz
. "$top/tests/fuzz/sanitizer-options" "$top/tests"

# a deterministic mutator: byte flips, truncations, splices, big numbers
cat >"$W/mutate.py" <<'PY'
import os, random, sys
src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(20261121)
files = sorted(os.path.join(src, f) for f in os.listdir(src))
blobs = [open(f, 'rb').read() for f in files]
tokens = [b'\xff\xff\xff\xff', b'\x00\x00\x00\x00', b'99999999999', b'-1', b'1e999', b'NaN',
          b'\x7f\xff\xff\xff', b'\x80\x00\x00\x00', b'"', b'{', b']', b'\n', b'..', b'/0']
for i in range(count):
    b = bytearray(rng.choice(blobs))
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(5)
        if not b:
            b += rng.choice(tokens)
        elif k == 0:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif k == 1:
            del b[rng.randrange(len(b)):]
        elif k == 2:
            at = rng.randrange(len(b)); b[at:at] = rng.choice(tokens)
        elif k == 3:
            at = rng.randrange(len(b)); b[at:at + 4] = rng.choice(tokens)
        else:
            o = rng.choice(blobs); at = rng.randrange(len(b))
            b = b[:at] + o[rng.randrange(len(o) + 1):]
    open(os.path.join(dst, 'm%04d' % i), 'wb').write(bytes(b))
PY

names=""
for c in "$top"/tests/fuzz/*.c; do
	n=$(basename "$c" .c)
	[ "$n" = driver ] && continue
	names="$names $n"
	d=$drivers/$n
	if [ ! -x "$d" ]; then fail "$n: driver built" "missing $d (make units builds it)"; continue; fi
	dirs=""
	[ -d "$top/tests/fuzz/corpus/$n" ] && dirs="$top/tests/fuzz/corpus/$n"
	[ -d "$top/tests/fuzz/regress/$n" ] && dirs="$dirs $top/tests/fuzz/regress/$n"
	if [ -z "$dirs" ]; then fail "$n: has a seed corpus" "tests/fuzz/corpus/$n is missing"; continue; fi
	want=$(find $dirs -type f | wc -l)
	# shellcheck disable=SC2086
	timeout 300 "$d" $dirs >"$W/$n.replay" 2>&1
	rc=$?
	got=$(sed -n 's/^fuzz driver: \([0-9]*\) inputs ran$/\1/p' "$W/$n.replay")
	if [ $rc -eq 0 ] && [ "${got:-0}" -eq "$want" ]; then pass "$n: replays its $want corpus and regression inputs"
	else fail "$n: replays its $want corpus and regression inputs" "status $rc, ran ${got:-0}: $(grep -m5 -E 'ERROR|error|SUMMARY|Abort|abort' "$W/$n.replay")"; fi
	mkdir -p "$W/mut-$n"
	python3 "$W/mutate.py" "$top/tests/fuzz/corpus/$n" "$W/mut-$n" 150
	timeout 300 "$d" "$W/mut-$n" >"$W/$n.mut" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^fuzz driver: 150 inputs ran$' "$W/$n.mut"; then pass "$n: 150 mutated inputs"
	else
		# name the input that failed: replay them one by one
		bad=$(for m in "$W/mut-$n"/*; do timeout 60 "$d" "$m" >/dev/null 2>&1 || { echo "$m"; break; }; done)
		fail "$n: 150 mutated inputs" "status $rc; first failing input $bad: $(grep -m5 -E 'ERROR|error|SUMMARY|Abort|abort' "$W/$n.mut")"
	fi
done

# libFuzzer: only where clang can link a fuzzer (clang + libclang-rt-14-dev)
secs=${FUZZ_CI_SECONDS:-1}
runs_file=
[ -n "${FUZZ_CI_SECONDS:-}" ] || runs_file=$top/tests/fuzz/ci-runs
[ "${SHARDS_SANITIZED:-}${SHARDS_VALGRIND:-}" = "" ] || secs=0
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$W/probe.c"
if [ "$secs" -gt 0 ] && command -v clang >/dev/null && clang -fsanitize=fuzzer -o "$W/probe" "$W/probe.c" 2>/dev/null; then
	if make --no-print-directory -C "$top" O="$SHARDS_O" fuzz-build >"$W/fuzz-build.log" 2>&1; then
		pass "libFuzzer harnesses build"
		# from a fixed seed: every run of the suite explores the same ground, so a red
		# result is a finding anyone can repeat, not luck (make fuzz draws new seeds)
		FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_RUNS=$runs_file bash "$top/tests/fuzz/run-libfuzzer" "$secs" "$SHARDS_O/obj/libfuzzer/bin" "$W/libfuzzer" $names >"$W/libfuzzer.out" 2>&1
		for n in $names; do
			line=$(grep "^fuzz: $n:" "$W/libfuzzer.out")
			case $line in
			*"crashes 0") pass "$n: libFuzzer from a fixed seed (${line#fuzz: $n: })" ;;
			*) fail "$n: libFuzzer from a fixed seed" "$(grep -A6 "^fuzz: $n:" "$W/libfuzzer.out")" ;;
			esac
		done
	else
		fail "libFuzzer harnesses build" "$(grep -m5 -E 'error' "$W/fuzz-build.log")"
	fi
else
	echo "# fuzz: no libFuzzer pass here (clang's libFuzzer missing, FUZZ_CI_SECONDS=0, or a sanitizer or valgrind run): replay only"
fi
