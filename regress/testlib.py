# SPDX-License-Identifier: ISC
"""Helpers every regression script shares: ports on loopback, exact
reads from a TCP stream, waiting for a condition."""
import os
import random
import socket
import time


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(100):
        port = random.randrange(20000, 60000)
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                ok = False
            s.close()
        if ok:
            return port
    raise RuntimeError('no free port')


def recv_exact(s, n):
    """n octets from s, or None if the peer closed first."""
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def wait_for(fn, timeout=15.0, step=0.1):
    """fn()'s first true value within timeout seconds (exceptions count as
    false), else its last value."""
    end = time.time() + timeout
    while True:
        try:
            v = fn()
        except Exception:  # noqa: BLE001 - a server not up yet
            v = None
        if v or time.time() > end:
            return v
        time.sleep(step)


def sign_zone(origin, src, out, keydir, extra=(), ds=()):
    """Signs the zone file src for origin into out with dnssec-signzone:
    a new KSK and ZSK (ECDSAP256SHA256, dnssec-keygen's timing defaults)
    in keydir, signatures valid from an hour ago for 30 days. ds: lines
    appended to the zone before signing (the DS records of its signed
    children). extra: more dnssec-signzone arguments (-3 - -H 0, -A).
    Returns the DS record of the zone (from its dsset file) as text."""
    import os
    import subprocess
    os.makedirs(keydir, exist_ok=True)
    for flags in (['-f', 'KSK'], []):
        subprocess.run(['dnssec-keygen', '-q', '-a', '13', '-K', keydir] +
                       flags + [origin], check=True, stdout=subprocess.PIPE)
    unsigned = out + '.unsigned'
    with open(src) as f, open(unsigned, 'w') as g:
        g.write(f.read())
        for line in ds:
            g.write(line + '\n')
    now = time.time()
    fmt = '%Y%m%d%H%M%S'
    r = subprocess.run(
        ['dnssec-signzone', '-q', '-S', '-K', keydir, '-d', keydir,
         '-o', origin, '-f', out,
         '-s', time.strftime(fmt, time.gmtime(now - 3600)),
         '-e', time.strftime(fmt, time.gmtime(now + 30 * 86400))] +
        list(extra) + [unsigned], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError('dnssec-signzone %s: %s' % (origin, r.stdout))
    os.chmod(out, 0o644)
    with open(os.path.join(keydir, 'dsset-%s.' % origin)) as f:
        return [line.strip() for line in f if ' DS ' in line]


def ds_of_new_key(origin, keydir):
    """The DS record (SHA-256) of a new KSK for origin, a zone nobody
    serves: the parent's signed delegation to it."""
    import subprocess
    name = subprocess.run(['dnssec-keygen', '-q', '-a', '13', '-f', 'KSK',
                           '-K', keydir, origin], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    r = subprocess.run(['dnssec-dsfromkey', '-2', '%s/%s.key' %
                        (keydir, name)], check=True, stdout=subprocess.PIPE,
                       text=True)
    return [line.strip() for line in r.stdout.splitlines() if line.strip()]


def unbound_conf(work, port, stub_port, zones, anchors):
    """A validating unbound on 127.0.0.1:port for the tests: the
    trust anchors given (DS or DNSKEY lines), each zone (and the root)
    a stub zone at 127.0.0.1:stub_port. Returns the path of the file
    written in work."""
    conf = os.path.join(work, 'unbound.conf')
    stubs = ''.join('stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%d\n'
                    % (z, stub_port) for z in tuple(zones) + ('.',))
    ta = ''.join('\ttrust-anchor: "%s"\n' % a for a in anchors)
    with open(conf, 'w') as f:
        f.write('''server:
	interface: 127.0.0.1
	port: %d
	do-ip6: no
	do-not-query-localhost: no
	chroot: ""
	username: ""
	directory: "%s"
	pidfile: "%s/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	log-servfail: yes
	num-threads: 1
	so-reuseport: no
	module-config: "validator iterator"
%s	qname-minimisation: no
	aggressive-nsec: no
	prefetch: no
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
	ede: yes
	hide-version: no
	# test. is one of unbound's default local zones (RFC 6761 6.2)
	local-zone: "test." nodefault
remote-control:
	control-enable: no
%s''' % (port, work, work, ta, stubs))
    return conf
