#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""ACME DNS-01 end to end, with real clients, on loopback only.

The server under test (--target apex, the default, or --target bind for
BIND 9 as the reference) is the hidden primary of two zones: acme.test,
which key "acme" may change by `update-policy { grant acme zonesub TXT;
};`, and its child api.acme.test, which key "acme" may change by
`allow-update { key acme; };`. A BIND secondary and an apex secondary
follow both zones (TSIG key "transfer", NOTIFY by `notify explicit` and
`also-notify`). Two instances of pebble, Let's Encrypt's test CA, check
the challenges: the one certbot uses asks the BIND secondary, the one
lego uses asks the apex secondary, so each secondary proves that what the
internet would see had the records in time.

- certbot (dns-rfc2136) gets a certificate for www.acme.test and
  *.acme.test (challenges _acme-challenge.www.acme.test and
  _acme-challenge.acme.test, updated in acme.test);
- lego (rfc2136) gets one for api.acme.test and *.api.acme.test (both
  challenges at _acme-challenge.api.acme.test, one after the other, in
  the child zone, which lego finds by its SOA).

Checked: both certificates carry exactly their names and chain to the
pebble that validated them; policy is enforced (unsigned, wrongly
signed, wrong type, a secondary); every TXT value on the primary was
seen on both secondaries (a poller asks all three every 50 ms); the TXT
records are gone everywhere afterwards and the zones are as they began
but for the serial, which went up on the primary and the secondaries
alike; after the first AXFR each secondary got every change by IXFR
(its log; for apex also `apex-ctl zonestatus` and apex_xfr_in_total);
under strace, certbot, lego and the pebbles connected and sent to
nothing but their servers' ports on 127.0.0.1 (HOME and every client
directory are in the test's temporary directory).

lego 4.9 would check propagation by asking each NS of the zone by name
on port 53, which needs a resolver outside loopback: --dns.disable-cp
turns that off, and its RFC2136_POLLING_INTERVAL (2 s), like certbot's
--dns-rfc2136-propagation-seconds (2 s), is the time the secondaries
get before pebble looks.

Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on any
failure."""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import free_port, wait_for  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
UPDATE_KEY = 'acme'
UPDATE_SECRET = base64.b64encode(b'apex-acme-update-test-secret-32o').decode()
XFR_KEY = 'transfer'
XFR_SECRET = base64.b64encode(b'apex-acme-transfer-secret-32-oct').decode()
WRONG = base64.b64encode(b'not-the-secret-at-all-32-octets!').decode()
ALG = 'hmac-sha256'
PARENT = 'acme.test'          # update-policy { grant acme zonesub TXT; }
CHILD = 'api.acme.test'       # allow-update { key acme; }
ZONES = (PARENT, CHILD)
CERTBOT_NAMES = ['www.acme.test', '*.acme.test']
LEGO_NAMES = ['api.acme.test', '*.api.acme.test']
CHALLENGES = {
    PARENT: ['_acme-challenge.www.acme.test.', '_acme-challenge.acme.test.'],
    CHILD: ['_acme-challenge.api.acme.test.'],
}
POLL_SOURCE = '127.0.0.3'     # the poller's address, apart from pebble's
SERIAL0 = 2026120201
RESULTS = [0, 0]
PROCS = []


def check(name, ok, detail=''):
    RESULTS[0 if ok else 1] += 1
    print('%s %s' % ('PASS' if ok else 'FAIL', name))
    if not ok and detail != '':
        print('    %s' % (str(detail)[-3000:],))
    sys.stdout.flush()


# ---- zones ----------------------------------------------------------------

# The name servers are the two secondaries; the primary is in no NS
# record (hidden). Their addresses are never used: nobody here resolves.
PARENT_ZONE = '''$TTL 300
@	SOA	hidden.acme.test. hostmaster.acme.test. {serial} 3600 600 1209600 60
	NS	ns1
	NS	ns2
ns1	A	127.0.0.11
ns2	A	127.0.0.12
www	A	192.0.2.1
	TXT	"not a challenge"
api	NS	ns1
	NS	ns2
{hosts}'''

CHILD_ZONE = '''$TTL 300
@	SOA	hidden.acme.test. hostmaster.acme.test. {serial} 3600 600 1209600 60
	NS	ns1.acme.test.
	NS	ns2.acme.test.
	A	192.0.2.2
{hosts}'''

# Enough other records that one change is a small part of the zone: BIND
# answers an IXFR with the whole zone when the differences are larger
# than the zone (max-ixfr-ratio 100%).
HOSTS = ''.join('host%d\tA\t198.51.100.%d\n' % (i, i) for i in range(1, 51))


# ---- DNS helpers ----------------------------------------------------------

def keyring(name, secret):
    return dns.tsigkeyring.from_text({name: (ALG, secret)})


def query(port, name, qtype, source='127.0.0.1', timeout=1.0):
    q = dns.message.make_query(name, qtype)
    return dns.query.udp(q, '127.0.0.1', port=port, timeout=timeout,
                         source=source)


def soa_serial(port, zone):
    r = query(port, zone + '.', 'SOA')
    if r.rcode() != dns.rcode.NOERROR:
        return None
    for rr in r.answer:
        if rr.rdtype == dns.rdatatype.SOA:
            return rr[0].serial
    return None


def txt_values(port, name, source='127.0.0.1'):
    """The TXT strings at name (each record's strings joined), or None
    when the server did not answer NOERROR/NXDOMAIN."""
    r = query(port, name, 'TXT', source=source)
    if r.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return None
    out = set()
    for rr in r.answer:
        if rr.rdtype == dns.rdatatype.TXT and \
                rr.name == dns.name.from_text(name):
            for rd in rr:
                out.add(b''.join(rd.strings).decode())
    return out


def newer(a, b):
    """Whether serial a is after serial b (RFC 1982)."""
    return a is not None and b is not None and 0 < (a - b) % 2**32 < 2**31


def axfr(port, zone):
    """The zone's records as a set of text lines, SOA left out, and its
    serial; signed with the transfer key."""
    recs, serial = set(), None
    for m in dns.query.xfr('127.0.0.1', zone + '.', port=port,
                           keyring=keyring(XFR_KEY, XFR_SECRET),
                           keyname=XFR_KEY,
                           keyalgorithm=ALG, timeout=5, lifetime=10):
        for rrset in m.answer:
            for rd in rrset:
                if rrset.rdtype == dns.rdatatype.SOA:
                    serial = rd.serial
                    continue
                recs.add('%s %d %s %s' % (
                    rrset.name.to_text().lower(), rrset.ttl,
                    dns.rdatatype.to_text(rrset.rdtype), rd.to_text()))
    return recs, serial


def send_update(port, zone, build, key=UPDATE_KEY, secret=UPDATE_SECRET,
                signed=True):
    """The rcode (as text) of an UPDATE of zone; build(u) fills it."""
    if signed:
        u = dns.update.UpdateMessage(zone + '.', keyring=keyring(key, secret),
                                     keyname=key, keyalgorithm=ALG)
    else:
        u = dns.update.UpdateMessage(zone + '.')
    build(u)
    try:
        r = dns.query.tcp(u, '127.0.0.1', port=port, timeout=5)
        return dns.rcode.to_text(r.rcode())
    except dns.tsig.PeerBadKey:
        return 'BADKEY'
    except dns.tsig.PeerBadSignature:
        return 'BADSIG'
    except Exception as e:  # noqa: BLE001 - what the client saw
        return type(e).__name__


def http_get(url, ctx=None):
    with urllib.request.urlopen(url, timeout=5, context=ctx) as r:
        return r.read().decode()


def metric(text, name, labels):
    m = re.search(r'^%s\{%s\} (\S+)$' % (re.escape(name), re.escape(labels)),
                  text, re.M)
    return float(m.group(1)) if m else None


# ---- processes ------------------------------------------------------------

class Proc:
    """A server, in a process group of its own (stopped with the group)."""

    def __init__(self, name, cmd, log, cwd=None, env=None):
        self.name, self.log = name, log
        self.proc = subprocess.Popen(cmd, stdout=open(log, 'a'),
                                     stderr=subprocess.STDOUT, cwd=cwd,
                                     env=env, start_new_session=True)
        PROCS.append(self)

    def logtext(self):
        return open(self.log, errors='replace').read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def run_client(name, cmd, env, log, timeout):
    """Runs an ACME client to its end under strace (into log + '.trace';
    killed with its process group after timeout seconds); its exit
    status and output."""
    with open(log, 'w') as out:
        p = subprocess.Popen(TRACE + [log + '.trace'] + cmd, stdout=out,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env,
                             start_new_session=True)
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = 'killed after %d s' % timeout
        finally:
            # Whatever happened (a timeout, a signal to this script), the
            # client and anything it started end here.
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    return rc, open(log, errors='replace').read()


TRACE = ['strace', '-f', '-qq', '-e', 'signal=none', '-e',
         'trace=connect,sendto,sendmsg,sendmmsg', '-o']


def traced_peers(path):
    """Every address (host, port) the traced process tree connected or
    sent to over IPv4 or IPv6, from strace's output."""
    out = set()
    for line in open(path, errors='replace'):
        for m in re.finditer(r'sa_family=AF_INET, sin_port=htons\((\d+)\), '
                             r'sin_addr=inet_addr\("([^"]+)"\)', line):
            out.add((m.group(2), int(m.group(1))))
        for m in re.finditer(r'sa_family=AF_INET6, sin6_port=htons\((\d+)\)'
                             r'.*?inet_pton\(AF_INET6, "([^"]+)"', line):
            out.add((m.group(2), int(m.group(1))))
    return out


def loopback(host):
    host = host[7:] if host.startswith('::ffff:') else host
    return host == '::1' or re.match(r'127\.\d+\.\d+\.\d+$', host)


def check_peers(who, path, allowed):
    """who (traced into path) talked to nothing but 127.0.0.0/8 and ::1,
    and there only to the ports in allowed (name: port)."""
    peers = traced_peers(path)
    ports = {v: k for k, v in allowed.items()}
    check('%s talked only to %s on loopback' % (who, ', '.join(sorted(
        allowed))), peers and all(loopback(h) and p in ports for h, p in
                                  peers),
          sorted(peers))


def port_open(port):
    socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
    return True


KEYS = ('key "%s" { algorithm %s; secret "%s"; };\n'
        'key "%s" { algorithm %s; secret "%s"; };\n' % (
            UPDATE_KEY, ALG, UPDATE_SECRET, XFR_KEY, ALG, XFR_SECRET))


def primary_zones(notify_ports):
    """The primary's zones, in the grammar BIND and apex share."""
    notify = ' '.join('127.0.0.1 port %d key %s;' % (p, XFR_KEY)
                      for p in notify_ports)
    common = ('allow-transfer { key %s; }; notify explicit; '
              'also-notify { %s };' % (XFR_KEY, notify))
    return (
        'zone "%s" { type primary; file "%s.zone"; %s\n'
        '\tupdate-policy { grant %s zonesub TXT; }; };\n'
        'zone "%s" { type primary; file "%s.zone"; %s\n'
        '\tallow-update { key %s; }; };\n' % (
            PARENT, PARENT, common, UPDATE_KEY,
            CHILD, CHILD, common, UPDATE_KEY))


def secondary_zones(primary_port, suffix):
    return ''.join(
        'zone "%s" { type secondary; file "%s.%s"; primaries { 127.0.0.1 '
        'port %d key %s; }; allow-transfer { key %s; }; notify no; };\n' % (
            z, z, suffix, primary_port, XFR_KEY, XFR_KEY) for z in ZONES)


class Bind:
    kind = 'bind'

    def __init__(self, work, name, port, zones, extra_options=''):
        self.name, self.port = name, port
        self.log = os.path.join(work, name, 'named.log')
        self.xferlog = os.path.join(work, name, 'xfer-in.log')
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, 'named.conf')
        with open(self.conf, 'w') as f:
            f.write(KEYS)
            f.write('options { directory "%s"; pid-file none; listen-on '
                    'port %d { 127.0.0.1; }; listen-on-v6 { none; }; '
                    'recursion no; dnssec-validation no; session-keyfile '
                    'none; querylog yes; %s };\ncontrols { };\n' % (
                        self.dir, port, extra_options))
            # Everything to one file; incoming transfers at debug level 3,
            # which tells an incremental answer to an IXFR from a whole
            # zone ("got incremental response", "got nonincremental
            # response").
            f.write('logging { channel all { file "%s"; print-time yes; '
                    'severity info; }; channel xin { file "%s"; print-time '
                    'yes; severity debug 3; }; category default { all; }; '
                    'category queries { all; }; category xfer-in { xin; '
                    '}; };\n' % (self.log, self.xferlog))
            f.write(zones)
        self.proc = None

    def start(self):
        self.proc = Proc(self.name, ['/usr/sbin/named', '-f', '-n', '1',
                                     '-c', self.conf],
                         os.path.join(self.dir, 'named.out'))
        wait_for(lambda: not self.proc.alive() or port_open(self.port), 10)
        if not self.proc.alive() or not wait_for(
                lambda: port_open(self.port), 0.5):
            raise RuntimeError('%s did not start:\n%s' % (
                self.name, self.proc.logtext()[-2000:]))
        return self

    def logtext(self):
        try:
            return open(self.log, errors='replace').read()
        except OSError:
            return self.proc.logtext()


class Apex:
    kind = 'apex'

    def __init__(self, args, work, name, port, zones):
        self.args, self.name, self.port = args, name, port
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)   # the children run unprivileged
        self.http = free_port()
        self.ctlsock = os.path.join(self.dir, 'control')
        self.conf = os.path.join(self.dir, 'named.conf')
        with open(self.conf, 'w') as f:
            f.write(KEYS)
            f.write('options { directory "%s"; listen-on port %d '
                    '{ 127.0.0.1; }; listen-on-v6 { none; }; querylog yes; '
                    '};\n' % (self.dir, port))
            f.write('controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                    % self.ctlsock)
            f.write('statistics-channels { inet 127.0.0.1 port %d allow '
                    '{ 127.0.0.1; }; };\n' % self.http)
            f.write(zones)
        self.proc = None

    def start(self):
        apex = os.path.join(self.args.build, 'named', 'apex-named')
        self.proc = Proc(self.name, [apex, '-g', '-n', '1', '-c', self.conf],
                         os.path.join(self.dir, 'apex.log'))
        wait_for(lambda: not self.proc.alive() or port_open(self.port), 10)
        if not self.proc.alive() or not wait_for(
                lambda: port_open(self.port), 0.5):
            raise RuntimeError('%s did not start:\n%s' % (
                self.name, self.proc.logtext()[-2000:]))
        wait_for(lambda: self.ctl('status')[0] == 0, 5)
        return self

    def ctl(self, *cmd):
        r = subprocess.run([os.path.join(self.args.build, 'ctl', 'apex-ctl'),
                            '-s', self.ctlsock] + list(cmd),
                           capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    def metrics(self):
        return http_get('http://127.0.0.1:%d/metrics' % self.http)

    def logtext(self):
        return self.proc.logtext()


# ---- pebble ---------------------------------------------------------------

def make_tls(work):
    """A CA and, signed by it, the HTTPS certificate of the pebbles (for
    127.0.0.1 and localhost): what the clients are told to trust."""
    d = os.path.join(work, 'tls')
    os.makedirs(d)
    ca, cakey = os.path.join(d, 'ca.pem'), os.path.join(d, 'ca.key')
    cert, key = os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem')
    ext = os.path.join(d, 'ext.cnf')
    with open(ext, 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n'
                'basicConstraints=critical,CA:FALSE\n'
                'keyUsage=critical,digitalSignature\n'
                'extendedKeyUsage=serverAuth\n')

    def ssl_run(*a):
        subprocess.run(['openssl'] + list(a), check=True,
                       capture_output=True)
    ssl_run('req', '-x509', '-newkey', 'ec', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-nodes', '-keyout', cakey, '-out', ca,
            '-days', '2', '-subj', '/CN=apex acme test CA')
    ssl_run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
            '-nodes', '-keyout', key, '-out', cert + '.csr', '-subj',
            '/CN=localhost')
    ssl_run('x509', '-req', '-in', cert + '.csr', '-CA', ca, '-CAkey', cakey,
            '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert)
    return ca, cert, key


class Pebble:
    def __init__(self, work, name, tls, dns_port):
        self.name = name
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.port, self.mgmt = free_port(), free_port()
        self.ca = tls[0]
        conf = os.path.join(self.dir, 'pebble.json')
        with open(conf, 'w') as f:
            # httpPort and tlsPort are where pebble would connect for
            # http-01 and tls-alpn-01; no client here asks for those.
            json.dump({'pebble': {
                'listenAddress': '127.0.0.1:%d' % self.port,
                'managementListenAddress': '127.0.0.1:%d' % self.mgmt,
                'certificate': tls[1], 'privateKey': tls[2],
                'httpPort': free_port(), 'tlsPort': free_port(),
                'ocspResponderURL': '',
                'externalAccountBindingRequired': False}}, f)
        env = dict(os.environ, PEBBLE_VA_NOSLEEP='1',
                   PEBBLE_WFE_NONCEREJECT='0', HOME=self.dir)
        self.dns = '127.0.0.1:%d' % dns_port
        self.trace = os.path.join(self.dir, 'pebble.trace')
        self.proc = Proc(name, TRACE + [self.trace, 'pebble', '-config',
                                        conf, '-dnsserver', self.dns],
                         os.path.join(self.dir, 'pebble.log'), cwd=self.dir,
                         env=env)
        self.url = 'https://127.0.0.1:%d/dir' % self.port
        ctx = ssl.create_default_context(cafile=self.ca)
        if not wait_for(lambda: http_get(self.url, ctx), 15):
            raise RuntimeError('%s did not start:\n%s' % (
                name, self.proc.logtext()[-2000:]))
        # The root this pebble made at start: what issued certificates
        # must chain to.
        self.root = os.path.join(self.dir, 'root.pem')
        with open(self.root, 'w') as f:
            f.write(http_get('https://127.0.0.1:%d/roots/0' % self.mgmt, ctx))

    def logtext(self):
        return self.proc.logtext()


# ---- the poller -----------------------------------------------------------

class Poller(threading.Thread):
    """Asks every server for every challenge name every 50 ms (from
    127.0.0.3, so that pebble's queries stand apart in the query logs)
    and remembers which TXT values each one served, and when first."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers = servers
        self.seen = {s.name: {} for s in servers}   # (name, value) -> t
        self.errors = {s.name: 0 for s in servers}
        self.stopping = threading.Event()

    def run(self):
        names = [n for z in ZONES for n in CHALLENGES[z]]
        while not self.stopping.is_set():
            for s in self.servers:
                for n in names:
                    try:
                        vals = txt_values(s.port, n, source=POLL_SOURCE)
                    except Exception:  # noqa: BLE001 - counted
                        vals = None
                    if vals is None:
                        self.errors[s.name] += 1
                        continue
                    for v in vals:
                        self.seen[s.name].setdefault((n, v), time.time())
            self.stopping.wait(0.05)


# ---- the checks -----------------------------------------------------------

def cert_names(path):
    r = subprocess.run(['openssl', 'x509', '-in', path, '-noout', '-ext',
                        'subjectAltName'], capture_output=True, text=True)
    return sorted(re.findall(r'DNS:([^,\s]+)', r.stdout)), r.stdout + r.stderr


def chains_to(cert, chain, root):
    r = subprocess.run(['openssl', 'verify', '-CAfile', root, '-untrusted',
                        chain, cert], capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def check_cert(who, cert, chain, names, pebble):
    got, text = cert_names(cert) if os.path.exists(cert) else ([], cert)
    check('%s: the certificate names exactly %s' % (who, ' '.join(names)),
          got == sorted(names), (got, text))
    ok, text = chains_to(cert, chain, pebble.root) if os.path.exists(
        cert) else (False, 'no certificate')
    check('%s: the certificate chains to the root of %s' % (who, pebble.name),
          ok, text)


def test_policy(primary, secondaries):
    """What the primary must refuse, and what allow-update allows beyond
    update-policy, before any client runs."""
    ch = '_acme-challenge.policy'

    def add_txt(u):
        u.add(ch, 60, 'TXT', '"policy"')

    def add_a(u):
        u.add('policy', 60, 'A', '192.0.2.9')
    before = {z: soa_serial(primary.port, z) for z in ZONES}
    for z in ZONES:
        rc = send_update(primary.port, z, add_txt, signed=False)
        check('%s: an unsigned UPDATE is REFUSED' % z, rc == 'REFUSED', rc)
        rc = send_update(primary.port, z, add_txt, secret=WRONG)
        check('%s: an UPDATE with the wrong secret gets BADSIG' % z,
              rc in ('BADSIG', 'NOTAUTH'), rc)
        rc = send_update(primary.port, z, add_txt, key=XFR_KEY,
                         secret=XFR_SECRET)
        check('%s: an UPDATE signed by the transfer key is REFUSED' % z,
              rc == 'REFUSED', rc)
    rc = send_update(primary.port, PARENT, add_a)
    check('%s: key acme may not add an A record (zonesub TXT only)' % PARENT,
          rc == 'REFUSED', rc)
    for s in secondaries:
        rc = send_update(s.port, PARENT, add_txt)
        check('%s: UPDATE sent to the secondary is not applied there' %
              s.name, rc in ('REFUSED', 'NOTAUTH', 'NOTIMP'), rc)
    after = {z: soa_serial(primary.port, z) for z in ZONES}
    check('refused UPDATEs left the serials alone', before == after,
          (before, after))
    # allow-update grants every type: an A record comes and goes.
    rc = send_update(primary.port, CHILD, add_a)
    r = query(primary.port, 'policy.' + CHILD + '.', 'A')
    got = [rd.to_text() for rr in r.answer for rd in rr]
    s1 = soa_serial(primary.port, CHILD)
    rc2 = send_update(primary.port, CHILD, lambda u: u.delete('policy', 'A'))
    r = query(primary.port, 'policy.' + CHILD + '.', 'A')
    s2 = soa_serial(primary.port, CHILD)
    check('%s: key acme may add an A record and delete it (allow-update)' %
          CHILD, rc == rc2 == 'NOERROR' and got == ['192.0.2.9'] and
          r.rcode() == dns.rcode.NXDOMAIN, (rc, got, rc2, r.rcode()))
    check('%s: each of the two raised the serial (%s, %s, %s)' % (
        CHILD, after[CHILD], s1, s2), newer(s1, after[CHILD]) and
        newer(s2, s1))


def xfr_lines(sec):
    """The last lines of sec's log about transfers and NOTIFY."""
    text = sec.logtext()
    if sec.kind == 'bind':
        text += open(sec.xferlog, errors='replace').read()
    lines = [ln for ln in text.splitlines() if re.search(
        r'(?i)xfr|transfer|notify|refresh', ln) and 'query:' not in ln]
    return '\n'.join(sorted(lines)[-25:])


def transfers_in(sec, zone, primary_port):
    """The incoming transfers of zone that sec logged, as a list of
    (kind, serial) with kind AXFR or IXFR, in order."""
    log = sec.logtext()
    out = []
    if sec.kind == 'apex':
        for m in re.finditer(r'zone %s: (AXFR|IXFR \(whole zone\)|IXFR) '
                             r'from 127\.0\.0\.1#%d ended: serial (\d+)' % (
                                 re.escape(zone), primary_port), log):
            out.append(('AXFR' if m.group(1) != 'IXFR' else 'IXFR',
                        int(m.group(2))))
        return out
    # BIND 9.18, category xfer-in: "transfer of 'ZONE/IN' from ADDR: got
    # incremental response" (or "nonincremental", a whole zone; debug
    # level 3), then "zone ZONE/IN: transferred serial N".
    cur = None
    for line in open(sec.xferlog, errors='replace').read().splitlines():
        m = re.search(r"transfer of '%s/IN' from 127\.0\.0\.1#%d: got "
                      r"(incremental|nonincremental) response" % (
                          re.escape(zone), primary_port), line)
        if m:
            cur = 'IXFR' if m.group(1) == 'incremental' else 'AXFR'
        m = re.search(r"zone %s/IN: transferred serial (\d+)" %
                      re.escape(zone), line)
        if m:
            out.append((cur or '?', int(m.group(1))))
            cur = None
    return out


def notified(zonestatus):
    m = re.search(r'NOTIFY received: (\d+)', zonestatus)
    return int(m.group(1)) if m else -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--target', choices=('apex', 'bind'), default='apex',
                    help='the server under test, as the hidden primary')
    ap.add_argument('--build', default=os.path.join(TOP, 'build'),
                    help='the apex build tree (the apex secondary, and the '
                    'primary with --target apex)')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-acme-')
    os.chmod(work, 0o755)
    t0 = time.time()

    def on_signal(sig, _frame):
        raise KeyboardInterrupt('signal %d' % sig)
    signal.signal(signal.SIGTERM, on_signal)
    poller = None
    try:
        poller = run(args, work)
    except Exception as e:  # noqa: BLE001 - report it as a failure
        check('the test ran to the end', False, repr(e))
    finally:
        if poller:
            poller.stopping.set()
        for p in PROCS:
            p.stop()
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed (%.0f s, target %s)' % (
        RESULTS[0], RESULTS[1], time.time() - t0, args.target))
    return 1 if RESULTS[1] else 0


def run(args, work):
    # ---- the servers --------------------------------------------------------
    pport, bport, aport = free_port(), free_port(), free_port()
    zones = primary_zones([bport, aport])
    if args.target == 'bind':
        # BIND waits notify-delay (5 s) between NOTIFYs of a zone: certbot's
        # second record would reach the secondaries after pebble looked.
        primary = Bind(work, 'primary', pport, zones.replace(
            'notify explicit;', 'notify explicit; notify-delay 0;'))
    else:
        primary = Apex(args, work, 'primary', pport, zones)
    for z, text in ((PARENT, PARENT_ZONE), (CHILD, CHILD_ZONE)):
        with open(os.path.join(primary.dir, z + '.zone'), 'w') as f:
            f.write(text.format(serial=SERIAL0, hosts=HOSTS))
    primary.start()
    sbind = Bind(work, 'bind-secondary', bport,
                 secondary_zones(pport, 'bind'))
    sapex = Apex(args, work, 'apex-secondary', aport,
                 secondary_zones(pport, 'db'))
    sbind.start()
    sapex.start()
    secondaries = [sbind, sapex]
    servers = [primary] + secondaries
    initial = {}
    for z in ZONES:
        initial[z] = axfr(pport, z)
        for s in secondaries:
            check('%s has %s at serial %d' % (s.name, z, SERIAL0),
                  wait_for(lambda: soa_serial(s.port, z) == SERIAL0, 20),
                  xfr_lines(s))

    test_policy(primary, secondaries)

    poller = Poller(servers)
    poller.start()

    # ---- the clients -------------------------------------------------------
    tls = make_tls(work)
    # certbot's CA asks the BIND secondary, lego's the apex secondary.
    pcert = Pebble(work, 'pebble-certbot', tls, bport)
    plego = Pebble(work, 'pebble-lego', tls, aport)

    home = os.path.join(work, 'home')
    os.makedirs(home)
    base_env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'HOME': home,
                'LANG': 'C.UTF-8', 'XDG_CONFIG_HOME': os.path.join(home, 'c'),
                'XDG_CACHE_HOME': os.path.join(home, 'cache'),
                # Nothing may go through a proxy, wherever it is set.
                'NO_PROXY': '*', 'no_proxy': '*'}

    cb = os.path.join(work, 'certbot')
    os.makedirs(cb)
    cred = os.path.join(cb, 'rfc2136.ini')
    with open(cred, 'w') as f:
        os.fchmod(f.fileno(), 0o600)
        f.write('dns_rfc2136_server = 127.0.0.1\n'
                'dns_rfc2136_port = %d\n'
                'dns_rfc2136_name = %s\n'
                'dns_rfc2136_secret = %s\n'
                'dns_rfc2136_algorithm = HMAC-SHA256\n' % (
                    pport, UPDATE_KEY, UPDATE_SECRET))
    ini = os.path.join(cb, 'cli.ini')      # not /etc/letsencrypt/cli.ini
    open(ini, 'w').close()
    cmd = ['certbot', 'certonly', '-c', ini, '--non-interactive',
           '--agree-tos', '-m', 't@acme.test', '--no-eff-email',
           '--server', pcert.url, '--config-dir', os.path.join(cb, 'config'),
           '--work-dir', os.path.join(cb, 'work'), '--logs-dir',
           os.path.join(cb, 'logs'), '--dns-rfc2136',
           '--dns-rfc2136-credentials', cred,
           # The time the secondaries get: BIND, as a primary, sends the
           # NOTIFY of a new serial to its second secondary 0.5 s after
           # the first.
           '--dns-rfc2136-propagation-seconds', '2']
    for n in CERTBOT_NAMES:
        cmd += ['-d', n]
    env = dict(base_env, REQUESTS_CA_BUNDLE=tls[0])
    t = time.time()
    rc, out = run_client('certbot', cmd, env, os.path.join(cb, 'out.log'),
                         90)
    check_peers('certbot', os.path.join(cb, 'out.log.trace'),
                {'pebble': pcert.port, 'the primary': pport})
    check('certbot: certificate for %s issued (%.1f s)' % (
        ' '.join(CERTBOT_NAMES), time.time() - t), rc == 0,
        out[-2500:] + pcert.logtext()[-1500:])
    live = os.path.join(cb, 'config', 'live', CERTBOT_NAMES[0])
    check_cert('certbot', os.path.join(live, 'cert.pem'),
               os.path.join(live, 'chain.pem'), CERTBOT_NAMES, pcert)

    lg = os.path.join(work, 'lego')
    os.makedirs(lg)
    cmd = ['lego', '--server', plego.url, '--accept-tos', '--email',
           't@acme.test', '--dns', 'rfc2136',
           # Its check of propagation asks this resolver (the BIND
           # secondary, which the zone's NS records name)...
           '--dns.resolvers', '127.0.0.1:%d' % bport,
           # ...and would then ask each NS by name on port 53, which needs
           # a resolver outside loopback: off. lego 4.9 then only checks
           # that the resolver answers; POLLING_INTERVAL below is the time
           # the secondaries get.
           '--dns.disable-cp', '--path', lg]
    for n in LEGO_NAMES:
        cmd += ['--domains', n]
    cmd += ['run']
    env = dict(base_env, LEGO_CA_CERTIFICATES=tls[0],
               RFC2136_NAMESERVER='127.0.0.1:%d' % pport,
               RFC2136_TSIG_KEY=UPDATE_KEY, RFC2136_TSIG_SECRET=UPDATE_SECRET,
               RFC2136_TSIG_ALGORITHM=ALG,
               RFC2136_POLLING_INTERVAL='2',
               RFC2136_PROPAGATION_TIMEOUT='30',
               RFC2136_SEQUENCE_INTERVAL='1',
               RFC2136_DNS_TIMEOUT='5', RFC2136_TTL='60')
    t = time.time()
    rc, out = run_client('lego', cmd, env, os.path.join(lg, 'out.log'), 90)
    check_peers('lego', os.path.join(lg, 'out.log.trace'),
                {'pebble': plego.port, 'the primary': pport,
                 'the BIND secondary': bport})
    check('lego: certificate for %s issued (%.1f s)' % (
        ' '.join(LEGO_NAMES), time.time() - t), rc == 0,
        out[-2500:] + plego.logtext()[-1500:])
    crt = os.path.join(lg, 'certificates', LEGO_NAMES[0] + '.crt')
    check_cert('lego', crt, os.path.join(lg, 'certificates',
                                         LEGO_NAMES[0] + '.issuer.crt'),
               LEGO_NAMES, plego)
    used = set(re.findall(r'Checking DNS record propagation using '
                          r'\[([^\]]*)\]', out))
    check('lego: checked propagation at the resolver it was given only '
          '(127.0.0.1:%d)' % bport, used == {'127.0.0.1:%d' % bport},
          (used, out[-1500:]))
    return finish(args, primary, secondaries, poller, initial, pcert, plego)


def finish(args, primary, secondaries, poller, initial, pcert, plego):
    servers = [primary] + secondaries
    pport = primary.port
    final = {z: soa_serial(pport, z) for z in ZONES}
    for z in ZONES:
        for s in secondaries:
            check('%s follows %s to the serial of the primary (%s)' % (
                s.name, z, final[z]),
                final[z] is not None and wait_for(
                    lambda: soa_serial(s.port, z) == final[z], 20),
                xfr_lines(s))
    time.sleep(0.3)       # one more round of the poller
    poller.stopping.set()
    poller.join()

    # ---- what the poller saw -----------------------------------------------
    on_primary = poller.seen[primary.name]
    for z in ZONES:
        want = 2      # certbot: one per name; lego: two at one name
        got = sorted(k for k in on_primary if k[0] in CHALLENGES[z])
        check('%s: the primary served %d challenge TXT values' % (z, want),
              len(got) == want, got)
        for s in secondaries:
            miss = [k for k in got if k not in poller.seen[s.name]]
            lag = [poller.seen[s.name][k] - on_primary[k] for k in got
                   if k in poller.seen[s.name]]
            check('%s: %s served each of them too (lag at most %.2f s)' % (
                z, s.name, max(lag) if lag else -1), got and not miss, miss)
    check('every poll was answered (NOERROR or NXDOMAIN)',
          not any(poller.errors.values()), poller.errors)

    # ---- afterwards --------------------------------------------------------
    for s in servers:
        left = {}
        for z in ZONES:
            for n in CHALLENGES[z]:
                v = txt_values(s.port, n, source=POLL_SOURCE)
                if v:
                    left[n] = v
        check('%s: no _acme-challenge TXT left' % s.name, not left, left)
    for z in ZONES:
        recs0, serial0 = initial[z]
        recs, serial = axfr(pport, z)
        check('%s: the primary has the records it began with' % z,
              recs == recs0, sorted(recs ^ recs0))
        check('%s: the serial went up on the primary (%s -> %s)' % (
            z, serial0, serial), newer(serial, serial0))
        for s in secondaries:
            r, sn = axfr(s.port, z)
            check('%s: %s has the same records and serial' % (z, s.name),
                  r == recs and sn == serial, (sn, serial, sorted(r ^ recs)))

    # ---- every change by IXFR ----------------------------------------------
    for z in ZONES:
        for s in secondaries:
            xs = transfers_in(s, z, pport)
            later = xs[1:]
            check('%s: %s: AXFR once, then only IXFR, ending at %s (%s)' % (
                z, s.name, final[z], ' '.join('%s:%d' % x for x in xs)),
                len(xs) >= 3 and xs[0][0] == 'AXFR' and
                all(k == 'IXFR' for k, _ in later) and
                xs[-1][1] == final[z], xs)
    sapex = [s for s in secondaries if s.kind == 'apex'][0]
    text = sapex.metrics()
    for z in ZONES:
        n = len(transfers_in(sapex, z, pport))
        ok = metric(text, 'apex_xfr_in_total', 'zone="%s",result="ok"' % z)
        bad = metric(text, 'apex_xfr_in_total',
                     'zone="%s",result="failed"' % z)
        check('%s: apex_xfr_in_total of the apex secondary: %s ok (one per '
              'transfer logged), %s failed' % (z, ok, bad),
              ok == n and not bad,
              [ln for ln in text.splitlines() if z in ln])
        rc, out = sapex.ctl('zonestatus', z)
        # Every transfer but the first was started by a NOTIFY (the SOA
        # refresh is an hour).
        check('%s: apex-ctl zonestatus of the apex secondary: serving serial '
              '%s, %d transfers in, none failed, a NOTIFY for each, no '
              'error' % (z, final[z], n),
              rc == 0 and 'serving: yes\n' in out and
              'serial: %s\n' % final[z] in out and
              'transfers in: %d ok, 0 failed\n' % n in out and
              notified(out) >= n - 1 and 'error' not in out, out)
    if primary.kind == 'apex':
        text = primary.metrics()
        for z in ZONES:
            rc, out = primary.ctl('zonestatus', z)
            m = re.search(r'transfers out: (\d+) ok, (\d+) failed\n'
                          r'NOTIFY sent: (\d+)\njournal: (\d+) octets', out)
            # Each secondary: an AXFR and at least two IXFRs; this test:
            # two AXFRs.
            check('%s: apex-ctl zonestatus of the primary: serial %s, '
                  'transfers out, NOTIFY sent, a journal' % (z, final[z]),
                  rc == 0 and 'serial: %s\n' % final[z] in out and
                  m is not None and int(m.group(1)) >= 8 and
                  int(m.group(2)) == 0 and int(m.group(3)) >= 4 and
                  int(m.group(4)) > 0 and 'error' not in out, out)
            out_ok = metric(text, 'apex_xfr_out_total',
                            'zone="%s",result="ok"' % z)
            check('%s: apex_xfr_out_total of the primary agrees (%s)' % (
                z, out_ok), m is not None and out_ok == int(m.group(1)),
                [ln for ln in text.splitlines() if z in ln])

    # ---- who asked whom ----------------------------------------------------
    for peb, sec, zone in ((pcert, secondaries[0], PARENT),
                           (plego, secondaries[1], CHILD)):
        asked = set()
        for m in re.finditer(r'127\.0\.0\.1#\d+ \(([^)]+)\): query: \S+ IN '
                             r'TXT', sec.logtext()):
            asked.add(m.group(1).lower().rstrip('.') + '.')
        want = set(CHALLENGES[zone])
        check('%s asked %s for %s' % (peb.name, sec.name, ' '.join(
            sorted(want))), want <= asked, (asked, sec.logtext()[-1000:]))
        check_peers(peb.name, peb.trace, {sec.name: sec.port})
    for s in [primary] + secondaries:
        if s.kind == 'apex':
            bad = [ln for ln in s.logtext().splitlines()
                   if 'runtime error' in ln or 'Sanitizer' in ln or
                   'killed by signal' in ln or 'exited with status' in ln]
            check('%s: no crash, restart or sanitizer report' % s.name,
                  not bad, bad[:10])
    return poller


if __name__ == '__main__':
    sys.exit(main())
