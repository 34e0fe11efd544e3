#!/bin/bash
# SPDX-License-Identifier: ISC
# Dynamic update (RFC 2136, TSIG hmac-sha256 over TCP) on BIND 9, Knot and
# apex, each as the primary of the kit's zones of $SIZES names, one run:
#
#   update.sh [run]     every server in $SERVERS, then the table
#   update.sh quick     the same with DURATION=2, LAG_N=5, SIZES=100,
#                       RETRIES=0, QUIET_WAIT=5 (a test of the script)
#   update.sh ceiling   the generator's own ceiling only
#   update.sh synccheck what each server syncs: strace on every thread of
#                       the primary while updgen sends for 2 s on 1 and on
#                       8 connections; sync calls (fsync, fdatasync, msync,
#                       sync_file_range) per NOERROR, and the files synced
#   update.sh table DIR the table again from a result directory
#
# Per server and zone size (server: one worker, pinned to CPU 0, as the
# kit's 1core mode; every client pinned to CPU 1):
#  1. sustained updates: updgen (updgen.c, built into $WORK/bin) with
#     $CONNS connections (one at a time), each a closed loop of single-
#     record updates (add a TXT at a new name, delete it, next name, ...;
#     every one a change) for $DURATION s: NOERROR answers per second,
#     latency p50/p99, server CPU per update.
#  2. time for a secondary to see an update: a BIND secondary (NOTIFY on
#     from the primary, IXFR) on $SEC_PORT; $LAG_N updates $LAG_GAP s
#     apart, each timed from its NOERROR to the first UDP answer of the
#     secondary that holds the record (polled every ms); the median.
#  3. UDP queries (the kit's query file for the zone, dnsperf -c 10 -q 500
#     -T 2) for $DURATION s with the server idle, then while updgen sends
#     a steady $STREAM_RATE updates/s on $STREAM_CONNS connections; the
#     ratio.
# Before each server run, the median fdatasync latency of a 4 KiB write
# in $WORK (the file system of every journal) is noted: it bounds what
# one connection can do, and other work on the machine moves it.
#
# A server that answers the probe update with anything but NOERROR (apex
# before dynamic update lands: REFUSED; apex-named that rejects
# allow-update runs without it) gets that RCODE in its column instead of
# figures. The ceiling: updgen against apex without allow-update (REFUSED
# at once, TSIG checked), or BIND's REFUSED where there is no apex-named.
#
# Environment (defaults in brackets):
#   SERVERS     [bind knot apex]       SIZES   zone names [100 10000]
#   CONNS       [1 4 16]               DURATION seconds per run [10]
#   LAG_N [20]  LAG_GAP [0.5]          STREAM_RATE [100] STREAM_CONNS [4]
#   PORT        primary [5370]; the secondary is PORT+1 (SEC_PORT)
#   KIT         the peer kit [../shared/bench beside the tree]
#   WORK        zones, key, kit copy, updgen, results [/tmp/apex-update-bench]
#   APEX_NAMED  [build/named/apex-named]
#   OUT         results [$WORK/results/<date>]; the table in OUT/table.md
#   BIND_NOTIFY_DELAY [0] (BIND's own default is 5 s between NOTIFY sets)
#   KNOT_ZONEFILE_SYNC [-1] (Knot's default 0 rewrites the zone file after
#               every update; -1 leaves the changes in the journal)
#   QUIET_PCT [10] QUIET_WAIT [120] FOREIGN_MAX [0.5] RETRIES [2]: as in
#               the kit's bench.sh, wait before each run for busy CPU below
#               QUIET_PCT %, and redo a run (at most RETRIES times) when
#               processes other than the servers and the clients used more
#               than FOREIGN_MAX CPU-s during it (recorded per run)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KIT=${KIT:-$top/../shared/bench}
WORK=${WORK:-/tmp/apex-update-bench}
APEX_NAMED=${APEX_NAMED:-$top/build/named/apex-named}
case "${1:-run}" in
quick)
	DURATION=${DURATION:-2}; LAG_N=${LAG_N:-5}; SIZES=${SIZES:-100}
	RETRIES=${RETRIES:-0}; QUIET_WAIT=${QUIET_WAIT:-5} ;;
esac
SERVERS=${SERVERS:-bind knot apex}
SIZES=${SIZES:-100 10000}
CONNS=${CONNS:-1 4 16}
DURATION=${DURATION:-10}
LAG_N=${LAG_N:-20}
LAG_GAP=${LAG_GAP:-0.5}
STREAM_RATE=${STREAM_RATE:-100}
STREAM_CONNS=${STREAM_CONNS:-4}
ORIGIN=${ORIGIN:-example.com.}
PORT=${PORT:-5370}
SEC_PORT=${SEC_PORT:-$((PORT + 1))}
QUIET_PCT=${QUIET_PCT:-10}
QUIET_WAIT=${QUIET_WAIT:-120}
FOREIGN_MAX=${FOREIGN_MAX:-0.5}
RETRIES=${RETRIES:-2}
BIND_NOTIFY_DELAY=${BIND_NOTIFY_DELAY:-0}
KNOT_ZONEFILE_SYNC=${KNOT_ZONEFILE_SYNC:--1}
ZONES=$WORK/zones
PEER=$WORK/kit/run-peer.sh
DT=$WORK/kit/dnstool.py
UT=$here/updtool.py
GEN=$WORK/bin/updgen
export ORIGIN APEX_NAMED SEC_PORT BIND_NOTIFY_DELAY KNOT_ZONEFILE_SYNC
CUR=""		# the running primary's kit directory
SEC=""		# the running secondary's
BG=""		# a background client

log() { echo "[$(date +%T)] update.sh: $*" >&2; }
die() { log "$*"; exit 1; }

cleanup() {
	if [ -n "$BG" ]; then kill "$BG" 2>/dev/null || :; wait "$BG" 2>/dev/null || :; fi
	BG=""
	if [ -n "$SEC" ]; then "$PEER" stop "$SEC" || :; fi
	SEC=""
	if [ -n "$CUR" ]; then "$PEER" stop "$CUR" || :; fi
	CUR=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------- setup ----------------------------------------------------------
prepare() {
	[ -x "$KIT/run-peer.sh" ] || die "no kit at $KIT (set KIT)"
	for t in named knotd dnsperf dig cc python3 taskset; do
		command -v "$t" > /dev/null || die "$t missing"
	done
	mkdir -p "$WORK/kit" "$WORK/bin" "$ZONES"
	cp -r "$KIT/." "$WORK/kit/"
	rm -rf "$WORK/kit/results"
	cp "$here/update-peers.sh" "$WORK/kit/peers.d/update.sh"
	if [ ! -x "$GEN" ] || [ "$here/updgen.c" -nt "$GEN" ]; then
		cc -O2 -Wall -o "$GEN" "$here/updgen.c" -lcrypto -lpthread ||
		    die "cannot build updgen (libssl-dev?)"
	fi
	if [ ! -s "$WORK/key" ]; then
		python3 -c 'import base64, os
print(base64.b64encode(os.urandom(32)).decode())' > "$WORK/key"
	fi
	UPD_SECRET=$(cat "$WORK/key")
	KEY=upd:$UPD_SECRET
	export UPD_SECRET
	local n
	for n in $SIZES; do
		[ -s "$(zname "$n").queries" ] && continue
		log "generating the $n-name zone"
		"$KIT/gen-zone.py" "$n" "$ORIGIN" "$(zname "$n")" >&2
	done
}

zname() { echo "$ZONES/z$1-${ORIGIN%.}.zone"; }

rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$OUT/results.tsv"; }

wait_quiet() {
	local w p
	read -r w p < <("$DT" quiet "$QUIET_PCT" "$QUIET_WAIT")
	[ "$w" != 0 ] && log "waited ${w}s for other load to stop (busy now ${p}%)"
	return 0
}

port_free() {   # PORT
	! ss -Hlnu "sport = :$1" | grep -q . && ! ss -Hlnt "sport = :$1" | grep -q .
}

# start PEER PORT ZONE CPUS -> the kit directory; waits for the SOA
start() {
	local d
	for _ in $(seq 1 50); do port_free "$2" && break; sleep 0.2; done
	port_free "$2" || die "port $2 busy"
	d=$(THREADS=1 CPUS=$4 PRIMARY_PORT=$PORT "$PEER" "$1" "$2" "$3") ||
	    die "cannot start $1"
	echo "$d"
	if [ "$("$DT" wait-soa "$2" "$ORIGIN" 120)" = timeout ]; then
		log "$1 did not answer SOA; log:"; tail -20 "$d/log" >&2
		return 1
	fi
}

srvcpu() { "$DT" cpu "$(cat "$CUR/pid")"; }

# before a run: wait for quiet, note every process's CPU
snap() { wait_quiet; "$DT" snap > "$OUT/.snap"; }
# after it: the CPU-s of others ("CPU-s top-process"), without ours
foreign() {
	local roots
	roots="$$ $(cat "$CUR/pid")"
	[ -n "$SEC" ] && roots="$roots $(cat "$SEC/pid")"
	# shellcheck disable=SC2086 # one argument per PID
	"$DT" foreign "$OUT/.snap" $roots
}
# FOREIGN TRY WHAT: true (run again) when others took too much CPU
disturbed() {
	[ "$2" -lt "$RETRIES" ] || return 1
	[ "$(echo "${1%% *} > $FOREIGN_MAX" | bc)" = 1 ] || return 1
	log "$3 disturbed: ${1%% *} CPU-s by ${1#* } (try $2), again"
}

kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
kvn() { local v; v=$(kv "$@"); echo "${v:-0}"; }   # a count, 0 if missing

# ---------- the measurements -----------------------------------------------
# SRV N C: updgen with C connections for DURATION s
updates() {
	local srv=$1 n=$2 c=$3 f c0 c1 u try fo
	f=$OUT/$srv-$n-upd-c$c.txt
	for try in $(seq 0 "$RETRIES"); do
		snap
		c0=$(srvcpu)
		timeout $((DURATION + 60)) taskset -c 1 "$GEN" -s 127.0.0.1 \
		    -p "$PORT" -z "$ORIGIN" -y "$KEY" -c "$c" -l "$DURATION" \
		    -t "r${c}t$try" > "$f"
		c1=$(srvcpu)
		fo=$(foreign)
		disturbed "$fo" "$try" "$srv/$n c=$c" || break
	done
	rec "$srv" "$n" "upd_c${c}_foreign_cpu_s" "${fo%% *}"
	rec "$srv" "$n" "upd_c${c}_tries" "$((try + 1))"
	echo "server_cpu_s $(echo "$c1 - $c0" | bc -l)" >> "$f"
	u=$(kvn noerror "$f")
	rec "$srv" "$n" "upd_c${c}_per_s" "$(kv updates_per_s "$f")"
	rec "$srv" "$n" "upd_c${c}_p50_ms" "$(kv p50_ms "$f")"
	rec "$srv" "$n" "upd_c${c}_p99_ms" "$(kv p99_ms "$f")"
	rec "$srv" "$n" "upd_c${c}_gen_cpu_s" "$(kv cpu_s "$f")"
	rec "$srv" "$n" "upd_c${c}_other" \
	    "$(($(kvn answers "$f") - u + $(kvn timeouts "$f") + $(kvn errors "$f")))"
	[ "$u" -gt 0 ] && rec "$srv" "$n" "upd_c${c}_cpu_ms_per_upd" \
	    "$(echo "($c1 - $c0) * 1000 / $u" | bc -l | xargs printf '%.3f')"
	log "$srv/$n c=$c: $(kv updates_per_s "$f") updates/s," \
	    "p50 $(kv p50_ms "$f") ms, p99 $(kv p99_ms "$f") ms," \
	    "server CPU $(echo "$c1 - $c0" | bc -l) s"
}

# SRV N: a BIND secondary, LAG_N updates
lag() {
	local srv=$1 n=$2 f serial w fo
	f=$OUT/$srv-$n-lag.txt
	SEC=$(start bind_sec "$SEC_PORT" "$(zname "$n")" 1) || {
		log "$srv/$n: the secondary did not start"
		rec "$srv" "$n" lag_median_ms "no secondary"
		if [ -n "$SEC" ]; then "$PEER" stop "$SEC"; fi
		SEC=""; return 0; }
	serial=$(python3 "$UT" serial "$PORT" "$ORIGIN")
	w=$(python3 "$UT" wait-serial "$SEC_PORT" "$ORIGIN" "$serial" 60) || :
	if [ "$w" = timeout ]; then
		log "$srv/$n: the secondary did not reach serial $serial"
		tail -20 "$SEC/log" >&2
	else
		snap
		timeout $((LAG_N * 32 + 30)) taskset -c 1 python3 "$UT" lag \
		    "$PORT" "$SEC_PORT" "$ORIGIN" "$KEY" "$LAG_N" "$LAG_GAP" lag \
		    > "$f" || :
		rec "$srv" "$n" lag_median_ms "$(kv median "$f")"
		rec "$srv" "$n" lag_max_ms "$(kv max "$f")"
		rec "$srv" "$n" lag_missing "$(kv missing "$f")"
		fo=$(foreign)
		rec "$srv" "$n" lag_foreign_cpu_s "${fo%% *}"
		log "$srv/$n: the secondary sees an update after" \
		    "$(kv median "$f") ms (median; max $(kv max "$f"))"
	fi
	cp "$SEC/log" "$OUT/$srv-$n-secondary.log"
	"$PEER" stop "$SEC"; SEC=""
}

# FILE: dnsperf's QPS
qps() { sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$1"; }

# SRV N: UDP queries idle and under an update stream
queries() {
	local srv=$1 n=$2 q fid fu fs a b try fo
	q=$(zname "$2").queries
	fid=$OUT/$srv-$n-udp-idle.dnsperf
	fu=$OUT/$srv-$n-udp-during.dnsperf
	fs=$OUT/$srv-$n-stream.txt
	for try in $(seq 0 "$RETRIES"); do
		snap
		timeout $((DURATION + 30)) taskset -c 1 dnsperf -m udp \
		    -s 127.0.0.1 -p "$PORT" -d "$q" -l "$DURATION" -t 2 \
		    -c 10 -q 500 -T 2 > "$fid" 2>&1 || :
		fo=$(foreign)
		disturbed "$fo" "$try" "$srv/$n UDP idle" || break
	done
	rec "$srv" "$n" udp_idle_foreign_cpu_s "${fo%% *}"
	for try in $(seq 0 "$RETRIES"); do
		snap
		taskset -c 1 "$GEN" -s 127.0.0.1 -p "$PORT" -z "$ORIGIN" \
		    -y "$KEY" -c "$STREAM_CONNS" -r "$STREAM_RATE" \
		    -l $((DURATION + 2)) -t "s$try" > "$fs" &
		BG=$!
		sleep 1
		timeout $((DURATION + 30)) taskset -c 1 dnsperf -m udp \
		    -s 127.0.0.1 -p "$PORT" -d "$q" -l "$DURATION" -t 2 \
		    -c 10 -q 500 -T 2 > "$fu" 2>&1 || :
		wait "$BG" || :
		BG=""
		fo=$(foreign)
		disturbed "$fo" "$try" "$srv/$n UDP during updates" || break
	done
	rec "$srv" "$n" udp_during_foreign_cpu_s "${fo%% *}"
	a=$(qps "$fid"); b=$(qps "$fu")
	rec "$srv" "$n" udp_idle_qps "$a"
	rec "$srv" "$n" udp_during_qps "$b"
	rec "$srv" "$n" stream_per_s "$(kv updates_per_s "$fs")"
	rec "$srv" "$n" stream_p99_ms "$(kv p99_ms "$fs")"
	[ -n "$a" ] && [ -n "$b" ] &&
	    rec "$srv" "$n" udp_ratio "$(echo "$b / $a" | bc -l | xargs printf '%.3f')"
	log "$srv/$n: UDP $a qps idle, $b qps during $(kv updates_per_s "$fs")" \
	    "updates/s"
}

one() {   # SRV N
	local srv=$1 n=$2 rc c fs
	wait_quiet
	fs=$(python3 "$UT" fsync "$WORK" 200)
	rec "$srv" "$n" fsync_ms "${fs% *}"
	rec "$srv" "$n" fsync_p90_ms "${fs#* }"
	CUR=$(start "${srv}_upd" "$PORT" "$(zname "$n")" 0) || {
		rec "$srv" "$n" status "did not start"
		if [ -n "$CUR" ]; then
			cp "$CUR/log" "$OUT/$srv-$n-server.log" || :
			"$PEER" stop "$CUR"
		fi
		CUR=""; return 0; }
	cp "$CUR/cmdline" "$OUT/$srv.cmdline"
	for f in "$CUR"/*.conf; do cp "$f" "$OUT/$srv-$(basename "$f")"; done
	[ -e "$CUR/no-allow-update" ] &&
	    log "$srv: runs without allow-update: $(cat "$CUR/no-allow-update")"
	rc=$(python3 "$UT" update "$PORT" "$ORIGIN" "$KEY" "probe.$ORIGIN" add) ||
	    rc=error
	rec "$srv" "$n" zone_rrs "$(grep -cv '^\$\|^;\|^$' "$(zname "$n")")"
	if [ "$rc" != NOERROR ]; then
		log "$srv/$n: the probe update got $rc: no figures"
		rec "$srv" "$n" status "$rc"
	else
		rec "$srv" "$n" status ok
		for c in $CONNS; do updates "$srv" "$n" "$c"; done
		lag "$srv" "$n"
		queries "$srv" "$n"
	fi
	cp "$CUR/log" "$OUT/$srv-$n-server.log"
	# what the journal holds now (BIND's and apex's .jnl, Knot's LMDB)
	rec "$srv" "$n" dir_kb "$(du -sk "$CUR" | cut -f1)"
	"$PEER" stop "$CUR"; CUR=""
}

# the generator against a server that answers at once (REFUSED)
ceiling() {
	local p=apex_noupd c f try fo
	[ -x "$APEX_NAMED" ] || p=bind_noupd
	wait_quiet
	CUR=$(start "$p" "$PORT" "$(zname "${SIZES%% *}")" 0) || {
		if [ -n "$CUR" ]; then "$PEER" stop "$CUR"; fi
		CUR=""; die "$p did not start"; }
	for c in $CONNS; do
		f=$OUT/ceiling-c$c.txt
		for try in $(seq 0 "$RETRIES"); do
			snap
			taskset -c 1 "$GEN" -s 127.0.0.1 -p "$PORT" \
			    -z "$ORIGIN" -y "$KEY" -c "$c" -l "$DURATION" \
			    -t "x$c" > "$f"
			fo=$(foreign)
			disturbed "$fo" "$try" "ceiling c=$c" || break
		done
		rec ceiling "$p" "c${c}_foreign_cpu_s" "${fo%% *}"
		rec ceiling "$p" "c${c}_answers_per_s" "$(kv answers_per_s "$f")"
		rec ceiling "$p" "c${c}_rcode" "$(awk '/^rcode_/ { sub("rcode_", "", $1); printf "%s ", $1 }' "$f")"
		rec ceiling "$p" "c${c}_gen_cpu_pct" \
		    "$(echo "100 * $(kv cpu_s "$f") / $DURATION" | bc -l | xargs printf '%.0f')"
		rec ceiling "$p" "c${c}_p50_ms" "$(kv p50_ms "$f")"
		log "ceiling c=$c ($p): $(kv answers_per_s "$f") answers/s," \
		    "updgen CPU $(kv cpu_s "$f") s"
	done
	"$PEER" stop "$CUR"; CUR=""
}

# SRV: sync calls per update under strace (slows the server: no timing)
synccheck1() {
	local srv=$1 c f st tids p n k
	command -v strace > /dev/null || die "strace missing"
	CUR=$(start "${srv}_upd" "$PORT" "$(zname "${SIZES%% *}")" 0) || {
		log "$srv did not start"
		if [ -n "$CUR" ]; then "$PEER" stop "$CUR"; fi
		CUR=""; return 0; }
	for c in 1 8; do
		f=$OUT/sync-$srv-c$c.txt; st=$OUT/sync-$srv-c$c.strace
		tids=""
		for p in $(cat "$CUR/pid") $("$PEER" descendants "$(cat "$CUR/pid")"); do
			for k in /proc/"$p"/task/*; do tids="$tids -p ${k##*/}"; done
		done
		# shellcheck disable=SC2086 # one -p per thread
		strace -f -y -e trace=fsync,fdatasync,msync,sync_file_range,sync,syncfs \
		    -o "$st" $tids 2> /dev/null &
		BG=$!
		sleep 1
		taskset -c 1 "$GEN" -s 127.0.0.1 -p "$PORT" -z "$ORIGIN" \
		    -y "$KEY" -c "$c" -l 2 -t "y$c" > "$f"
		sleep 0.5
		kill "$BG" 2>/dev/null || :; wait "$BG" 2>/dev/null || :; BG=""
		n=$(kv noerror "$f")
		k=$(grep -cE '(fsync|fdatasync|msync|sync_file_range|sync|syncfs)\(' "$st" || :)
		rec sync "$srv" "c${c}_noerror" "${n:-0}"
		rec sync "$srv" "c${c}_syncs" "$k"
		rec sync "$srv" "c${c}_files" "$(grep -oE 'sync[a-z_]*\([0-9]+<[^>]*>' "$st" |
		    sed 's/.*<//; s/>$//' | sort | uniq -c | sort -rn | head -3 |
		    awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')"
		log "$srv c=$c: ${n:-0} NOERROR, $k sync calls"
	done
	"$PEER" stop "$CUR"; CUR=""
}

synccheck() {
	local srv
	for srv in $SERVERS; do synccheck1 "$srv"; done
	python3 - "$OUT/results.tsv" <<'EOF'
import sys
r = {}
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split("\t")
    if len(p) == 4 and p[0] == "sync":
        r.setdefault(p[1], {})[p[2]] = p[3]
print("| server | conns | NOERROR | sync calls | per update | files synced |")
print("|---|---|---|---|---|---|")
for s, v in r.items():
    for c in ("1", "8"):
        n, k = int(v.get("c%s_noerror" % c, 0)), int(v.get("c%s_syncs" % c, 0))
        print("| %s | %s | %d | %d | %s | %s |" % (
            s, c, n, k, "%.2f" % (k / n) if n else "-",
            v.get("c%s_files" % c, "")))
EOF
}

versions() {
	{
		echo "date: $(date -Is)"; echo "kernel: $(uname -r)"
		echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
		echo "named: $(named -v 2>&1)"; echo "knotd: $(knotd -V 2>&1)"
		echo "apex-named: $APEX_NAMED ($(git -C "$(dirname "$APEX_NAMED")" describe --always --dirty 2>/dev/null))"
		echo "dnsperf: $(dpkg-query -W -f '${Version}' dnsperf 2>/dev/null)"
		echo "filesystem of $WORK: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$WORK")"
		echo "SERVERS=$SERVERS SIZES=$SIZES CONNS=$CONNS DURATION=$DURATION"
		echo "LAG_N=$LAG_N LAG_GAP=$LAG_GAP STREAM_RATE=$STREAM_RATE STREAM_CONNS=$STREAM_CONNS"
		echo "BIND_NOTIFY_DELAY=$BIND_NOTIFY_DELAY KNOT_ZONEFILE_SYNC=$KNOT_ZONEFILE_SYNC"
		echo "load: $(cat /proc/loadavg)"
	} > "$OUT/versions.txt"
	# the knobs, one a line, for the table
	for v in SERVERS SIZES CONNS DURATION LAG_N LAG_GAP STREAM_RATE \
	    STREAM_CONNS BIND_NOTIFY_DELAY KNOT_ZONEFILE_SYNC PORT FOREIGN_MAX \
	    RETRIES; do
		echo "$v=${!v}"
	done > "$OUT/conf"
}

run() {
	local srv n
	mkdir -p "$WORK/results"
	OUT=${OUT:-$WORK/results/$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$OUT"; : > "$OUT/results.tsv"
	versions
	log "results in $OUT"
	ceiling
	for n in $SIZES; do
		for srv in $SERVERS; do
			if [ "$srv" = apex ] && [ ! -x "$APEX_NAMED" ]; then
				log "no $APEX_NAMED: apex skipped"
				rec apex "$n" status "no apex-named"; continue
			fi
			one "$srv" "$n"
		done
	done
	echo "load after: $(cat /proc/loadavg)" >> "$OUT/versions.txt"
	table "$OUT" | tee "$OUT/table.md"
	log "table in $OUT/table.md"
}

table() {
	python3 "$here/update-table.py" "$1"
}

case "${1:-run}" in
run|quick) prepare; run ;;
ceiling)
	prepare; mkdir -p "$WORK/results"
	OUT=${OUT:-$WORK/results/ceiling-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$OUT"; : > "$OUT/results.tsv"; versions
	ceiling; table "$OUT" ;;
synccheck)
	prepare; mkdir -p "$WORK/results"
	OUT=${OUT:-$WORK/results/sync-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$OUT"; : > "$OUT/results.tsv"; versions
	synccheck | tee "$OUT/sync.md" ;;
table) [ $# -eq 2 ] || die "usage: update.sh table DIR"; table "$2" ;;
*) echo "usage: update.sh [run | quick | ceiling | synccheck | table DIR]" >&2
	exit 2 ;;
esac
