# SPDX-License-Identifier: ISC
# apex for the peer benchmark kit (../shared/bench): copy or link this file
# to the kit's peers.d/apex.sh and set APEX_NAMED to the binary, then
#   SERVERS="apex nsd knot bind" ./bench.sh
# The kit provides DIR PORT ZONE ORIGIN THREADS and write_named_conf.
peer_apex() {
	write_named_conf "$DIR/named.conf"
	# the control socket in the server's own directory: the default
	# /run/apex/control may belong to another apex-named on the machine,
	# and apex-named does not take over a socket that answers
	echo "controls { unix \"$DIR/control\" perm 0600 owner 0 group 0; };" \
	    >> "$DIR/named.conf"
	CMD=("${APEX_NAMED:-apex-named}" -g -c "$DIR/named.conf")
	if [ "$THREADS" = default ]; then :; else CMD+=(-n "$THREADS"); fi
}
