#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A corpus of BIND authoritative configurations (regress/conf/corpus/),
each checked beside BIND 9:

- named-checkconf -z (or, where it passes what named refuses, named
  itself) and apex-named -C must agree on accepting or rejecting it, and for a rejected one every FILE:LINE BIND reports an
  error on must be a line apex reports an error on too (warnings do not
  count);
- an accepted one is started under named and apex-named, each on its own
  copy of the corpus and its own port, and every primary zone with a file
  is asked SOA, NS, a name in the zone, a name not in it and a name
  outside every zone with dig +norec: rcode, AA and the answer and
  authority sections must be the same (for zones under a dnssec-policy
  only the rcode, and that both answer).

The corpus files hold @DIR@, @PORT@ and @PORT2@, replaced in each copy.

usage: corpus.py [--apex PATH] [--jobs N] [--only SUBSTRING] [--keep]
"""
import argparse
import atexit
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
CORPUS = os.path.join(HERE, 'corpus')
sys.path.insert(0, os.path.join(TOP, 'regress'))
from testlib import free_port, wait_for  # noqa: E402

LOCK = threading.RLock()
# apex opens its unix control socket (/run/apex/control) beside an inet
# rndc channel, so two of them with controls { inet ...; } cannot run at
# once: those configurations are served one at a time.
CONTROLS = threading.Lock()
PROCS = []
RESULTS = []
STOPPING = threading.Event()


def check(lines, name, ok, detail=''):
    lines.append('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                              '' if ok else ': ' + str(detail)))
    with LOCK:
        RESULTS.append(bool(ok))


# --- copies of the corpus -------------------------------------------------

def make_copy(dest, port, port2):
    shutil.copytree(CORPUS, dest)
    for root, _, files in os.walk(dest):
        os.chmod(root, 0o777)
        for f in files:
            p = os.path.join(root, f)
            if f.endswith('.conf') or root.endswith('inc'):
                text = open(p).read()
                text = text.replace('@DIR@', dest).replace(
                    '@PORT2@', str(port2)).replace('@PORT@', str(port))
                with open(p, 'w') as fh:
                    fh.write(text)
            os.chmod(p, 0o666)
    return dest


# --- reading named.conf ---------------------------------------------------

TOKEN = re.compile(r'''\s+|//[^\n]*|\#[^\n]*|/\*.*?\*/|"((?:[^"\\]|\\.)*)"|
                       ([{};])|([^\s{};"]+)''', re.S | re.X)


def tokens(path, depth=0):
    out = []
    text = open(path).read()
    for m in TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(('s', m.group(1)))
        elif m.group(2):
            out.append(('p', m.group(2)))
        elif m.group(3):
            out.append(('w', m.group(3)))
    # include "file";
    res, i = [], 0
    while i < len(out):
        if out[i] == ('w', 'include') and i + 1 < len(out) and depth < 8:
            inc = out[i + 1][1]
            if os.path.exists(inc):
                res.extend(tokens(inc, depth + 1))
            i += 3
            continue
        res.append(out[i])
        i += 1
    return res


def statements(toks, i=0):
    """A list of statements, each a list of words and nested lists
    (blocks), up to the matching '}'."""
    out, cur = [], []
    while i < len(toks):
        kind, val = toks[i]
        i += 1
        if kind == 'p' and val == '{':
            block, i = statements(toks, i)
            cur.append(block)
        elif kind == 'p' and val == '}':
            if cur:
                out.append(cur)
            return out, i
        elif kind == 'p' and val == ';':
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(val)
    if cur:
        out.append(cur)
    return out, i


def opt(block, name):
    for st in block:
        if st and st[0] == name and len(st) > 1:
            return st[1]
    return None


def zones_of(conf):
    """(name, type, file, signed) for every zone, views included."""
    stmts, _ = statements(tokens(conf))
    gpolicy = None
    for st in stmts:
        if st and st[0] == 'options' and isinstance(st[-1], list):
            gpolicy = opt(st[-1], 'dnssec-policy')
    found = []

    def walk(sts, policy):
        for st in sts:
            if not st or not isinstance(st[-1], list):
                continue
            if st[0] == 'view':
                walk(st[-1], opt(st[-1], 'dnssec-policy') or policy)
            elif st[0] == 'zone' and len(st) >= 3:
                body = st[-1]
                pol = opt(body, 'dnssec-policy') or policy
                found.append((st[1].rstrip('.') or '.', opt(body, 'type'),
                              opt(body, 'file'),
                              pol is not None and pol != 'none'))
    walk(stmts, gpolicy)
    return found


def name_in_zone(zfile, zone):
    """An owner name other than the apex from the zone file and one of
    its types, else www A."""
    try:
        lines = open(zfile).read().splitlines()
    except OSError:
        return 'www.' + zone, 'A'
    for ln in lines:
        if not ln or ln[0] in ' \t;$@(':
            continue
        f = ln.split(';')[0].split()
        if len(f) < 2:
            continue
        owner = f[0]
        rest = [x for x in f[1:] if not x.isdigit() and
                x.upper() not in ('IN', 'CH', 'HS')]
        if not rest:
            continue
        if not owner.endswith('.'):
            owner = owner + '.' + zone
        if owner.rstrip('.').lower() == zone.lower():
            continue
        return owner, rest[0].upper()
    return 'www.' + zone, 'A'


# --- checking -------------------------------------------------------------

LOCATION = re.compile(r'(?:^|\s)([^\s:\'"]+):(\d+):\s')


def error_lines(out, base):
    """(file, line) of every error in a checker's output, the file
    relative to the copy's directory."""
    found = set()
    for ln in out.splitlines():
        if re.search(r'warning', ln, re.I):
            continue
        for m in LOCATION.finditer(ln):
            f = m.group(1)
            if os.path.isabs(f) and f.startswith(base + os.sep):
                f = os.path.relpath(f, base)
            found.add((f, int(m.group(2))))
    return found


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()


def named_verdict(conf, base):
    """Whether named itself starts with conf (0) or refuses it (1), and
    what it said: named-checkconf misses some of what named refuses (an
    undefined acl, for one)."""
    p = subprocess.Popen(['named', '-g', '-u', 'root', '-c', conf], cwd=base,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    out = []
    deadline = time.time() + 20
    try:
        for ln in p.stdout:
            out.append(ln)
            if ln.rstrip().endswith(' running') or 'exiting' in ln or \
                    time.time() > deadline:
                break
    finally:
        p.kill()
        p.wait()
    text = ''.join(out)
    return (0 if re.search(r' running$', text, re.M) else 1), text.strip()


def check_config(name, base, apex):
    lines = []
    conf = os.path.join(base, name)
    brc, bout = run(['named-checkconf', '-z', conf], base)
    arc, aout = run([apex, '-C', '-c', conf], base)
    if brc == 0 and arc != 0:
        # BIND's verdict is named's when named-checkconf passes what
        # named then refuses.
        nrc, nout = named_verdict(conf, base)
        if nrc != 0:
            brc, bout = nrc, '\n'.join(
                ln for ln in nout.splitlines() if re.search(
                    r':\d+: ', ln) and 'loading configuration' not in ln)
    check(lines, '%s: named-checkconf -z and apex-named -C agree '
          '(BIND %s, apex %s)' % (
              name, 'accepts' if brc == 0 else 'rejects',
              'accepts' if arc == 0 else 'rejects'),
          (brc == 0) == (arc == 0),
          'BIND said %r; apex said %r' % (bout[-600:], aout[-600:]))
    if brc != 0:
        want = error_lines(bout, base)
        got = error_lines(aout, base)
        missing = sorted(want - got)
        check(lines, '%s: apex reports every line BIND reports an error on'
              ' %s' % (name, ', '.join('%s:%d' % x for x in sorted(want))),
              not missing, 'apex has no error on %s; BIND said %r; apex '
              'said %r' % (missing, bout[-600:], aout[-600:]))
    return lines, brc == 0 and arc == 0


# --- serving --------------------------------------------------------------

class Proc:
    def __init__(self, cmd, work, name):
        self.logpath = os.path.join(work, name + '.log')
        self.log = open(self.logpath, 'w')
        with LOCK:
            if STOPPING.is_set():
                raise RuntimeError('stopping')
            self.proc = subprocess.Popen(cmd, stdout=self.log, cwd=work,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)
            PROCS.append(self)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                # the whole session: apex's workers and apex-xferd too
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def tail(self):
        try:
            return open(self.logpath).read()[-1500:]
        except OSError:
            return ''


def stop_all():
    with LOCK:
        STOPPING.set()
        procs = list(PROCS)
    for p in procs:
        try:
            p.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def dig(port, qname, qtype):
    try:
        p = subprocess.run(['dig', '@127.0.0.1', '-p', str(port), '+norec',
                            '+time=2', '+tries=1', qname, qtype],
                           capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return ''
    return p.stdout


def summary(out, signed=False):
    """What both servers must agree on: the rcode, the AA flag and the
    answer and authority sections (only the rcode for a signed zone)."""
    status = re.search(r'status: (\w+)', out)
    status = status.group(1) if status else None
    if signed:
        return (status,)
    flags = re.search(r'flags: ([a-z ]*);', out)
    aa = 'aa' in (flags.group(1).split() if flags else [])
    recs, section = [], None
    for ln in out.splitlines():
        m = re.match(r';; (\w+) SECTION:', ln)
        if m:
            section = m.group(1)
            continue
        if not ln.strip() or ln.startswith(';'):
            if not ln.strip():
                section = None if section in ('ANSWER', 'AUTHORITY',
                                              'ADDITIONAL') else section
            continue
        if section in ('ANSWER', 'AUTHORITY'):
            f = ln.split()
            if len(f) > 3 and f[3] in ('RRSIG', 'NSEC', 'NSEC3'):
                continue
            recs.append('%s %s' % (section, ' '.join(f)))
    return (status, aa, sorted(recs))


def serve_config(name, tmp, apex):
    text = open(os.path.join(CORPUS, name)).read()
    try:
        if re.search(r'^\s*controls\s*\{\s*inet', text, re.M) or (
                'rndc.key' in text):
            with CONTROLS:
                return serve_one(name, tmp, apex)
        return serve_one(name, tmp, apex)
    except Exception as e:  # noqa: BLE001 - one config's failure
        lines = []
        check(lines, '%s: served without an error in the runner' % name,
              False, repr(e))
        return lines


def serve_one(name, tmp, apex):
    lines = []
    servers = {}
    try:
        for kind in ('bind', 'apex'):
            port, port2 = free_port(), free_port()
            d = make_copy(os.path.join(tmp, '%s.%s' % (name, kind)),
                          port, port2)
            conf = os.path.join(d, name)
            cmd = (['named', '-g', '-u', 'root', '-c', conf]
                   if kind == 'bind' else [apex, '-g', '-n', '1', '-c', conf])
            servers[kind] = (Proc(cmd, d, kind), port, d)
        zones = zones_of(os.path.join(servers['bind'][2], name))
        prim = [z for z in zones if z[1] in ('primary', 'master') and z[2]]
        probe = (prim[0][0] + '.', 'SOA') if prim else ('.', 'SOA')
        for kind, (p, port, _) in servers.items():
            ok = wait_for(lambda: not p.alive() or
                          'status:' in dig(port, *probe), 20)
            check(lines, '%s: %s starts and answers' % (name, kind),
                  ok and p.alive(), p.tail())
        if not all(p.alive() for p, _, _ in servers.values()):
            return lines
        for zone, _, zfile, signed in prim:
            z = zone + '.'
            if signed:
                # BIND serves the zone once it has signed it.
                for kind, (p, port, _) in servers.items():
                    wait_for(lambda: 'status: NOERROR' in dig(port, z, 'SOA'),
                             20)
            inz = name_in_zone(os.path.join(servers['bind'][2], zfile), zone)
            for q in ((z, 'SOA'), (z, 'NS'), inz,
                      ('no-such-name.' + z, 'A'),
                      ('name.outside-every-zone.invalid.', 'A')):
                b = summary(dig(servers['bind'][1], *q), signed)
                a = summary(dig(servers['apex'][1], *q), signed)
                check(lines, '%s: zone %s: %s %s as BIND answers' % (
                    name, zone, q[0], q[1]), a == b and b[0] is not None,
                    'BIND %r; apex %r' % (b, a))
    finally:
        for p, _, _ in servers.values():
            p.stop()
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--apex', default=os.path.join(TOP, 'build', 'named',
                                                   'apex-named'))
    ap.add_argument('--jobs', type=int, default=4)
    ap.add_argument('--only', default='')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    apex = os.path.abspath(args.apex)
    atexit.register(stop_all)
    tmp = tempfile.mkdtemp(prefix='apex-corpus-')
    os.chmod(tmp, 0o777)

    def interrupted(*_):
        stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        print('interrupted', flush=True)
        os._exit(2)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupted)
    start = time.time()
    try:
        names = sorted(f for f in os.listdir(CORPUS) if f.endswith('.conf')
                       and args.only in f)
        base = make_copy(os.path.join(tmp, 'check'), free_port(),
                         free_port())
        accepted = []
        for n in names:
            lines, ok = check_config(n, base, apex)
            print('\n'.join(lines), flush=True)
            if ok:
                accepted.append(n)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(serve_config, n, tmp, apex) for n in accepted]
            for f in futs:
                print('\n'.join(f.result()), flush=True)
    finally:
        stop_all()
        if args.keep:
            print('kept', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(RESULTS)
    failed = len(RESULTS) - passed
    print('%d configs, %.0f s' % (len(names), time.time() - start))
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
