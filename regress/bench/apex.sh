# SPDX-License-Identifier: ISC
# apex for the peer benchmark kit (../shared/bench): copy or link this file
# to the kit's peers.d/apex.sh and set APEX_NAMED to the binary, then
#   SERVERS="apex nsd knot bind" ./bench.sh
# The kit provides DIR PORT ZONE ORIGIN THREADS and write_named_conf.
peer_apex() {
	write_named_conf "$DIR/named.conf"
	CMD=("${APEX_NAMED:-apex-named}" -g -c "$DIR/named.conf")
	if [ "$THREADS" = default ]; then :; else CMD+=(-n "$THREADS"); fi
}
