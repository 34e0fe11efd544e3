#!/bin/sh
# SPDX-License-Identifier: ISC
# Every path and every function() that README.md names must exist, so the
# documentation cannot describe code that was moved or removed.
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
fail=0
for p in $(grep -oE '`[a-zA-Z0-9_./-]+/[a-zA-Z0-9_.*-]+`' README.md |
    tr -d '`' | sort -u); do
	case $p in
	*/*) ;;
	*) continue ;;
	esac
	# prefixes such as 10/8 are not paths
	case $p in
	[0-9]*) continue ;;
	esac
	# build/ and results are made by the commands, not shipped
	case $p in
	build/*|build-asan/*|build-fuzz/*|/usr/*|/run/*|/proc/*|/var/*|\
	*/run1*|results/*) continue ;;
	esac
	# generated from NAME.in at build time
	case $p in
	etc/apex-named.service|etc/init.d/apex-named) p=$p.in ;;
	esac
	if ! ls -d $p >/dev/null 2>&1; then
		echo "README.md names $p, which does not exist"
		fail=1
	fi
done
for f in $(grep -oE '`[a-z_][a-z0-9_]*\(\)`' README.md | tr -d '`()' |
    sort -u); do
	if ! grep -qE "^$f\(" lib/*.c named/*.c xferd/*.c 2>/dev/null; then
		echo "README.md names $f(), which is not defined"
		fail=1
	fi
done
[ $fail = 0 ] && echo "README.md: every path and function exists"
exit $fail
