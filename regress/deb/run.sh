#!/bin/sh
# SPDX-License-Identifier: ISC
# The Debian package, end to end, as root: builds it from a copy of the
# committed tree (git archive HEAD, so the checkout stays clean), runs
# lintian (any E: fails), installs it with apt-get, serves the example zone
# on a free loopback port through the init script (and through systemd
# when it is PID 1), checks the answers and that the workers run as the
# user apex, then removes the package (conffiles and user stay) and purges
# it (nothing may stay: files, directories, user, group). Prints PASS and
# FAIL lines; exits non-zero on any failure. The trap purges whatever a
# failed run installed, so that the apex user never outlives the test:
# later suites choose their uid by whether it exists.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
start=$(date +%s)

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: regress/deb/run.sh installs a package: run it as root"
	exit 1
fi

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() {
	what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

export DEBIAN_FRONTEND=noninteractive
tmp=$(mktemp -d /tmp/apex-deb.XXXXXX)
policy=/usr/sbin/policy-rc.d

# "installed" or "config-files" while dpkg knows the package.
pkg_state() {
	dpkg-query -W -f='${db:Status-Status}' apex 2>/dev/null || true
}

stop_server() {
	if [ -d /run/systemd/system ]; then
		systemctl stop apex-named >/dev/null 2>&1 || true
	fi
	if [ -x /etc/init.d/apex-named ]; then
		/etc/init.d/apex-named stop >/dev/null 2>&1 || true
	fi
}

cleanup() {
	rc=$?
	set +e
	state=$(pkg_state)
	if [ -n "$state" ] && [ "$state" != not-installed ]; then
		stop_server
		apt-get purge -y -q apex >"$tmp/cleanup.log" 2>&1 ||
		    cat "$tmp/cleanup.log"
	fi
	# A postrm that failed to remove them must not leave them to the
	# suites that run next; the user did not exist before the test.
	# userdel refuses while a process runs as apex: other suites' servers
	# on this machine drop to apex while it exists, briefly.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		getent passwd apex >/dev/null || break
		deluser --system --quiet apex >/dev/null 2>&1 || sleep 1
	done
	getent group apex >/dev/null &&
	    delgroup --system --quiet apex >/dev/null 2>&1
	if [ -e "$tmp/policy-rc.d.saved" ]; then
		mv "$tmp/policy-rc.d.saved" "$policy"
	elif [ -e "$tmp/policy-rc.d.ours" ]; then
		rm -f "$policy"
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# A leftover package (an earlier run killed before its trap) is purged;
# an apex user that no package made is somebody's, and purging would
# delete it.
state=$(pkg_state)
if [ -n "$state" ] && [ "$state" != not-installed ]; then
	echo "purging the apex package an earlier run left installed"
	stop_server
	apt-get purge -y -q apex >/dev/null
fi
if getent passwd apex >/dev/null || getent group apex >/dev/null; then
	trap - EXIT
	rm -rf "$tmp"
	echo "FAIL: a user or group apex exists that no apex package made;" \
	    "remove it first (deluser --system apex)"
	exit 1
fi

# --- build -------------------------------------------------------------
mkdir "$tmp/src"
git -C "$top" archive HEAD | tar -x -C "$tmp/src"
if (cd "$tmp/src" && DEB_BUILD_OPTIONS=nocheck \
    dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b"
else
	tail -40 "$tmp/build.log"
	fail "dpkg-buildpackage -us -uc -b"
	exit 1
fi
version=$(dpkg-parsechangelog -l "$tmp/src/debian/changelog" -S Version)
deb=$tmp/apex_${version}_amd64.deb
check "built apex_${version}_amd64.deb" test -f "$deb"
upstream=$(sed -n 's/^AC_INIT(\[apex\], \[\([^]]*\)\].*/\1/p' configure.ac)
check "package version $version is configure.ac's $upstream" \
    test "${version%-*}" = "$upstream"

# --- lintian -----------------------------------------------------------
lintian "$tmp/apex_${version}_amd64.changes" >"$tmp/lintian.log" 2>&1 || true
for tag in E W I; do
	n=$(grep -c "^$tag: " "$tmp/lintian.log" || true)
	echo "lintian: $n $tag:"
done
grep "^[EWI]: " "$tmp/lintian.log" || true
check "lintian reports no errors" \
    sh -c "! grep -q '^E: ' '$tmp/lintian.log'"

# --- no file clashes with the other DNS servers' packages --------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
bad='^/etc/bind(/|$)|/(named|rndc|tsig-keygen|nsd|knotd)$'
bad="$bad|/man[0-9]/(named|rndc|nsd|knot)[.-]"
clash=$(grep -E "$bad" "$tmp/contents" || true)
check "no /etc/bind, named, rndc or their manual pages in the package" \
    test -z "$clash"
# And no file of the other servers' packages, where they are installed
# (the test list of etc/install-deps.sh has them).
for other in bind9 bind9-utils bind9-dnsutils knot knot-dnsutils nsd; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$other" 2>/dev/null)" = \
	    installed ] || continue
	dpkg -L "$other" | while read -r f; do
		[ -d "$f" ] || echo "$f"
	done | sort >"$tmp/other"
	grep -v '/$' "$tmp/contents" | sort >"$tmp/ours"
	common=$(comm -12 "$tmp/ours" "$tmp/other" | tr '\n' ' ')
	check "no file in common with $other${common:+: $common}" \
	    test -z "$common"
done

# --- install -----------------------------------------------------------
# The shipped configuration listens on port 53, which bind9 may hold
# here: deny the postinst's start (as policy-rc.d is meant for), then
# start the server on a free port below.
if [ -e "$policy" ]; then
	cp -p "$policy" "$tmp/policy-rc.d.saved"
fi
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 0755 "$policy"
: >"$tmp/policy-rc.d.ours"

if apt-get install -y -q "$deb" >"$tmp/install.log" 2>&1; then
	pass "apt-get install ./apex_${version}_amd64.deb"
else
	cat "$tmp/install.log"
	fail "apt-get install ./apex_${version}_amd64.deb"
	exit 1
fi
dpkg -L apex >"$tmp/files"
check "user apex is a system user" \
    sh -c '[ "$(getent passwd apex | cut -d: -f3)" -lt 1000 ]'
check "group apex exists" sh -c 'getent group apex >/dev/null'
check "/var/lib/apex is apex:apex 0750" \
    test "$(stat -c '%U:%G %a' /var/lib/apex)" = "apex:apex 750"
check "/var/cache/apex exists" test -d /var/cache/apex
for f in /usr/sbin/apex-named /usr/sbin/apex-xferd /usr/sbin/apex-ctl \
    /usr/sbin/apex-tsig-keygen /etc/init.d/apex-named \
    /lib/systemd/system/apex-named.service /etc/logrotate.d/apex-named \
    /usr/share/man/man8/apex-named.8.gz /usr/share/man/man5/apex.conf.5.gz; do
	check "installed $f" test -e "$f"
done
check "/etc/apex/named.conf is a conffile" \
    sh -c 'dpkg-query -W -f="\${Conffiles}" apex |
    grep -q " /etc/apex/named.conf "'
check "the SysV init script is enabled" \
    sh -c 'ls /etc/rc2.d/S*apex-named >/dev/null 2>&1'
check "the shipped /etc/apex/named.conf passes apex-named -C" \
    apex-named -C -c /etc/apex/named.conf
check "apex-tsig-keygen prints a key clause" \
    sh -c 'apex-tsig-keygen -a hmac-sha512 k1 |
    grep -q "algorithm hmac-sha512;"'
check "apex-tsig-keygen names the key tsig-key by default, as BIND's does" \
    sh -c 'apex-tsig-keygen | grep -q "^key \"tsig-key\" {"'

# --- serve -------------------------------------------------------------
port=""
p=$((20000 + $$ % 20000))
for _ in $(seq 1 200); do
	if [ -z "$(ss -Hlntu "sport = :$p" 2>/dev/null)" ]; then
		port=$p
		break
	fi
	p=$((p + 1))
done
[ -n "$port" ] || { fail "no free port"; exit 1; }
v4="{ 127.0.0.1; };"
sed -i -e "s/listen-on port 53 $v4/listen-on port $port $v4/" \
    -e "s/listen-on-v6 port 53 { ::1; };/listen-on-v6 { none; };/" \
    /etc/apex/named.conf
check "named.conf now listens on 127.0.0.1 port $port only" \
    grep -q "listen-on port $port { 127.0.0.1; };" /etc/apex/named.conf
check "the edited named.conf passes apex-named -C" \
    apex-named -C -c /etc/apex/named.conf

# Checks the running server: the example zone's answers, its workers'
# user, under label $1.
serving() {
	how=$1
	out=$(dig @127.0.0.1 -p "$port" +norec +time=2 +tries=2 \
	    example.com SOA 2>&1) || true
	check "$how: example.com SOA is authoritative NOERROR" \
	    sh -c 'printf "%s\n" "$1" | grep -q "status: NOERROR" &&
	    printf "%s\n" "$1" | grep -q "flags: qr aa"' sh "$out"
	check "$how: the SOA serial is the zone file's" \
	    sh -c 'printf "%s\n" "$1" | grep -q "IN[[:space:]]*SOA[[:space:]]*$2"' \
	    sh "$out" "ns1.example.com. hostmaster.example.com. 2026112701"
	a=$(dig @127.0.0.1 -p "$port" +short +time=2 www.example.com A) || true
	check "$how: www.example.com is a CNAME to 192.0.2.1" \
	    test "$(printf '%s\n' "$a" | tr '\n' ' ')" = "example.com. 192.0.2.1 "
	pid=$(cat /run/apex/apex-named.pid 2>/dev/null || true)
	pids="${pid:-} $(ps -o pid= --ppid "${pid:-0}" 2>/dev/null | tr '\n' ' ')"
	kids=$(ps -o user= --ppid "${pid:-0}" 2>/dev/null | sort -u | tr '\n' ' ')
	check "$how: apex-named's processes run as apex (got: ${kids:-none})" \
	    test "$kids" = "apex "
	check "$how: only the parent keeps root" \
	    test "$(ps -o user= -p "${pid:-0}" 2>/dev/null)" = root
}

# None of the processes serving() saw runs any more (label $1). Other
# suites may run apex-named on this machine at the same time: only ours
# count.
stopped() {
	left=""
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=""
		for p in $pids; do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.5
	done
	check "$1: apex-named and its children have exited${left:+ (left:$left)}" \
	    test -z "$left"
}
pids=""

if /etc/init.d/apex-named start; then
	pass "/etc/init.d/apex-named start"
	serving "init script"
	check "/etc/init.d/apex-named status" /etc/init.d/apex-named status
	check "/etc/init.d/apex-named stop" /etc/init.d/apex-named stop
	stopped "init script"
else
	fail "/etc/init.d/apex-named start"
fi

if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	if systemctl start apex-named; then
		pass "systemctl start apex-named"
		serving "systemd"
		check "systemctl stop apex-named" systemctl stop apex-named
		stopped "systemd"
	else
		systemctl status apex-named --no-pager || true
		fail "systemctl start apex-named"
	fi
else
	echo "systemd is not PID 1: the unit is installed but not started here"
fi

# --- remove: the conffiles and the user stay ---------------------------
if apt-get remove -y -q apex >"$tmp/remove.log" 2>&1; then
	pass "apt-get remove apex"
else
	cat "$tmp/remove.log"
	fail "apt-get remove apex"
fi
check "after remove, dpkg keeps the conffiles" \
    test "$(pkg_state)" = config-files
check "after remove, /usr/sbin/apex-named is gone" \
    test ! -e /usr/sbin/apex-named
check "after remove, /etc/apex/named.conf stays" test -f /etc/apex/named.conf
check "after remove, the user apex stays" \
    sh -c 'getent passwd apex >/dev/null'

# --- purge: nothing stays ----------------------------------------------
if apt-get purge -y -q apex >"$tmp/purge.log" 2>&1; then
	pass "apt-get purge apex"
else
	cat "$tmp/purge.log"
	fail "apt-get purge apex"
fi
st=$(pkg_state)
check "after purge, dpkg has forgotten apex (state: ${st:-none})" \
    test "${st:-not-installed}" = not-installed
for d in /etc/apex /var/lib/apex /var/cache/apex /var/log/apex /run/apex; do
	check "after purge, $d is gone" test ! -e "$d"
done
if getent passwd apex >/dev/null; then
	echo "processes running as apex:"
	ps -o user=,pid=,ppid=,args= -u apex 2>/dev/null || true
fi
check "after purge, the user apex is gone" sh -c '! getent passwd apex'
check "after purge, the group apex is gone" sh -c '! getent group apex'
# Every file of the package; of its directories, those named for apex
# (/usr/sbin and the like belong to everybody).
left=""
while read -r f; do
	if [ -d "$f" ]; then
		case $f in *apex*) ;; *) continue ;; esac
	fi
	if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done <"$tmp/files"
n=$(wc -l <"$tmp/files")
check "after purge, none of the package's $n paths is left${left:+:$left}" \
    test -z "$left"

echo "regress/deb/run.sh: $(($(date +%s) - start)) s"
if [ "$fails" -ne 0 ]; then
	echo "FAIL: $fails check(s) failed"
	exit 1
fi
echo "PASS: the Debian package builds, installs, serves, removes and purges"
