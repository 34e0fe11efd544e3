#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Privilege separation as an attacker with a foothold in one child sees
it, tested on a running apex-named (as root):

- every child's descriptors (/proc/PID/fd) are exactly its role's
  keep-list: no pipe or socketpair end shared by two processes, DNS
  sockets only in the parent and the workers, the control socket and the
  statistics and rndc channels only in the parent and the control
  process, the pid
  file in no child, the control process's counter blocks read-only;
- the control process holds no copy of a configured TSIG secret (its
  memory is scanned), while a worker, which verifies MACs, does (so the
  scan would find one); it does hold the rndc key, which it verifies
  rndc's messages with, and rndc works through it;
- a worker told by a test hook to write to the descriptor numbers of the
  parent's signal pipe and of its ends of the other children's channels
  gets EBADF for each, and the parent neither reloads nor stops;
- after a worker is killed and replaced, the new one is checked again;
- a flood of NOTIFY from the primary's address reaches apex-xferd only
  a few times a second and leaves the parent idle;
- files: journals of zones whose directory the server's user cannot
  write go to state-directory, `journal "FILE"` is honoured, journals
  and zone copies are 0640, a symbolic link planted as a journal is not
  followed.

usage: run.py [--build DIR]
"""
import argparse
import base64
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
spec = importlib.util.spec_from_file_location(
    'service', os.path.join(TOP, 'regress', 'service', 'run.py'))
service = importlib.util.module_from_spec(spec)
spec.loader.exec_module(service)

results = []
# Random, so that no library's tables contain it by chance.
SECRET = base64.b64encode(os.urandom(32)).decode()
RNDC_SECRET = base64.b64encode(os.urandom(32)).decode()


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else ': ' + str(detail)), flush=True)


class Server(service.Server):
    """The service test's server, with a TSIG key in its configuration."""

    def write_conf(self, zones, extra='', port=None):
        if not hasattr(self, 'rndc_port'):
            self.rndc_port = service.free_port()
        super().write_conf(zones, 'allow-transfer { key "xfr-key"; }; ' +
                           extra, port)
        text = open(self.conf).read().replace(
            'controls { unix', 'controls { inet 127.0.0.1 port %d allow '
            '{ 127.0.0.1; } keys { "rndc-key"; }; unix' % self.rndc_port, 1)
        with open(self.conf, 'w') as f:
            f.write(text)
            f.write('key "xfr-key" { algorithm hmac-sha256; '
                    'secret "%s"; };\n' % SECRET)
            f.write('key "rndc-key" { algorithm hmac-sha256; '
                    'secret "%s"; };\n' % RNDC_SECRET)

    def rndc(self, *args):
        conf = os.path.join(self.work, 'rndc.conf')
        with open(conf, 'w') as f:
            f.write('key "rndc-key" { algorithm hmac-sha256; secret "%s"; '
                    '};\noptions { default-key "rndc-key"; default-server '
                    '127.0.0.1; default-port %d; };\n' % (RNDC_SECRET,
                                                         self.rndc_port))
        p = subprocess.run(['rndc', '-c', conf] + list(args),
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr


def fd_table(pid):
    """{number: link target} of a process's descriptors."""
    out = {}
    d = '/proc/%d/fd' % pid
    for n in os.listdir(d):
        try:
            out[int(n)] = os.readlink(os.path.join(d, n))
        except OSError:
            pass
    return out


def fd_flags(pid, fd):
    for line in open('/proc/%d/fdinfo/%d' % (pid, fd)):
        if line.startswith('flags:'):
            return int(line.split()[1], 8)
    return None


def inode(target):
    m = re.match(r'(socket|pipe):\[(\d+)\]$', target)
    return (m.group(1), int(m.group(2))) if m else None


def inet_inodes(port):
    """Inodes of the IPv4 UDP and TCP sockets bound to port."""
    found = set()
    for f in ('/proc/net/udp', '/proc/net/tcp'):
        for line in open(f).readlines()[1:]:
            cols = line.split()
            if int(cols[1].split(":")[1], 16) == port and int(cols[9]):
                found.add(int(cols[9]))
    return found


def unix_inode(path):
    for line in open('/proc/net/unix').readlines()[1:]:
        cols = line.split()
        if len(cols) >= 8 and cols[7] == path:
            return int(cols[6])
    return None


def role(pid):
    return open('/proc/%d/comm' % pid).read().strip()


def classify(s):
    """The processes and the descriptors they share."""
    parent = s.proc.pid
    procs = {parent: 'parent'}
    for c in s.children():
        procs[c] = role(c)
    tables = {pid: fd_table(pid) for pid in procs}
    owners = {}
    for pid, t in tables.items():
        for target in t.values():
            k = inode(target)
            if k:
                owners.setdefault(k, set()).add(pid)
    return parent, procs, tables, owners


def test_descriptors(s, label):
    parent, procs, tables, owners = classify(s)
    dns = inet_inodes(s.port)
    # The HTTP and rndc listeners: both the parent's and control's.
    http = inet_inodes(s.http) | inet_inodes(s.rndc_port)
    ctl = unix_inode(s.ctlsock)
    check('%s: the DNS, HTTP, rndc and control sockets are found' % label,
          dns and len(http) == 2 and ctl is not None, (dns, http, ctl))
    allowed_shared = {
        'apex-worker': dns,
        'apex-control': http | {ctl},
    }
    for pid, name in procs.items():
        if pid == parent:
            continue
        t = tables[pid]
        bad = []
        channels = 0
        for n, target in sorted(t.items()):
            k = inode(target)
            if n <= 2:
                if target != tables[parent].get(n):
                    bad.append((n, target, 'not the parent\'s stdio'))
                continue
            if target == s.pidfile:
                bad.append((n, target, 'the pid file'))
            elif k and owners[k] != {pid}:
                if not (owners[k] <= {pid, parent} and
                        k[1] in allowed_shared.get(name, set())):
                    bad.append((n, target, 'shared with %s' % sorted(
                        procs[o] for o in owners[k] if o != pid)))
            elif k and k[0] == 'socket':
                channels += 1
            elif k or target == 'anon_inode:[eventpoll]':
                pass    # its own event loop's pipe and epoll
            elif target.startswith('/memfd:apex-counters'):
                if name != 'apex-control':
                    bad.append((n, target, 'counters of another role'))
                elif fd_flags(pid, n) & 3 != os.O_RDONLY:
                    bad.append((n, target, 'counters not read-only'))
            elif name == 'apex-xferd' and target.startswith(s.work) and \
                    target.endswith('.jnl'):
                pass    # a journal it keeps open
            else:
                bad.append((n, target, 'not in the keep-list'))
        check('%s: %s (pid %d) holds only its keep-list' % (label, name, pid),
              not bad and channels == 1, (bad, channels))
    for key, pids in owners.items():
        if key[1] in dns:
            check('%s: DNS socket %d only in the parent and workers' %
                  (label, key[1]), all(procs[p] in ('parent', 'apex-worker')
                                       for p in pids), pids)
        if key[1] in http or key[1] == ctl:
            check('%s: listener %d only in the parent and control' %
                  (label, key[1]), all(procs[p] in ('parent', 'apex-control')
                                       for p in pids), pids)
    return parent, procs, tables, owners


def memory_has(pid, needles):
    """Which needles occur anywhere in the readable memory of pid."""
    found = set()
    with open('/proc/%d/maps' % pid) as maps, \
            open('/proc/%d/mem' % pid, 'rb', 0) as mem:
        for line in maps:
            cols = line.split()
            lo, hi = (int(x, 16) for x in cols[0].split('-'))
            # Huge regions are sanitizer shadow memory, mostly unbacked.
            if 'r' not in cols[1] or hi - lo > (256 << 20) or (
                    len(cols) > 5 and cols[5] in (
                        '[vvar]', '[vsyscall]', '[vvar_vclock]')):
                continue
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except OSError:
                continue
            for nd in needles:
                if nd in data:
                    found.add(nd)
    return found


def test_secrets(s):
    raw = base64.b64decode(SECRET)
    needles = [SECRET.encode(), raw]
    procs = {c: role(c) for c in s.children()}
    worker = next(p for p, r in procs.items() if r == 'apex-worker')
    control = next(p for p, r in procs.items() if r == 'apex-control')
    check('a worker, which verifies MACs, holds the key (the scan works)',
          memory_has(worker, needles) == set(needles))
    found = memory_has(control, needles)
    check('the control process holds no copy of the TSIG secret',
          not found, found)
    # It verifies rndc's messages: that key alone it keeps, decoded.
    rndc_raw = base64.b64decode(RNDC_SECRET)
    check('the control process holds the rndc key (the scan works there)',
          rndc_raw in memory_has(control, [rndc_raw]))
    rc, out = s.rndc('status')
    check('rndc status through the control process', rc == 0 and
          'server is up and running' in out, out)


def test_hook_writes(s):
    parent, procs, tables, owners = classify(s)
    # The parent's signal pipe: the pipe both of whose ends it holds.
    pipes = [n for n, t in tables[parent].items()
             if inode(t) and inode(t)[0] == 'pipe' and
             list(tables[parent].values()).count(t) == 2]
    # The parent's ends of the other children's channels: sockets it
    # alone holds.
    chans = [n for n, t in tables[parent].items()
             if inode(t) and inode(t)[0] == 'socket' and
             owners[inode(t)] == {parent}]
    # A number the worker reuses for one of its own descriptors (another
    # object) is no way into the parent: leave it out. One that is the
    # same object as the parent's is a leak, and stays in.
    # (The hook drives worker 0; either worker may be it.)
    workers = [pid for pid, name in procs.items() if name == 'apex-worker']
    targets = sorted(n for n in set(pipes + chans)
                     if all(tables[w].get(n) in (None, tables[parent][n])
                            for w in workers))
    check('the parent has a signal pipe and channels to aim at',
          pipes and len(chans) >= 3 and len(targets) >= 4,
          (pipes, chans, targets))
    before = s.logtext()
    rc, out = s.ctl('test-write', ','.join(str(n) for n in targets))
    check('test-write hook accepted', rc == 0, out)
    deadline = time.time() + 5
    lines = []
    while time.time() < deadline:
        new = s.logtext()[len(before):]
        lines = re.findall(r'test hook: (?:descriptor (\d+): (.*)|'
                           r'wrote to descriptor (\d+))', new)
        if len(lines) >= len(targets):
            break
        time.sleep(0.1)
    results_by_fd = {}
    for fd, err, wrote in lines:
        results_by_fd[int(fd or wrote)] = 'written' if wrote else err
    check('every write from the worker fails with EBADF',
          len(results_by_fd) == len(targets) and
          all(v == 'Bad file descriptor' for v in results_by_fd.values()),
          (targets, results_by_fd))
    time.sleep(0.5)
    after = s.logtext()[len(before):]
    check('the parent neither reloaded nor stopped',
          s.proc.poll() is None and 'SIGHUP' not in after and
          'stopping' not in after and s.health()[0] == 200, after[-2000:])


class Secondary(service.Server):
    """apex as the secondary of example.com from a primary's port."""

    def __init__(self, build, work, primary_port):
        self.primary_port = primary_port
        super().__init__(build, work)

    def write_zone(self, zone, serial):
        pass

    def write_conf(self, zones, extra='', port=None):
        super().write_conf([], extra, port)
        with open(self.conf, 'a') as f:
            f.write('zone "example.com" { type secondary; file "sec.db"; '
                    'primaries { 127.0.0.1 port %d; }; };\n' %
                    self.primary_port)


def cpu_ticks(pid):
    cols = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return int(cols[11]) + int(cols[12])


def zone_json(s):
    import json
    rc, out = s.ctl('zonestatus', 'example.com', json_out=True)
    return json.loads(out) if rc == 0 else {}


def test_notify_flood(build, base):
    """A flood of NOTIFY from the primary's address (anyone can forge
    it over UDP) reaches apex-xferd a few times a second, not once per
    message, and leaves the parent idle; a real change still arrives."""
    import dns.message
    import dns.opcode
    import socket
    pdir, sdir = os.path.join(base, 'p'), os.path.join(base, 's')
    for d in (pdir, sdir):
        os.mkdir(d)
        os.chmod(d, 0o777)
    prim = service.Server(build, pdir,
                          extra='allow-transfer { 127.0.0.1; }; notify no;')
    sec = None
    try:
        sec = Secondary(build, sdir, prim.port)
        for _ in range(100):
            if zone_json(sec).get('serial') == 1:
                break
            time.sleep(0.1)
        check('the secondary has the zone', zone_json(sec).get('serial') == 1,
              zone_json(sec))
        got0 = zone_json(sec).get('notify_received', 0)
        n, secs = 4000, 2.0
        q = dns.message.make_query('example.com.', 'SOA')
        q.set_opcode(dns.opcode.NOTIFY)
        q.flags |= dns.flags.AA
        wire = q.to_wire()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(('127.0.0.1', 0))
        t0, c0 = time.time(), cpu_ticks(sec.proc.pid)
        for i in range(n):
            sock.sendto(wire, ('127.0.0.1', sec.port))
            if i % 200 == 199:
                time.sleep(max(0, t0 + secs * (i + 1) / n - time.time()))
        sock.close()
        time.sleep(NOTIFY_SETTLE)
        spent = (cpu_ticks(sec.proc.pid) - c0) / os.sysconf('SC_CLK_TCK')
        relayed = zone_json(sec).get('notify_received', 0) - got0
        took = time.time() - t0
        # Two workers, each at most one relay a second per zone, plus
        # the one held at the end of the interval.
        bound = 2 * (int(took) + 2)
        check('%d NOTIFYs in %.1f s: %d reached apex-xferd (at most %d)' %
              (n, secs, relayed, bound), 1 <= relayed <= bound, relayed)
        print('      parent CPU during the flood: %.2f s' % spent)
        check('the parent stayed nearly idle (%.2f s of CPU)' % spent,
              spent < 0.5 * took, spent)
        prim.serial += 1
        prim.write_zone('example.com', prim.serial)
        prim.ctl('reload')
        time.sleep(1.1)
        s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s2.bind(('127.0.0.1', 0))
        s2.sendto(wire, ('127.0.0.1', sec.port))
        s2.close()
        ok = False
        for _ in range(50):
            if zone_json(sec).get('serial') == prim.serial:
                ok = True
                break
            time.sleep(0.1)
        check('a NOTIFY after the flood still brings the new serial', ok,
              zone_json(sec))
        copy = os.path.join(sdir, 'sec.db')
        mode = os.stat(copy).st_mode & 0o777
        check('a secondary\'s copy is not readable by others (0640)',
              mode == 0o640, oct(mode))
    finally:
        if sec:
            sec.stop()
        prim.stop()


NOTIFY_SETTLE = 2.5


class FilesPrimary(service.Server):
    """A primary whose zone file sits where the server's user may not
    write (as in /etc), with state-directory, a zone with its own
    journal name and one whose FILE.jnl is a planted symbolic link."""

    def __init__(self, build, work, zdir, state):
        self.zdir, self.state = zdir, state
        super().__init__(build, work, zones=('example.com', 'j.test',
                                             'link.test'))

    def write_zone(self, zone, serial):
        d = self.zdir if zone == 'example.com' else self.work
        with open(os.path.join(d, zone + '.zone'), 'w') as f:
            f.write(service.ZONE % serial)

    def write_conf(self, zones, extra='', port=None):
        super().write_conf([], 'allow-transfer { 127.0.0.1; }; notify no; '
                           'state-directory "%s";' % self.state, port)
        with open(self.conf, 'a') as f:
            f.write('zone "example.com" { type primary; '
                    'file "%s/example.com.zone"; };\n' % self.zdir)
            f.write('zone "j.test" { type primary; file "j.test.zone"; '
                    'journal "custom/j.journal"; };\n')
            f.write('zone "link.test" { type primary; '
                    'file "link.test.zone"; };\n')


def ixfr_is_incremental(port, zone, serial):
    out = subprocess.run(['dig', '@127.0.0.1', '-p', str(port), zone,
                          'IXFR=%d' % serial, '+tcp', '+nocmd', '+nostats'],
                         capture_output=True, text=True).stdout
    soas = [ln for ln in out.splitlines() if '\tSOA\t' in ln]
    return len(soas) >= 3, out


def test_files(build, base):
    work = os.path.join(base, 'files')
    zdir = os.path.join(base, 'etc-like')
    state = os.path.join(base, 'state', 'apex')
    for d in (work, zdir):
        os.mkdir(d)
    os.chmod(work, 0o777)
    os.chmod(zdir, 0o755)       # root's: the server's user cannot write
    os.mkdir(os.path.join(work, 'custom'))
    os.chmod(os.path.join(work, 'custom'), 0o777)
    victim = os.path.join(base, 'victim')
    with open(victim, 'w') as f:
        f.write('untouched\n')
    os.symlink(victim, os.path.join(work, 'link.test.zone.jnl'))
    s = FilesPrimary(build, work, zdir, state)
    try:
        st = os.stat(state)
        check('state-directory made, the server\'s own, 0750',
              st.st_uid != 0 and st.st_mode & 0o777 == 0o750,
              (st.st_uid, oct(st.st_mode)))
        s.serial += 1
        for z in ('example.com', 'j.test', 'link.test'):
            s.write_zone(z, s.serial)
        rc, out = s.ctl('reload')
        check('reload with new serials', rc == 0, out)
        time.sleep(1)
        jnl = os.path.join(state, 'example.com.jnl')
        ok, out = ixfr_is_incremental(s.port, 'example.com', 1)
        check('a zone file in an unwritable directory: the journal is in '
              'state-directory and IXFR is incremental',
              os.path.exists(jnl) and ok, (os.listdir(state), out))
        mode = os.stat(jnl).st_mode & 0o777 if os.path.exists(jnl) else 0
        check('journals are not readable by others (0640)', mode == 0o640,
              oct(mode))
        custom = os.path.join(work, 'custom', 'j.journal')
        check('journal "FILE" is where it says',
              os.path.exists(custom) and
              ixfr_is_incremental(s.port, 'j.test', 1)[0])
        check('a symbolic link planted as a journal is not followed',
              open(victim).read() == 'untouched\n' and
              os.path.islink(os.path.join(work, 'link.test.zone.jnl')) and
              'link.test.zone.jnl' in s.logtext(), s.logtext()[-800:])
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    args = ap.parse_args()
    if os.geteuid() != 0:
        print('needs root (reads other processes\' memory)')
        print('0 passed, 1 failed')
        sys.exit(1)
    build = os.path.abspath(args.build)
    base = tempfile.mkdtemp(prefix='apex-privsep-')
    os.chmod(base, 0o755)
    try:
        s = Server(build, base, env={'APEX_TEST_HOOKS': '1'})
        try:
            s.query('www.example.com.')
            s.get('/metrics')
            test_descriptors(s, 'at start')
            test_secrets(s)
            test_hook_writes(s)
            victim = max(s.workers())
            os.kill(victim, signal.SIGKILL)
            service.wait_for_health(s)
            time.sleep(0.3)
            test_descriptors(s, 'after a worker restart')
            rc, out = s.ctl('reconfig')
            check('reconfig', rc == 0, out)
            service.wait_for_health(s)
            time.sleep(1)
            test_descriptors(s, 'after reconfig')
            test_secrets(s)
        finally:
            s.stop()
        fl = os.path.join(base, 'flood')
        os.mkdir(fl)
        os.chmod(fl, 0o755)
        test_notify_flood(build, fl)
        test_files(build, base)
    finally:
        subprocess.run(['pkill', '-f', base], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True),
                                    results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
