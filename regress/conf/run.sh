#!/bin/sh
# SPDX-License-Identifier: ISC
# Configuration and zone checks with apex-named -C (part of make check):
#  - every example configuration in etc/ passes, with the zones in zones/;
#  - every broken zone here fails, naming the file and line given in its
#    "; expect:" comments.
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

echo "$pass passed, $fail failed"
[ $fail = 0 ]
