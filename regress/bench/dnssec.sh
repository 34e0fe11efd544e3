#!/bin/bash
# SPDX-License-Identifier: ISC
# The cost of DNSSEC: apex, NSD and Knot with the peer kit's zones signed
# (NSEC3, no salt, no extra iterations, ECDSAP256SHA256 KSK + ZSK) and
# unsigned, queried with DO=1, all in one run of the kit's bench.sh.
#
#   dnssec.sh prepare   zones, keys, signed zones, DO=1 query files, a copy
#                       of the kit with apex's peer files (cached in $WORK)
#   dnssec.sh check     start each server on the signed 100k zone and check
#                       that DO=1 answers carry RRSIGs and NSEC3 and that the
#                       signatures are the zone file's (nobody re-signs)
#   dnssec.sh run       prepare, check, then bench.sh (the default), and
#                       the table of signed against unsigned
#   dnssec.sh table DIR that table again from a result directory
#
# Environment (defaults in brackets):
#   KIT         the peer benchmark kit [../shared/bench beside the tree]
#   WORK        zones, keys, kit copy and results [/tmp/apex-dnssec-bench]
#   APEX_NAMED  the apex-named to test [build/named/apex-named]
#   SERVERS     peers, each run on the unsigned and the signed zones
#               [apex nsd knot]
#   OUT         result directory [$WORK/results/<date>]
#   and the kit's knobs, passed through: MODES [1core 1core50], DURATION
#   [15], RATE [0], DNSPERF [-c 10 -q 500 -T 2 -D], SMALL, BIG, WIRE,
#   QUIET_PCT, QUIET_WAIT, FOREIGN_MAX, RETRIES, PORT.
#
# How the kit is steered, without changing it:
# - ZONEDIR points at $WORK/zones, which already holds the kit-named files
#   (z<N>-example.com.zone, .queries, .queries.bin), so bench.sh generates
#   nothing. The zones there are gen-zone.py's; only .queries.bin differs:
#   the DO bit is set in each query's OPT record, since dnsperf sends -B
#   input as it is.
# - The text queries (RD=1) get DO=1 from dnsperf's -D in DNSPERF (the
#   fixed-rate run does not take DNSPERF, so RATE defaults to 0). dnsperf
#   refuses -D with -B, and bench.sh passes DNSPERF to the -B run too, so
#   bench.sh finds a dnsperf in $WORK/bin first that drops -D when -B is
#   given (the -B file has DO set already) before it runs the real one.
# - That dnsperf also notes the server's CPU time just before and just
#   after the run. The kit samples the server's CPU during the run, and
#   with both cores busy (server and dnsperf pinned) its sampler can be
#   starved for seconds, so that its window runs past the end of the load
#   and the server looks idler than it was; completed queries over the
#   CPU used from before to after are immune to that.
# - The signed zones live in $WORK/zones/signed under the same names, and
#   the peers apex_signed, nsd_signed and knot_signed are the kit's peers
#   with $ZONE swapped for its signed twin. So one bench.sh run measures
#   each server on both, and one table holds all.
# - The kit is copied to $WORK/kit because peers are found in the peers.d
#   beside run-peer.sh; the shared copy stays untouched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KIT=${KIT:-$top/../shared/bench}
WORK=${WORK:-/tmp/apex-dnssec-bench}
APEX_NAMED=${APEX_NAMED:-$top/build/named/apex-named}
SERVERS=${SERVERS:-apex nsd knot}
SMALL=${SMALL:-100000}
BIG=${BIG:-1000000}
ORIGIN=${ORIGIN:-example.com.}
PORT=${PORT:-5353}
ZONES=$WORK/zones
KEYS=$WORK/keys
export ORIGIN PORT APEX_NAMED
# the real dnsperf, for the shim below (never the shim itself)
DNSPERF_BIN=${DNSPERF_BIN:-$(PATH=${PATH#"$WORK/bin:"} command -v dnsperf)}

log() { echo "[$(date +%T)] dnssec.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------- the kit copy with apex's peers -------------------------------
kit() {
	[ -x "$KIT/bench.sh" ] || die "no kit at $KIT (set KIT)"
	mkdir -p "$WORK/kit"
	# refreshed every time, so a newer kit or apex.sh is picked up
	cp -r "$KIT/." "$WORK/kit/"
	rm -rf "$WORK/kit/results"
	cp "$here/apex.sh" "$WORK/kit/peers.d/apex.sh"
	mkdir -p "$WORK/bin"
	# PORT: "pid cpu_s" of the server tree that holds the UDP socket
	cat > "$WORK/bin/srvcpu.py" <<'EOF'
import os, re, subprocess, sys
out = subprocess.run(["ss", "-Hlnup", "sport = :" + sys.argv[1]],
                     capture_output=True, text=True).stdout
pids = [int(x) for x in re.findall(r"pid=(\d+)", out)]
if not pids:
    print("0 0"); sys.exit(0)
def ppid(p):
    with open("/proc/%d/stat" % p) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])
root = pids[0]
while ppid(root) > 1:     # the kit's servers are orphans (setsid, &)
    root = ppid(root)
def tree(p):
    try:
        with open("/proc/%d/task/%d/children" % (p, p)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        kids = []
    return [p] + [q for k in kids for q in tree(k)]
tot = 0
for p in tree(root):
    try:
        with open("/proc/%d/stat" % p) as f:
            v = f.read().rsplit(")", 1)[1].split()
        tot += int(v[11]) + int(v[12])
    except OSError:
        pass
print("%d %.2f" % (root, tot / os.sysconf("SC_CLK_TCK")))
EOF
	cat > "$WORK/bin/dnsperf" <<EOF
#!/bin/sh
# Written by apex's regress/bench/dnssec.sh. dnsperf without -D for -B
# input, whose queries carry DO=1 already (dnsperf refuses the two); and
# the server's CPU time from just before to just after the run, taken
# while dnsperf is not running, so that a sampler starved by the load
# cannot shift it (the kit samples during the run).
case " \$* " in
*" -B "*)
	for a; do
		shift
		[ "\$a" = -D ] || set -- "\$@" "\$a"
	done ;;
esac
port=; prev=
for a; do [ "\$prev" = -p ] && port=\$a; prev=\$a; done
before=\$(python3 $WORK/bin/srvcpu.py "\$port")
$DNSPERF_BIN "\$@"
rc=\$?
after=\$(python3 $WORK/bin/srvcpu.py "\$port")
echo "# server pid, CPU s before and after: \$before \$after"
exit \$rc
EOF
	chmod +x "$WORK/bin/dnsperf"
	# run-peer.sh has made $ZONE absolute; the signed twin has the same
	# name one directory down
	cat > "$WORK/kit/peers.d/signed.sh" <<'EOF'
# Written by apex's regress/bench/dnssec.sh: each peer on the signed zone.
use_signed_zone() {
	ZONE=$(dirname "$ZONE")/signed/$(basename "$ZONE")
	[ -r "$ZONE" ] || die "no signed zone $ZONE"
}
peer_apex_signed() { use_signed_zone; peer_apex; }
peer_nsd_signed() { use_signed_zone; peer_nsd; }
# Knot 3.2 serves a signed zone as it is while dnssec-signing is off (its
# default); say so, so that the config shows it
peer_knot_signed() {
	use_signed_zone; peer_knot
	sed -i 's/^    journal-content: none$/&\n    dnssec-signing: off/' \
	    "$DIR/knot.conf"
}
EOF
}

# ---------- zones --------------------------------------------------------
zname() { echo "$ZONES/z$1-${ORIGIN%.}.zone"; }

# The DO bit in every query of a dnsperf -B file (2-octet length, then
# the message); each query must already end with one OPT record.
set_do() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
src, dst = sys.argv[1:]
data = open(src, "rb").read()
out = bytearray()
i = n = 0
while i < len(data):
    (ln,) = struct.unpack("!H", data[i:i + 2])
    m = bytearray(data[i + 2:i + 2 + ln])
    i += 2 + ln
    qd, an, ns, ar = struct.unpack("!HHHH", m[4:12])
    assert qd == 1 and an == 0 and ns == 0 and ar == 1, "unexpected query"
    p = 12
    while m[p]:
        p += 1 + m[p]
    p += 1 + 4
    # OPT: root name, TYPE 41, CLASS = payload size, TTL = ext-rcode,
    # version, flags (DO is the top bit)
    assert m[p] == 0 and struct.unpack("!H", m[p + 1:p + 3])[0] == 41
    m[p + 7] |= 0x80
    out += struct.pack("!H", ln) + m
    n += 1
open(dst, "wb").write(out)
print("%d queries with DO=1" % n)
EOF
}

unsigned_zone() {   # N: gen-zone.py's zone and its DO=1 query files
	local z; z=$(zname "$1")
	[ -s "$z.queries.bin" ] && [ -s "$z.queries.bin.nodo" ] && return 0
	mkdir -p "$ZONES"
	log "generating the $1-name zone"
	"$KIT/gen-zone.py" "$1" "$ORIGIN" "$z" >&2
	mv "$z.queries.bin" "$z.queries.bin.nodo"
	set_do "$z.queries.bin.nodo" "$z.queries.bin.tmp" >&2
	mv "$z.queries.bin.tmp" "$z.queries.bin"
}

keys() {   # one KSK and one ZSK, made once and kept with the zones
	[ -s "$KEYS/ksk" ] && [ -s "$KEYS/zsk" ] && return 0
	rm -rf "$KEYS"; mkdir -p "$KEYS"
	dnssec-keygen -q -K "$KEYS" -a 13 -f KSK "$ORIGIN" > "$KEYS/ksk"
	dnssec-keygen -q -K "$KEYS" -a 13 "$ORIGIN" > "$KEYS/zsk"
	log "keys: $(cat "$KEYS/ksk") (KSK), $(cat "$KEYS/zsk") (ZSK)"
}

# N: sign the unsigned zone into signed/ (minutes for 1M names, so only
# when the unsigned zone or the keys changed). -3 - -H 0: NSEC3 without
# salt or extra iterations (RFC 9276); -S takes the keys from -K and adds
# the DNSKEYs; signatures valid for a year so that the cache stays usable;
# -O full writes one record a line with every owner name, as gen-zone.py
# does, rather than the multi-line layout.
signed_zone() {
	local z s stamp cmd
	z=$(zname "$1"); s=$ZONES/signed/$(basename "$z")
	cmd="dnssec-signzone -3 - -H 0 -S -K $KEYS -j $(nproc) -e +31536000"
	cmd="$cmd -O full -o $ORIGIN -f $s.tmp $z"
	stamp="$(cksum < "$z") $(cat "$KEYS/ksk" "$KEYS/zsk" | tr '\n' ' ')$cmd"
	if [ -s "$s" ] && [ "$(cat "$s.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	mkdir -p "$ZONES/signed"
	cp "$z.queries" "$ZONES/signed/"
	cp "$z.queries.bin" "$ZONES/signed/"
	log "signing the $1-name zone: $cmd"
	local t0=$SECONDS
	# in the key directory: dnssec-signzone writes dsset-<zone> there
	(cd "$KEYS" && $cmd) > "$s.log" 2>&1 ||
	    { cat "$s.log" >&2; die "signing failed"; }
	mv "$s.tmp" "$s"
	echo "$stamp" > "$s.stamp"
	echo "$cmd" > "$s.cmd"
	log "signed in $((SECONDS - t0)) s: $(wc -l < "$s") lines," \
	    "$(du -m "$s" | cut -f1) MB"
}

prepare() {
	command -v dnssec-signzone > /dev/null ||
	    die "dnssec-signzone missing (apt-get install bind9-utils)"
	[ -x "$APEX_NAMED" ] || die "no $APEX_NAMED (build apex, or set it)"
	[ -n "$DNSPERF_BIN" ] || die "dnsperf missing (apt-get install dnsperf)"
	kit
	keys
	local n
	for n in "$SMALL" "$BIG"; do
		[ "$n" = 0 ] && continue
		unsigned_zone "$n"
		signed_zone "$n"
	done
}

# ---------- the servers serve the signed data as it is -------------------
# FILE: send the first 5000 queries of a dnsperf -B file one by one over
# UDP; print the rcodes, the truncated answers and the mean answer size
sample() {
	python3 - "$1" "$PORT" <<'EOF'
import collections, socket, struct, sys
f, port = sys.argv[1], int(sys.argv[2])
data = open(f, "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
rc, tc, size, n, i = collections.Counter(), 0, 0, 0, 0
names = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}
while i < len(data) and n < 5000:
    (ln,) = struct.unpack("!H", data[i:i + 2])
    q = bytearray(data[i + 2:i + 2 + ln])
    i += 2 + ln
    q[0:2] = struct.pack("!H", n & 0xffff)
    s.sendto(q, ("127.0.0.1", port))
    try:
        a = s.recv(65535)
    except socket.timeout:
        rc["timeout"] += 1; n += 1; continue
    flags = struct.unpack("!H", a[2:4])[0]
    rc[names.get(flags & 15, str(flags & 15))] += 1
    tc += bool(flags & 0x0200)
    size += len(a); n += 1
print("sample of %d DO=1 queries: %s, TC=1: %d, mean answer %.0f octets" %
      (n, " ".join("%s %d" % kv for kv in sorted(rc.items())), tc,
       size / max(1, n - rc["timeout"])))
EOF
}

# For every server on the signed SMALL zone: DO=1 for an existing name
# must bring its RRSIG, and the signature must be byte for byte the one in
# the zone file (ECDSA signatures differ every time, so a re-signing
# server would show other ones); an NXDOMAIN must bring NSEC3s with their
# RRSIGs; and the SOA serial must be the file's.
check() {
	local z s srv dir name sig serial fail=0 a nx
	z=$(zname "$SMALL"); s=$ZONES/signed/$(basename "$z")
	# an existing A name, and one that no wildcard covers
	name=$(awk '$4 == "A" && $1 ~ /^[a-z]+[0-9]+\./ { print $1; exit }' "$s")
	[ -n "$name" ] || die "no A name in $s"
	serial=$(awk '$4 == "SOA" { print $7; exit }' "$s")
	for srv in $SERVERS; do
		dir=$(THREADS=1 ORIGIN=$ORIGIN "$WORK/kit/run-peer.sh" \
		    "${srv}_signed" "$PORT" "$z")
		if [ "$("$WORK/kit/dnstool.py" wait-soa "$PORT" "$ORIGIN" 120)" \
		    = timeout ]; then
			log "$srv: no SOA answer"; tail "$dir/log" >&2
			"$WORK/kit/run-peer.sh" stop "$dir"; fail=1; continue
		fi
		a=$(dig +dnssec +norec +noall +answer -p "$PORT" @127.0.0.1 \
		    "$name" A)
		nx=$(dig +dnssec +norec -p "$PORT" @127.0.0.1 \
		    "nothere-apex-check.$ORIGIN" A)
		{
			echo "== $srv: $name A"; echo "$a"
			echo "== $srv: nothere-apex-check.$ORIGIN A"; echo "$nx"
		} > "$WORK/check-$srv.txt"
		sig=$(echo "$a" | awk '$4 == "RRSIG" {
			for (i = 13; i <= NF; i++) printf "%s", $i; exit }')
		if [ -z "$sig" ]; then
			log "$srv: no RRSIG for $name A"; fail=1
		elif ! tr -d ' \n' < "$s" | grep -qF "$sig"; then
			log "$srv: the RRSIG for $name A is not the zone file's"
			fail=1
		fi
		echo "$nx" | grep -q 'status: NXDOMAIN' ||
		    { log "$srv: no NXDOMAIN"; fail=1; }
		[ "$(echo "$nx" | awk '$4 == "NSEC3"' | wc -l)" -ge 2 ] ||
		    { log "$srv: NXDOMAIN without NSEC3s"; fail=1; }
		[ "$(echo "$nx" | awk '$4 == "RRSIG" && $5 == "NSEC3"' |
		    wc -l)" -ge 2 ] ||
		    { log "$srv: NSEC3s without RRSIGs"; fail=1; }
		[ "$(dig +short -p "$PORT" @127.0.0.1 "$ORIGIN" SOA |
		    awk '{ print $3 }')" = "$serial" ] ||
		    { log "$srv: SOA serial is not the file's $serial"; fail=1; }
		# the first queries of the benchmark's own DO=1 file: answers
		# of the same kinds (rcodes) from every server, none truncated
		sample "$z.queries.bin" >> "$WORK/check-$srv.txt"
		tail -1 "$WORK/check-$srv.txt" >&2
		cp "$dir/log" "$WORK/check-$srv.log"
		# Knot logs "DNSSEC, ..." lines when it signs
		if grep -i 'dnssec,' "$dir/log" >&2; then
			log "$srv: signs the zone itself"; fail=1
		fi
		KEEP=0 "$WORK/kit/run-peer.sh" stop "$dir"
		log "$srv: $(echo "$a" | grep -c RRSIG) RRSIG in the answer," \
		    "$(echo "$nx" | awk '$4 == "NSEC3"' | wc -l) NSEC3 in" \
		    "the NXDOMAIN (see $WORK/check-$srv.txt)"
	done
	[ "$fail" = 0 ] || die "check failed"
}

run() {
	local list="" srv
	# the signed zones first: they are what the run is for, and on a
	# busy machine the kit's waits can make a run longer than planned
	for srv in $SERVERS; do list="$list ${srv}_signed"; done
	for srv in $SERVERS; do list="$list $srv"; done
	mkdir -p "$WORK/results"
	OUT=${OUT:-$WORK/results/$(date +%Y%m%d-%H%M%S)}
	log "bench.sh: SERVERS=\"${list# }\" results in $OUT"
	PATH=$WORK/bin:$PATH SERVERS="${list# }" ZONEDIR=$ZONES OUT=$OUT \
	    MODES=${MODES:-1core 1core50} RATE=${RATE:-0} \
	    DNSPERF=${DNSPERF:--c 10 -q 500 -T 2 -D} SMALL=$SMALL BIG=$BIG \
	    "$WORK/kit/bench.sh"
	# where the signed zones came from, beside the kit's own records
	cp "$ZONES"/signed/*.cmd "$OUT/" 2>/dev/null || :
	cp "$WORK"/check-* "$OUT/"
	table "$OUT" | tee "$OUT/dnssec-table.md"
}

# DIR: the DNSSEC table from one bench.sh result directory: per row the
# servers on the unsigned and the signed zones, and apex's ratios.
# "whole run" divides the queries dnsperf saw answered by the server's CPU
# time from before to after the run (the shim's line in each .dnsperf
# file); "kit" is bench.sh's own figure, sampled during the run.
table() {
	# shellcheck disable=SC2086 # one argument per server
	python3 - "$1" $SERVERS <<'EOF'
import os, re, sys
out, servers = sys.argv[1], sys.argv[2:]
r = {}
for line in open(os.path.join(out, "results.tsv")):
    p = line.rstrip("\n").split("\t")
    if len(p) == 4:
        r[(p[0], p[1], p[2])] = p[3]
# whole-run queries per server CPU-second from the shim's lines
for f in os.listdir(out):
    m = re.match(r"(.+)-(1core50|1core)-(\w+)\.dnsperf$", f)
    if not m:
        continue
    t = open(os.path.join(out, f)).read()
    c = re.search(r"Queries completed:\s+(\d+)", t)
    s = re.search(r"# server pid, CPU s before and after: "
                  r"(\d+) ([\d.]+) (\d+) ([\d.]+)", t)
    if c and s and s.group(1) == s.group(3) and s.group(1) != "0":
        cpu = float(s.group(4)) - float(s.group(2))
        if cpu > 0:
            r[(m.group(1), m.group(2), m.group(3) + "_qps_per_cpu_run")] = \
                "%.0f" % (int(c.group(1)) / cpu)
            r[(m.group(1), m.group(2), m.group(3) + "_srv_cpu_run")] = \
                "%.2f" % cpu
rows = [
    ("UDP QPS, DO=1 resolver-like (RD=0, EDNS 1232), 1core",
     "1core", "udpwire_qps"),
    ("same, queries per server CPU-second (whole run)",
     "1core", "udpwire_qps_per_cpu_run"),
    ("same, QPS per server core-second (kit)",
     "1core", "udpwire_qps_per_srv_core"),
    ("same, answer octets", "1core", "udpwire_resp_bytes"),
    ("UDP QPS, DO=1 (RD=1, EDNS 4096), 1core", "1core", "udp_qps"),
    ("same, queries per server CPU-second (whole run)",
     "1core", "udp_qps_per_cpu_run"),
    ("same, QPS per server core-second (kit)",
     "1core", "udp_qps_per_srv_core"),
    ("UDP QPS, DO=1 (RD=1), server capped at 50% (1core50)",
     "1core50", "udp_qps"),
    ("same, queries per server CPU-second (whole run)",
     "1core50", "udp_qps_per_cpu_run"),
    ("same, QPS per server core-second (kit)",
     "1core50", "udp_qps_per_srv_core"),
    ("PSS after loading 1M names, MB", "1core", "pss_mb_big"),
    ("load 1M names, s", "1core", "load_s_big"),
    ("PSS after loading 100k names, MB", "1core", "pss_mb_small"),
    ("load 100k names, s", "1core", "load_s_small"),
]
def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
def fmt(v):
    x = num(v)
    if x is None:
        return "-"
    return "{:,.0f}".format(x) if abs(x) >= 100 else ("%.2f" % x)
names = {"apex": "apex", "nsd": "NSD", "knot": "Knot", "bind": "BIND"}
peers = [s for s in servers if s != "apex"]
print("| zone | | " + " | ".join(names.get(s, s) for s in servers) + " | " +
      " | ".join("apex/" + names.get(s, s) for s in peers) + " |")
print("|---|---|" + "---|" * (len(servers) + len(peers)))
for title, mode, key in rows:
    for zone, suf in (("unsigned", ""), ("signed", "_signed")):
        v = {s: r.get((s + suf, mode, key)) for s in servers}
        ratio = []
        for s in peers:
            a, b = num(v.get("apex")), num(v[s])
            ratio.append("%.2f" % (a / b) if a is not None and b and
                         "octets" not in title else "")
        print("| %s | %s | " % (zone, title) +
              " | ".join(fmt(v[s]) for s in servers) + " | " +
              " | ".join(ratio) + " |")
print()
print("signed / unsigned, per server:")
for title, mode, key in rows:
    c = []
    for s in servers:
        a = num(r.get((s + "_signed", mode, key)))
        b = num(r.get((s, mode, key)))
        c.append("%s %s" % (names.get(s, s),
                            "%.2f" % (a / b) if a is not None and b else "-"))
    print("  %s: %s" % (title, ", ".join(c)))
EOF
}

case "${1:-run}" in
prepare) prepare ;;
table) [ $# -eq 2 ] || { echo "usage: dnssec.sh table DIR" >&2; exit 2; }
	table "$2" ;;
check) prepare; check ;;
run) prepare; check; run ;;
*) echo "usage: dnssec.sh [prepare | check | run]" >&2; exit 2 ;;
esac
