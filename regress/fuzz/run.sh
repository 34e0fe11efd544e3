#!/bin/sh
# SPDX-License-Identifier: ISC
# Builds the libFuzzer targets with clang (ASan and UBSan on) in
# build-fuzz/ and runs each from seeds made of the project's own zones,
# configurations and query corpus. A crash, a leak, a sanitizer report or
# a timeout fails the run; the input is kept in build-fuzz/crashes/.
#
# By default each target runs a fixed number of inputs from a fixed seed
# (about 20 s each), so the same commit fuzzes the same way every time;
# FUZZ_SECONDS=N fuzzes for N seconds each with a random seed instead,
# for longer campaigns.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${FUZZ_SECONDS:-}
jobs=$(nproc)
b=$top/build-fuzz

mkdir -p "$b"
if [ ! -f "$b/Makefile" ]; then
	(cd "$b" && CC=clang ../configure --enable-fuzz --enable-asan \
	    --enable-werror >/dev/null)
fi
make -C "$b" -j"$jobs" regress/fuzz/fuzz_query regress/fuzz/fuzz_zonefile \
    regress/fuzz/fuzz_conf regress/fuzz/fuzz_image regress/fuzz/fuzz_msg \
    regress/fuzz/fuzz_xfrin regress/fuzz/fuzz_journal regress/fuzz/fuzz_ctl \
    regress/fuzz/fuzz_notify regress/fuzz/fuzz_http regress/fuzz/fuzz_update \
    regress/fuzz/fuzz_sign regress/fuzz/fuzz_dnskey regress/fuzz/fuzz_rndc \
    >/dev/null

seeds=$b/seeds
rm -rf "$seeds"
mkdir -p "$seeds/query" "$seeds/zonefile" "$seeds/conf" "$seeds/image" \
    "$seeds/msg" "$seeds/xfrin" "$seeds/journal" "$seeds/ctl" \
    "$seeds/notify" "$seeds/http" "$seeds/update" "$seeds/sign" "$seeds/dnskey" \
    "$seeds/rndc" \
    "$b/crashes"
for f in regress/bind/zones/*.zone zones/*.zone regress/conf/*.zone \
    regress/data/example.com.*.zone etc/*.conf* regress/bind/named.conf; do
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
# Zone images made by the builder itself, for the image reader: signed
# ones (NSEC3, NSEC) with their RRSIGs and denial index too.
for z in zones/example.com.zone regress/bind/zones/child.example.com.zone \
    regress/data/example.com.nsec3.zone regress/data/example.com.nsec.zone; do
	APEX_FUZZ_WRITE_IMAGE="$seeds/image/$(basename "$z").img" \
	    "$b/regress/fuzz/fuzz_zonefile" "$z" >/dev/null 2>&1 || true
done
# DO=1 queries for the signed zones fuzz_query serves (example. with
# NSEC3, example.net with NSEC) and for its unsigned example.com.
/usr/bin/python3 - "$seeds/query" <<'PY'
import os, struct, sys
names = ['', 'a.c.x.w', 'ns1', 'y.w', 'mc.c', 'c', 'a.z.w', 'x.w', 'ai',
         '2t7b4g4vsa5smi47k61mv5bv1a22bojr', 'xx', 'ml', 'zz',
         '35mthgpgcu1qg68fab165klnsnk3dpvl']
names_net = ['', 'nx', 'ent', 'x.c.ent', 'a.b.c.ent', 'a.b.w', 'foo.cw',
             'sub', 'a.sub', 'insecure', 'x.insecure', 'x.dn', 'zzz', 'www']
types = [1, 15, 16, 28, 43, 2, 6, 48, 50, 51, 46, 47, 255]
def name(s):
    labels = [l.encode() for l in s.split('.') if l]
    return b''.join(bytes([len(l)]) + l for l in labels) + b'\0'
i = 0
for zone, ns in (('example', names), ('example.net', names_net),
                 ('example.com', names_net)):
    for n in ns:
        for t in types[i % 3::3]:
            q = struct.pack('!HHHHHH', i, 0, 1, 0, 0, 1)
            q += name('%s.%s' % (n, zone)) + struct.pack('!HH', t, 1)
            q += b'\0' + struct.pack('!HHIH', 41, 1232, 0x8000, 0)
            open(os.path.join(sys.argv[1], 'do-%04d' % i), 'wb').write(q)
            i += 1
PY
printf '\001\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    >"$seeds/msg/header"
# HTTP requests as scrapers and curl send them, and ones to refuse; the
# first octet of each is the read size (see fuzz_http.c).
/usr/bin/python3 - "$seeds/http" <<'PY'
import os, sys
reqs = [
    b'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:8053\r\n'
    b'User-Agent: Prometheus/2.45.0\r\nAccept: text/plain\r\n'
    b'Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10'
    b'\r\n\r\n',
    b'GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1'
    b'\r\nAccept: */*\r\n\r\n',
    b'HEAD /json HTTP/1.0\r\n\r\n',
    b'GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    b'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked'
    b'\r\n\r\n0\r\n\r\n',
    b'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    b'GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n',
    b'GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n',
    b'GET /metrics HTTP/1.1\r\nHost: x\r\nX: ' + b'y' * 9000 + b'\r\n\r\n',
]
for i, r in enumerate(reqs):
    for step in (0, 7, 63):
        with open(os.path.join(sys.argv[1], '%02d-%02d' % (i, step)), 'wb') as f:
            f.write(bytes([step]) + r)
PY
# Transfers as primaries send them, and journals as apex writes them.
/usr/bin/python3 regress/fuzz/seeds_xfr.py "$seeds/xfrin" "$seeds/journal"
# apex-ctl requests, NOTIFY messages and answers to SOA queries.
/usr/bin/python3 regress/fuzz/seeds_ctl_notify.py lib/msg.h "$seeds/ctl" \
    "$seeds/notify"
# The signer signs what loads: the zone files again.
cp "$seeds/zonefile/"* "$seeds/sign/"
# Keys as dnssec-keygen writes them: .key, NUL, .private[, NUL, .state].
if command -v dnssec-keygen >/dev/null; then
	kd=$b/keygen
	rm -rf "$kd"
	mkdir -p "$kd"
	for a in 8 10 13 14 15 16; do
		dnssec-keygen -q -a $a -K "$kd" example. >/dev/null
	done
	dnssec-keygen -q -k default -K "$kd" example. >/dev/null
	for k in "$kd"/K*.key; do
		n=${k%.key}
		{ cat "$n.key"; printf '\000'; cat "$n.private"
		  if [ -f "$n.state" ]; then printf '\000'; cat "$n.state"; fi
		} >"$seeds/dnskey/$(basename "$n")"
	done
fi
# rndc's messages, signed with fuzz_rndc.c's key in every algorithm.
/usr/bin/python3 regress/fuzz/seeds_rndc.py "$seeds/rndc"
# UPDATE messages of every form, alone and in batches.
/usr/bin/python3 regress/fuzz/seeds_update.py "$seeds/update"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
runs() {
	case $1 in
	query) echo 2000000 ;;
	zonefile) echo 80000 ;;
	conf) echo 400000 ;;
	xfrin) echo 400000 ;;
	journal) echo 1000000 ;;
	notify) echo 1000000 ;;
	http) echo 500000 ;;
	update) echo 400000 ;;
	# Each input is signed twice with ECDSA: a few thousand signatures
	# a second.
	sign) echo 20000 ;;
	# Each input writes three files and loads a key.
	dnskey) echo 20000 ;;
	# Each input computes up to five HMACs.
	rndc) echo 300000 ;;
	# The signed images are five times the size of the unsigned one
	# and as many times slower to open: a quarter of the runs keeps the
	# time it took before them.
	image) echo 1000000 ;;
	*) echo 4000000 ;;
	esac
}
for t in query zonefile conf image msg xfrin journal ctl notify http update \
    sign dnskey rndc; do
	if [ -n "$secs" ]; then
		how="-max_total_time=$secs"
		corpus="$b/corpus/$t"
		printf 'fuzz_%s: %s s ... ' "$t" "$secs"
	else
		how="-runs=$(runs $t) -seed=1"
		corpus="$b/corpus-ci/$t"
		rm -rf "$corpus"
		printf 'fuzz_%s: %s inputs ... ' "$t" "$(runs $t)"
	fi
	mkdir -p "$corpus"
	if "$b/regress/fuzz/fuzz_$t" $how -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$b/crashes/$t-" \
	    -print_final_stats=1 "$corpus" "$seeds/$t" \
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
