#!/bin/sh
# SPDX-License-Identifier: ISC
# Builds the libFuzzer targets with clang (ASan and UBSan on) in
# build-fuzz/ and runs each for FUZZ_SECONDS (default 30) from seeds made
# of the project's own zones, configurations and query corpus. A crash,
# a leak, a sanitizer report or a timeout fails the run; the input is kept
# in build-fuzz/crashes/.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${FUZZ_SECONDS:-30}
jobs=$(nproc)
b=$top/build-fuzz

mkdir -p "$b"
if [ ! -f "$b/Makefile" ]; then
	(cd "$b" && CC=clang ../configure --enable-fuzz --enable-asan \
	    --enable-werror >/dev/null)
fi
make -C "$b" -j"$jobs" regress/fuzz/fuzz_query regress/fuzz/fuzz_zonefile \
    regress/fuzz/fuzz_conf regress/fuzz/fuzz_image regress/fuzz/fuzz_msg \
    >/dev/null

seeds=$b/seeds
rm -rf "$seeds"
mkdir -p "$seeds/query" "$seeds/zonefile" "$seeds/conf" "$seeds/image" \
    "$seeds/msg" "$b/crashes"
for f in regress/bind/zones/*.zone zones/*.zone regress/conf/*.zone \
    etc/*.conf* regress/bind/named.conf; do
	case $f in
	*.zone) d=zonefile ;;
	*) d=conf ;;
	esac
	cp "$f" "$seeds/$d/$(echo "$f" | tr / _)"
done
/usr/bin/python3 - "$seeds/query" <<'PY'
import os, sys
sys.path.insert(0, 'regress/bind')
import corpus
os.makedirs('/tmp/apex-fuzz-zones', exist_ok=True)
import subprocess
subprocess.check_call([sys.executable, 'regress/bind/gen_zone.py', '300',
                       'large.test', '/tmp/apex-fuzz-zones/large.test.zone'])
for i, c in enumerate(corpus.cases('/tmp/apex-fuzz-zones')):
    if i % 3 == 0 or c.id.startswith('malformed'):
        open(os.path.join(sys.argv[1], '%04d' % i), 'wb').write(c.wire)
PY
# Zone images made by the builder itself, for the image reader.
for z in zones/example.com.zone regress/bind/zones/child.example.com.zone; do
	APEX_FUZZ_WRITE_IMAGE="$seeds/image/$(basename "$z").img" \
	    "$b/regress/fuzz/fuzz_zonefile" "$z" >/dev/null 2>&1 || true
done
printf '\001\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    >"$seeds/msg/header"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
for t in query zonefile conf image msg; do
	printf 'fuzz_%s: %ss ... ' "$t" "$secs"
	mkdir -p "$b/corpus/$t"
	if "$b/regress/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$b/crashes/$t-" \
	    -print_final_stats=1 "$b/corpus/$t" "$seeds/$t" \
	    >"$b/fuzz_$t.log" 2>&1; then
		grep -E 'stat::number_of_executed_units' "$b/fuzz_$t.log" |
		    awk '{print $2 " runs, ok"}'
	else
		echo FAILED
		tail -40 "$b/fuzz_$t.log"
		fail=1
	fi
done
exit $fail
