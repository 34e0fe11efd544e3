#!/bin/sh
# SPDX-License-Identifier: ISC
# Configuration and zone checks with apex-named -C (part of make check):
#  - every example configuration in etc/ passes, with the zones in zones/;
#  - every broken zone here fails, naming the file and line given in its
#    "; expect:" comments;
#  - the dynamic update configurations update-*.conf, the signing ones
#    dnssec-*.conf and the rndc channels controls-*.conf, against
#    apex-named -C and BIND's named-checkconf.
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
named=${APEX_NAMED:-${abs_top_builddir:-$top}/named/apex-named}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0

# Passes apex-named -C when run from directory $1 with configuration $2.
passes() {
	if (cd "$1" && "$named" -C -c "$2") >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL: $2 does not pass apex-named -C:"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
}

for conf in "$top"/etc/*.conf*; do
	[ -f "$conf" ] && passes "$top" "$conf"
done

# The primary + secondary pair, from the directory quickstart.sh sets up.
mkdir -p "$tmp/pair/primary" "$tmp/pair/secondary"
cp "$top/zones/example.com.zone" "$tmp/pair/primary/"
for conf in "$top"/etc/pair/*.conf; do
	passes "$tmp" "$conf"
done

for zone in "$top"/regress/conf/bad-*.zone; do
	name=$(basename "$zone" .zone)
	origin=$(sed -n 's/^; origin: *//p' "$zone")
	cat >"$tmp/named.conf" <<CONF
options { directory "$top/regress/conf"; };
zone "${origin:-example.com}" { type primary; file "$name.zone"; };
CONF
	if "$named" -C -c "$tmp/named.conf" >"$tmp/out" 2>&1; then
		echo "FAIL: $name: apex-named -C accepted it"
		fail=$((fail + 1))
		continue
	fi
	ok=1
	sed -n 's/^; expect: *//p' "$zone" >"$tmp/expect"
	[ -s "$tmp/expect" ] || { echo "FAIL: $name: no expect lines"; ok=0; }
	while IFS= read -r want; do
		# "LINE: message", or a message about the whole zone
		case $want in
		[0-9]*) want="$name.zone:$want" ;;
		*) want="$name.zone: $want" ;;
		esac
		grep -qF "$want" "$tmp/out" || {
			echo "FAIL: $name: missing '$want' in:"
			cat "$tmp/out"
			ok=0
		}
	done <"$tmp/expect"
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done

# The dynamic update, signing and control channel statements: each
# update-*.conf, dnssec-*.conf and controls-*.conf passes apex-named -C unless it has "// expect: LINE:
# message" lines, which must then all be in the errors, and BIND's
# named-checkconf (where installed) passes or fails it as its "// bind:"
# line says, so both read the grammar alike.
checkconf=$(command -v named-checkconf 2>/dev/null)
mkdir -p "$tmp/dyn"
for conf in "$top"/regress/conf/update-*.conf \
    "$top"/regress/conf/dnssec-*.conf "$top"/regress/conf/controls-*.conf; do
	name=$(basename "$conf" .conf)
	for z in $(sed -n 's/^zone "\([^"]*\)".*/\1/p' "$conf"); do
		printf '%s\n' '$TTL 300' '@ SOA ns hostmaster 1 3600 600 86400 300' \
		    '@ NS ns' 'ns A 192.0.2.1' >"$tmp/dyn/$z.zone"
	done
	ok=1
	sed -n 's|^// expect: *||p' "$conf" >"$tmp/expect"
	if (cd "$tmp/dyn" && "$named" -C -c "$conf") >"$tmp/out" 2>&1; then
		[ -s "$tmp/expect" ] && {
			echo "FAIL: $name: apex-named -C accepted it"; ok=0; }
	elif [ ! -s "$tmp/expect" ]; then
		echo "FAIL: $name: apex-named -C rejected it:"
		cat "$tmp/out"
		ok=0
	fi
	while IFS= read -r want; do
		grep -qF "$name.conf:$want" "$tmp/out" || {
			echo "FAIL: $name: missing '$want' in:"
			cat "$tmp/out"
			ok=0
		}
	done <"$tmp/expect"
	bind=$(sed -n 's|^// bind: *||p' "$conf")
	if [ -n "$checkconf" ]; then
		if (cd "$tmp/dyn" && "$checkconf" "$conf") >"$tmp/bind" 2>&1
		then got=pass; else got=fail; fi
		[ "$got" = "$bind" ] || {
			echo "FAIL: $name: named-checkconf: $got, not $bind:"
			cat "$tmp/bind"
			ok=0
		}
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
