#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs what apex needs, builds it and runs apex-named in the
# foreground, serving the zones in zones/ on 127.0.0.1 and ::1, port 5300,
# with metrics and health on http://127.0.0.1:8053/. From another terminal:
#   dig @127.0.0.1 -p 5300 www.example.com
#   curl http://127.0.0.1:8053/metrics
#   sudo build/ctl/apex-ctl status
#
# "sh etc/quickstart.sh pair" runs a hidden primary (127.0.0.1 port 5301)
# and its secondary (port 5302) from etc/pair/ instead: the secondary
# transfers example.com with TSIG at once; edit
# build/pair/primary/example.com.zone, raise the serial, and
#   sudo build/ctl/apex-ctl -s /run/apex/primary.control reload
# sends NOTIFY, and the secondary follows by IXFR.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-single}
sh etc/install-deps.sh build
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
# The unprivileged user the child processes run as.
if ! getent passwd apex >/dev/null; then
	$SUDO useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin apex
fi
[ -x configure ] || autoreconf -fi
mkdir -p build
[ -f build/Makefile ] || (cd build && ../configure)
make -C build -j"$(nproc)"

if [ "$mode" != pair ]; then
	build/named/apex-named -C -c etc/named.conf.example
	exec $SUDO build/named/apex-named -g -c etc/named.conf.example
fi

# The pair: both directories belong to the apex user, who writes the
# journal (primary) and the transferred zone file (secondary).
mkdir -p build/pair/primary build/pair/secondary
[ -f build/pair/primary/example.com.zone ] ||
	cp zones/example.com.zone build/pair/primary/
$SUDO chown -R apex build/pair
cd build
named/apex-named -C -c ../etc/pair/primary.conf
$SUDO named/apex-named -g -c ../etc/pair/primary.conf \
    >pair/primary.log 2>&1 &
primary=$!
trap '$SUDO kill $primary 2>/dev/null' EXIT INT TERM
echo "hidden primary: 127.0.0.1 port 5301 (log: build/pair/primary.log)"
echo "secondary: 127.0.0.1 and ::1 port 5302, below"
$SUDO named/apex-named -g -c ../etc/pair/secondary.conf
