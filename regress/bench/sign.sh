#!/bin/bash
# SPDX-License-Identifier: ISC
# Signing a zone from scratch, and again after a small change: apex's
# inline signing beside BIND's dnssec-signzone and Knot's automatic
# signing, on the peer kit's zone of $NAMES names, one policy for all:
# ECDSAP256SHA256, a KSK and a ZSK, NSEC3 with no salt, 0 extra iterations
# and no opt-out.
#
#   sign.sh [run]       zone, every server in $SERVERS, the table (default)
#   sign.sh prepare     the zone and its changed twin only (cached in $WORK)
#   sign.sh table DIR   the table again from a result directory
#
# Per server:
# - apex: apex-named in the foreground on 127.0.0.1#$PORT with
#   dnssec-policy and inline-signing for the zone and an empty key
#   directory (owned by $APEX_USER, which the signer runs as); it makes
#   its keys and signs. The wall time runs from the start of apex-named to
#   the first answer of the signed zone (the SOA with its RRSIG, and the
#   NSEC3PARAM), asked every 0.2 s; apex serves a zone with a policy only
#   signed. Its log splits that into loading (start to "loaded serial ...;
#   to the signer") and signing (to the signer's "signed" line).
# - BIND: dnssec-signzone -S -3 - -H 0 -j $JOBS -t with a KSK and a ZSK
#   made by dnssec-keygen just before (not timed), under /usr/bin/time -v:
#   wall, user + system CPU, maximum RSS. The wall time includes its
#   check of the signed zone before it writes it (its default); the
#   signing figure is its own "Signing time" (-t).
# - Knot: knotd in the foreground with dnssec-signing on, $JOBS background
#   workers and signing-threads, and an empty KASP database; timed as
#   apex. Its log ("DNSSEC, signing started", "successfully signed")
#   splits loading from signing, to the second (its log's resolution).
# For apex and Knot, right when the signed zone is first answered (before
# any AXFR), /proc gives the CPU time (utime + stime, with reaped
# children) of the server's process tree and each process's VmHWM; the
# memory figure is their sum, and for apex also apex-signer's own.
#
# Re-signing: then $CHANGES A records of the unsigned file get new
# addresses and the SOA serial one more (the same edit for every server,
# made once: z<N>.changed beside the zone), and the zone is reloaded
# (apex-ctl reload ZONE, knotc zone-reload ZONE); the time runs from the
# reload command to the first answer with a new serial and the changed
# record's new address with its RRSIG. dnssec-signzone has no such mode
# (it signs the whole file again), so BIND has no figure there.
#
# No number without a signed zone behind it: the zone of each (an AXFR
# from apex and Knot after signing and after the re-signing,
# dnssec-signzone's output file) must hold every record of the unsigned
# file (after the change: of the changed one), a KSK and a ZSK of
# algorithm 13, NSEC3PARAM 1 0 0 -, NSEC3 without opt-out and no NSEC,
# and an RRSIG over every authoritative RRset (signtool.py check); up to
# $VERIFY_MAX names dnssec-verify must pass too. A failure stops the run.
#
# Environment (defaults in brackets):
#   NAMES       zone size, gen-zone.py's N [1000000]
#   SERVERS     [apex bind knot]
#   JOBS        signing threads of BIND and Knot [2]; apex signs on one
#   CHANGES     A records changed for the re-signing [100]
#   PORT        the server's port on 127.0.0.1 [5393]
#   VERIFY_MAX  dnssec-verify every signed zone up to this size [100000]
#   TIMEOUT     seconds to wait for a signed zone [3600]
#   KIT         the peer kit [../shared/bench beside the tree]
#   WORK        zones and results [/tmp/apex-sign-bench]
#   APEX_NAMED  [build/named/apex-named]; APEX_CTL [build/ctl/apex-ctl]
#   APEX_USER   apex-named -u [apex if that user exists, else nobody]
#   OUT         results [$WORK/results/<NAMES>-<date>]; the table in
#               OUT/table.md, each server's figures in OUT/SERVER.res, its
#               files (config, log, signed dumps) in OUT/SERVER.d
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KIT=${KIT:-$top/../shared/bench}
WORK=${WORK:-/tmp/apex-sign-bench}
NAMES=${NAMES:-1000000}
SERVERS=${SERVERS:-apex bind knot}
JOBS=${JOBS:-2}
CHANGES=${CHANGES:-100}
PORT=${PORT:-5393}
VERIFY_MAX=${VERIFY_MAX:-100000}
TIMEOUT=${TIMEOUT:-3600}
APEX_NAMED=${APEX_NAMED:-$top/build/named/apex-named}
APEX_CTL=${APEX_CTL:-$top/build/ctl/apex-ctl}
if [ -z "${APEX_USER:-}" ]; then
	APEX_USER=nobody
	id apex > /dev/null 2>&1 && APEX_USER=apex
fi
ORIGIN=example.com.
ZONE=$WORK/zones/z$NAMES.zone
tool() { /usr/bin/python3 "$here/signtool.py" "$@"; }

log() { echo "[$(date +%T)] sign.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------- the zones ----------------------------------------------------
prepare() {
	[ -x "$KIT/gen-zone.py" ] || die "no kit at $KIT (set KIT)"
	mkdir -p "$WORK/zones"
	if [ ! -s "$ZONE" ]; then
		log "generating the $NAMES-name zone"
		"$KIT/gen-zone.py" "$NAMES" "$ORIGIN" "$ZONE.tmp" >&2
		# the query files are for the kit's query benchmark
		rm -f "$ZONE.tmp.queries" "$ZONE.tmp.queries.bin"
		mv "$ZONE.tmp" "$ZONE"
	fi
	if [ ! -s "${ZONE%.zone}.changed" ] ||
	    [ "$(cat "${ZONE%.zone}.change.n" 2>/dev/null)" != "$CHANGES" ]; then
		tool change "$ZONE" "${ZONE%.zone}.changed" "$CHANGES" \
		    > "${ZONE%.zone}.change"
		echo "$CHANGES" > "${ZONE%.zone}.change.n"
	fi
}

# ---------- running servers ----------------------------------------------
PIDS=""
stop() {   # PID: TERM, then KILL for what is left of its tree
	local pid=$1 tree p
	tree=$(tool tree-pids "$pid" 2>/dev/null || :)
	kill -TERM "$pid" 2>/dev/null || :
	for _ in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	for p in $pid $tree; do kill -KILL "$p" 2>/dev/null || :; done
	wait "$pid" 2>/dev/null || :
	PIDS=${PIDS// $pid/}
}
cleanup() { local p; for p in $PIDS; do stop "$p"; done; }
trap cleanup EXIT

axfr() {   # FILE: the zone by AXFR, one record a line, one SOA
	dig -p "$PORT" @127.0.0.1 "$ORIGIN" AXFR +onesoa +nocmd +nostats \
	    +nocomments > "$1"
}

# SERVER FILE [UNSIGNED NAME ADDR]: the signed dump must be the zone
# signed (signtool.py check), and dnssec-verify must pass when small
verify() {
	local srv=$1 f=$2 u=${3:-$ZONE} r
	if ! r=$(tool check "$f" "$u" "$ORIGIN" ${4:+"$4" "$5"}); then
		echo "$r" >&2; die "$srv: $f is not the zone signed"
	fi
	if [ "$NAMES" -le "$VERIFY_MAX" ]; then
		dnssec-verify -q -o "$ORIGIN" "$f" > "$f.verify" 2>&1 ||
		    { cat "$f.verify" >&2; die "$srv: dnssec-verify failed"; }
	fi
	log "$srv: $(basename "$f"): $r"
	echo "$r"
}

# the first signed answer after T0, or the log and a stop
wait_signed() {   # SERVER PID T0 LOG
	local w
	w=$(tool wait-signed "$PORT" "$ORIGIN" "$3" "$TIMEOUT" "$2") || :
	case $w in
	timeout|died|"")
		tail -20 "$4" >&2; die "$1: no signed zone ($w)" ;;
	esac
	echo "$w"
}

# SERVER PID DIR RELOAD-COMMAND...: the changed file, the reload, the time
# to its first signed answer; the dump after it is checked
resign() {
	local srv=$1 pid=$2 d=$3 old t0 w name addr
	shift 3
	read -r name addr _ _ < "${ZONE%.zone}.change"
	old=$(tool serial "$PORT" "$ORIGIN")
	cp "${ZONE%.zone}.changed" "$d/zone.db"
	t0=$(date +%s.%N)
	"$@" > "$d/reload.out" 2>&1 ||
	    { cat "$d/reload.out" >&2; die "$srv: reload failed"; }
	w=$(tool wait-change "$PORT" "$ORIGIN" "$old" "$name.$ORIGIN" \
	    "$addr" "$t0" "$TIMEOUT" "$pid") || :
	case $w in
	timeout|died|"")
		tail -20 "$d/log" >&2
		die "$srv: the change was not served signed ($w)" ;;
	esac
	log "$srv: re-signed in $w s (serial $old -> $(tool serial "$PORT" \
	    "$ORIGIN"))"
	echo "resign_s=$w" >> "$d/../$srv.res"
	axfr "$d/resigned.txt"
	verify "$srv" "$d/resigned.txt" "${ZONE%.zone}.changed" \
	    "$name" "$addr" > /dev/null
}

res_head() {   # SERVER VERSION
	{
		echo "names=$NAMES"
		echo "changes=$CHANGES"
		echo "version=$2"
		echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	} > "$OUT/$1.res"
}

# ---------- apex ---------------------------------------------------------
run_apex() {
	local d=$OUT/apex.d t0 pid w
	[ -x "$APEX_NAMED" ] || die "no $APEX_NAMED (build apex, or set it)"
	rm -rf "$d"; mkdir -p "$d/keys" "$d/state"
	chown "$APEX_USER:" "$d/keys" "$d/state"
	cp "$ZONE" "$d/zone.db"
	cat > "$d/named.conf" <<EOF
options {
	directory "$d";
	pid-file none;
	listen-on port $PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	allow-transfer { 127.0.0.1; };
	notify no;
	state-directory "$d/state";
};
controls { unix "$d/control" perm 0600 owner 0 group 0; };
dnssec-policy "bench" {
	keys {
		ksk lifetime unlimited algorithm ecdsap256sha256;
		zsk lifetime unlimited algorithm ecdsap256sha256;
	};
	nsec3param iterations 0 optout no salt-length 0;
};
zone "${ORIGIN%.}" {
	type primary;
	file "$d/zone.db";
	dnssec-policy bench;
	inline-signing yes;
	key-directory "$d/keys";
};
EOF
	res_head apex "$("$APEX_NAMED" -V 2>&1 | head -1)"
	log "apex: starting ($NAMES names)"
	t0=$(date +%s.%N)
	setsid "$APEX_NAMED" -g -u "$APEX_USER" -c "$d/named.conf" \
	    > "$d/log" 2>&1 < /dev/null &
	pid=$!; PIDS="$PIDS $pid"
	w=$(wait_signed apex "$pid" "$t0" "$d/log")
	tool tree "$pid" >> "$OUT/apex.res"
	log "apex: signed zone served after $w s"
	echo "wall_s=$w" >> "$OUT/apex.res"
	axfr "$d/signed.txt"
	verify apex "$d/signed.txt" | tr ' ' '\n' >> "$OUT/apex.res"
	resign apex "$pid" "$d" "$APEX_CTL" -s "$d/control" reload "${ORIGIN%.}"
	tool tree "$pid" | sed 's/^/end_/' >> "$OUT/apex.res"
	stop "$pid"
	tool apexlog "$d/log" "$t0" >> "$OUT/apex.res"
	echo "note=apex-signer signs with one thread per CPU it may use ($(nproc))" >> "$OUT/apex.res"
}

# ---------- BIND: dnssec-signzone ----------------------------------------
run_bind() {
	local d=$OUT/bind.d t
	rm -rf "$d"; mkdir -p "$d/keys"
	cp "$ZONE" "$d/zone.db"
	dnssec-keygen -q -K "$d/keys" -a ECDSAP256SHA256 -f KSK "$ORIGIN" \
	    > /dev/null
	dnssec-keygen -q -K "$d/keys" -a ECDSAP256SHA256 "$ORIGIN" > /dev/null
	res_head bind "$(dnssec-signzone -V 2>&1 | head -1)"
	log "bind: dnssec-signzone ($NAMES names, -j $JOBS)"
	# -S: the keys of -K and their DNSKEYs; -3 -: NSEC3 without salt;
	# -H 0: no extra iterations; -O full: one record a line, as an AXFR
	# dump; -t: its own statistics in the log; run in $d, where it
	# writes dsset-<zone>
	(cd "$d" && /usr/bin/time -v -o "$d/time.txt" dnssec-signzone -S \
	    -3 - -H 0 -j "$JOBS" -t -K "$d/keys" -o "$ORIGIN" -O full \
	    -f "$d/signed.txt" "$d/zone.db") > "$d/log" 2>&1 ||
	    { tail -20 "$d/log" >&2; die "bind: dnssec-signzone failed"; }
	t=$d/time.txt
	awk -F': ' '
	/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		printf "wall_s=%.2f\n", s }
	/User time/ { u = $2 } /System time/ { y = $2 }
	/Maximum resident set size/ { printf "hwm_mb=%.1f\n", $2 / 1024 }
	END { printf "cpu_s=%.2f\n", u + y }' "$t" >> "$OUT/bind.res"
	# its own signing time (-t), without loading, verifying, writing
	awk -F': *' '/^Signing time in seconds/ { print "sign_s=" $2 }' \
	    "$d/log" >> "$OUT/bind.res"
	log "bind: $(grep -h 'Elapsed' "$t")"
	verify bind "$d/signed.txt" | tr ' ' '\n' >> "$OUT/bind.res"
	echo "note=dnssec-signzone -j $JOBS; no re-signing figure (it signs" \
	    "the whole file again)" >> "$OUT/bind.res"
}

# ---------- Knot ---------------------------------------------------------
run_knot() {
	local d=$OUT/knot.d t0 pid w
	rm -rf "$d"; mkdir -p "$d/db"
	cp "$ZONE" "$d/zone.db"
	# difference: a reload applies what changed in the file to the zone
	# (and signs that only);
	# zonefile-sync -1: the signed zone is never written back to the file
	# the journal holds the first signing's changeset, all RRSIGs and
	# NSEC3s: at 1M names past the default journal-max-usage (1 GiB), and
	# Knot then fails the load ("not enough space provided")
	cat > "$d/knot.conf" <<EOF
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: 127.0.0.1@$PORT
    background-workers: $JOBS
log:
  - target: stderr
    any: info
database:
    storage: "$d/db"
    journal-db-max-size: 64G
acl:
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: off
    ksk-lifetime: 0
    zsk-lifetime: 0
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: off
    signing-threads: $JOBS
template:
  - id: default
    storage: "$d"
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
    journal-max-usage: 32G
zone:
  - domain: "$ORIGIN"
    file: "$d/zone.db"
    acl: local_xfr
    dnssec-signing: on
    dnssec-policy: bench
EOF
	res_head knot "$(knotd --version 2>&1 | head -1)"
	log "knot: starting ($NAMES names)"
	t0=$(date +%s.%N)
	setsid knotd -c "$d/knot.conf" > "$d/log" 2>&1 < /dev/null &
	pid=$!; PIDS="$PIDS $pid"
	w=$(wait_signed knot "$pid" "$t0" "$d/log")
	tool tree "$pid" >> "$OUT/knot.res"
	log "knot: signed zone served after $w s"
	echo "wall_s=$w" >> "$OUT/knot.res"
	axfr "$d/signed.txt"
	verify knot "$d/signed.txt" | tr ' ' '\n' >> "$OUT/knot.res"
	resign knot "$pid" "$d" knotc -c "$d/knot.conf" zone-reload "$ORIGIN"
	tool tree "$pid" | sed 's/^/end_/' >> "$OUT/knot.res"
	stop "$pid"
	tool knotlog "$d/log" "$t0" >> "$OUT/knot.res"
	echo "note=knotd, background-workers and signing-threads $JOBS" \
	    >> "$OUT/knot.res"
}

run() {
	local srv
	mkdir -p "$WORK/results"
	OUT=${OUT:-$WORK/results/$NAMES-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$OUT"
	log "results in $OUT"
	for srv in $SERVERS; do
		case $srv in
		apex|bind|knot) "run_$srv" ;;
		*) die "unknown server $srv" ;;
		esac
	done
	tool table "$OUT" | tee "$OUT/table.md"
}

case "${1:-run}" in
prepare) prepare ;;
run) prepare; run ;;
table) [ $# -eq 2 ] || { echo "usage: sign.sh table DIR" >&2; exit 2; }
	tool table "$2" ;;
*) echo "usage: sign.sh [run | prepare | table DIR]" >&2; exit 2 ;;
esac
