# shellcheck shell=bash
# SPDX-License-Identifier: ISC
# Peers of regress/bench/update.sh for the kit's run-peer.sh (copied to
# its peers.d/update.sh): each server as a primary of a zone that the key
# "upd" may update, journal on, NOTIFY to a secondary on 127.0.0.1
# port $SEC_PORT; and a BIND secondary of a primary on $PRIMARY_PORT.
# The kit provides DIR PORT ZONE ORIGIN THREADS; update.sh exports
# UPD_SECRET (base64, hmac-sha256), SEC_PORT, PRIMARY_PORT, APEX_NAMED,
# KNOT_ZONEFILE_SYNC and BIND_NOTIFY_DELAY.
#
# The zone file is copied into $DIR: each server writes next to it (BIND
# z.zone.jnl, apex z.zone.jnl, Knot its LMDB journal in $DIR/db), so
# every journal is on the same file system as the kit's zones (/tmp).

upd_zone_copy() {
	cp "$ZONE" "$DIR/z.zone"
	ZONE=$DIR/z.zone
}

peer_bind_upd() {
	upd_zone_copy
	cat > "$DIR/named.conf" <<EOF
options {
    directory "$DIR";
    pid-file "$DIR/named.pid";
    session-keyfile "$DIR/session.key";
    managed-keys-directory "$DIR";
    listen-on port $PORT { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    allow-transfer { 127.0.0.1; };
    notify explicit;
    also-notify { 127.0.0.1 port $SEC_PORT; };
    notify-delay ${BIND_NOTIFY_DELAY:-0};
};
controls { };
key "upd" { algorithm hmac-sha256; secret "$UPD_SECRET"; };
zone "$ORIGIN" {
    type primary;
    file "$ZONE";
    allow-update { key "upd"; };
};
EOF
	CMD=(named -g -4 -c "$DIR/named.conf")
	[ "$THREADS" = default ] || CMD+=(-n "$THREADS")
}

peer_knot_upd() {
	local w=""
	upd_zone_copy
	if [ "$THREADS" != default ]; then
		w="    udp-workers: $THREADS
    tcp-workers: $THREADS
    background-workers: $THREADS"
	fi
	mkdir -p "$DIR/db"
	# journal-db-mode robust (the default, written out): every journal
	# transaction is synced (LMDB without MDB_NOSYNC) before Knot
	# answers the updates it holds; zonefile-sync -1: the zone file is
	# not rewritten after updates, the journal (journal-content changes,
	# the default) is what keeps them
	cat > "$DIR/knot.conf" <<EOF
server:
    rundir: "$DIR"
    pidfile: "$DIR/knot.pid"
    listen: 127.0.0.1@$PORT
$w
log:
  - target: stderr
    any: info
database:
    storage: "$DIR/db"
    journal-db-mode: robust
key:
  - id: upd
    algorithm: hmac-sha256
    secret: $UPD_SECRET
remote:
  - id: secondary
    address: 127.0.0.1@$SEC_PORT
acl:
  - id: upd
    key: upd
    action: update
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$DIR"
    zonefile-sync: ${KNOT_ZONEFILE_SYNC:--1}
    zonefile-load: whole
    journal-content: changes
zone:
  - domain: "$ORIGIN"
    file: "$ZONE"
    acl: [upd, local_xfr]
    notify: secondary
EOF
	CMD=(knotd -c "$DIR/knot.conf")
}

# apex: BIND's configuration. While apex-named does not take allow-update
# (dynamic update not in yet), the zone is served without it, the marker
# $DIR/no-allow-update says so, and updates are answered REFUSED.
apex_conf() {   # $1: 1 = with allow-update
	local au=""
	[ "$1" = 1 ] && au='    allow-update { key "upd"; };'
	cat > "$DIR/named.conf" <<EOF
options {
    directory "$DIR";
    pid-file "$DIR/named.pid";
    listen-on port $PORT { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    allow-transfer { 127.0.0.1; };
    notify explicit;
    also-notify { 127.0.0.1 port $SEC_PORT; };
    state-directory "$DIR/state";
};
controls { unix "$DIR/control" perm 0600 owner 0 group 0; };
key "upd" { algorithm hmac-sha256; secret "$UPD_SECRET"; };
zone "$ORIGIN" {
    type primary;
    file "$ZONE";
$au
};
EOF
}

apex_common() {
	local u=apex
	upd_zone_copy
	# the children run as apex (or nobody): the journal beside the zone
	# file must be theirs to write
	id "$u" > /dev/null 2>&1 || u=nobody
	chown "$u" "$DIR" "$ZONE"
	CMD=("${APEX_NAMED:-apex-named}" -g -c "$DIR/named.conf")
	[ "$THREADS" = default ] || CMD+=(-n "$THREADS")
}

peer_apex_upd() {
	apex_common
	apex_conf 1
	if ! "${APEX_NAMED:-apex-named}" -C -c "$DIR/named.conf" \
	    > "$DIR/check.log" 2>&1; then
		apex_conf 0
		cat "$DIR/check.log" > "$DIR/no-allow-update"
	fi
}

# the generator's ceiling: apex without allow-update answers REFUSED at once
peer_apex_noupd() {
	apex_common
	apex_conf 0
}

# the same from BIND, where there is no apex-named
peer_bind_noupd() {
	peer_bind_upd
	sed -i '/allow-update/d' "$DIR/named.conf"
}

peer_bind_sec() {
	cat > "$DIR/named.conf" <<EOF
options {
    directory "$DIR";
    pid-file "$DIR/named.pid";
    session-keyfile "$DIR/session.key";
    managed-keys-directory "$DIR";
    listen-on port $PORT { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    notify no;
};
controls { };
zone "$ORIGIN" {
    type secondary;
    primaries { 127.0.0.1 port $PRIMARY_PORT; };
    file "$DIR/secondary.zone";
};
EOF
	CMD=(named -g -4 -c "$DIR/named.conf")
	[ "$THREADS" = default ] || CMD+=(-n "$THREADS")
}
