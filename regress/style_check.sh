#!/bin/sh
# SPDX-License-Identifier: ISC
# The mechanical parts of style(9) that clang-format 14 cannot keep
# without breaking the rest (see .clang-format): lines of at most 80
# columns with 8-column tabs, tab indentation, no trailing white space,
# an SPDX line and a "Runs in:" line in every C file's header.
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
fail=0
for f in lib/*.[ch] named/*.[ch] ctl/*.[ch] xferd/*.[ch]; do
	[ -f "$f" ] || continue
	expand -t 8 "$f" | awk -v f="$f" 'length($0) > 80 {
		printf "%s:%d: longer than 80 columns\n", f, NR; bad = 1 }
		END { exit bad }' || fail=1
	grep -nE '[[:space:]]+$' "$f" | sed "s|^|$f:|; s|$| (trailing white space)|" |
	    grep . && fail=1
	grep -nE '^ {8}' "$f" | sed "s|^|$f:|; s|$| (spaces, not a tab)|" |
	    grep . && fail=1
	head -1 "$f" | grep -q 'SPDX-License-Identifier' ||
	    { echo "$f: no SPDX line"; fail=1; }
	case $f in
	*.c) head -12 "$f" | grep -q 'Runs in:' ||
	    { echo "$f: no 'Runs in:' line in the header"; fail=1; } ;;
	esac
done
[ $fail = 0 ] && echo "style: ok"
exit $fail
