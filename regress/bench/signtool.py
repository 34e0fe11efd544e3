#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Helpers of regress/bench/sign.sh (/usr/bin/python3 with dnspython).

  signtool.py wait-signed PORT ZONE T0 TIMEOUT [PID]
        every 0.2 s: the SOA with DO=1 until it comes with its RRSIG and
        the NSEC3PARAM is answered; prints the seconds since T0 (epoch
        seconds), or "timeout", or "died" when process PID is gone
  signtool.py wait-change PORT ZONE SERIAL NAME ADDR T0 TIMEOUT [PID]
        every 0.2 s until the SOA serial is no longer SERIAL and NAME A
        is ADDR with its RRSIG; prints the seconds since T0, or "timeout"
        or "died"
  signtool.py serial PORT ZONE          the SOA serial, or "none"
  signtool.py tree PID
        the process PID and its descendants, read from /proc: "cpu_s"
        (utime + stime of each, with the children they reaped), "hwm_mb"
        (the sum of their VmHWM) and "hwm_mb_COMM" (the largest VmHWM of
        the processes of each name)
  signtool.py tree-pids PID     the descendants of PID, one a line
  signtool.py change ZONEFILE OUT N
        ZONEFILE with the address of N A records changed (spread over the
        file) and the SOA serial raised by one; prints "NAME ADDR SERIAL"
        of one changed record and the old serial
  signtool.py check SIGNED UNSIGNED ZONE [NAME ADDR]
        whether SIGNED (a text dump, one record a line with owner, TTL,
        class: dig AXFR or dnssec-signzone -O full) is UNSIGNED signed as
        the benchmark asks: every record of UNSIGNED there, a KSK and a
        ZSK (ECDSAP256SHA256), NSEC3PARAM 1 0 0 -, NSEC3 without opt-out
        and no NSEC, every authoritative RRset covered by an RRSIG (and
        NAME A is ADDR); prints "rrsig=N nsec3=N records=N" or the
        failures, and exits 1 on failure
  signtool.py apexlog LOG T0
        from apex-named's log: "load_s" (start to the unsigned zone handed
        to the signer) and "sign_s" (to the signer's "signed" line), and
        the signer's signature counts of each signing run
  signtool.py knotlog LOG T0
        from knotd's log: "load_s" and "sign_s" the same way (Knot's
        "DNSSEC, signing started" and "DNSSEC, successfully signed")
  signtool.py table OUTDIR
        the markdown table from OUTDIR/*.res
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype

HOST = "127.0.0.1"
POLL = 0.2


def ask(port, name, rdtype):
    q = dns.message.make_query(name, rdtype, want_dnssec=True)
    q.flags &= ~dns.flags.RD
    try:
        return dns.query.udp(q, HOST, port=port, timeout=1.0)
    except Exception:  # noqa: BLE001 - not up yet, or busy signing
        return None


def rrsets(r, rdtype):
    """(the RRset of rdtype, whether an RRSIG covers it) in r's answer."""
    if r is None or r.rcode() != 0:
        return None, False
    rs = [x for x in r.answer if x.rdtype == rdtype]
    sig = any(x.rdtype == dns.rdatatype.RRSIG and x.covers == rdtype
              for x in r.answer)
    return (rs[0] if rs else None), sig


def serial(port, zone):
    rs, _ = rrsets(ask(port, zone, "SOA"), dns.rdatatype.SOA)
    return rs[0].serial if rs else None


def poll(t0, timeout, cond, pid=None):
    end = time.time() + timeout
    while time.time() < end:
        if pid and not os.path.exists("/proc/%d" % pid):
            print("died")
            return 1
        if cond():
            print("%.2f" % (time.time() - t0))
            return 0
        time.sleep(POLL)
    print("timeout")
    return 1


def signed_now(port, zone):
    soa, sig = rrsets(ask(port, zone, "SOA"), dns.rdatatype.SOA)
    if soa is None or not sig:
        return False
    p, _ = rrsets(ask(port, zone, "NSEC3PARAM"), dns.rdatatype.NSEC3PARAM)
    return p is not None


def changed_now(port, zone, old, name, addr):
    s = serial(port, zone)
    if s is None or s == old:
        return False
    a, sig = rrsets(ask(port, name, "A"), dns.rdatatype.A)
    return a is not None and sig and addr in {r.address for r in a}


# ---- processes -------------------------------------------------------------

def kids(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def descendants(root):
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += kids(p)
    return seen


def tree(root):
    seen = descendants(root)
    tick = os.sysconf("SC_CLK_TCK")
    cpu, hwm, by = 0.0, 0, {}
    for p in seen:
        try:
            with open("/proc/%d/stat" % p) as f:
                v = f.read().rsplit(")", 1)[1].split()
            with open("/proc/%d/comm" % p) as f:
                comm = f.read().strip()
            with open("/proc/%d/status" % p) as f:
                m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
        except OSError:
            continue
        # utime stime cutime cstime
        cpu += sum(int(x) for x in v[11:15]) / tick
        k = int(m.group(1)) if m else 0
        hwm += k
        by[comm] = max(by.get(comm, 0), k)
    print("cpu_s=%.2f" % cpu)
    print("hwm_mb=%.1f" % (hwm / 1024))
    for c in sorted(by):
        print("hwm_mb_%s=%.1f" % (re.sub(r"\W", "_", c), by[c] / 1024))


# ---- zone files ------------------------------------------------------------

def change(src, dst, n):
    lines = open(src).read().split("\n")
    soa = [i for i, ln in enumerate(lines) if " IN SOA " in ln]
    # a name straight below the origin, not one of a delegated zone's
    # glue names or the apex's
    cand = [i for i, ln in enumerate(lines)
            if re.match(r"^(?!ns\d|mx\d|zone)[a-z]+[0-9]+ IN A \S+$", ln)]
    if not soa or len(cand) < n:
        sys.exit("change: no SOA or fewer than %d A records" % n)
    f = lines[soa[0]].split()
    old = int(f[5])
    f[5] = str(old + 1)
    lines[soa[0]] = " ".join(f)
    step = len(cand) // n
    pick = [cand[k * step] for k in range(n)]
    for k, i in enumerate(pick):
        name = lines[i].split()[0]
        # 198.18.0.0/15 (RFC 2544): in no zone of gen-zone.py
        lines[i] = "%s IN A 198.18.%d.%d" % (name, k >> 8, k & 255)
    with open(dst, "w") as f2:
        f2.write("\n".join(lines))
    first = lines[pick[0]].split()
    print("%s %s %d %d" % (first[0], first[3], old + 1, old))


DNSSEC = {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS",
          "CDNSKEY"}


def canonical(path, zone):
    """{(owner, type, rest of the line)} of the zone file path but its
    SOA, in named-compilezone's canonical text (absolute names, one
    spelling of each address), fast enough for a million names."""
    r = subprocess.run(
        ["named-compilezone", "-q", "-i", "none", "-k", "ignore", "-n",
         "ignore", "-m", "ignore", "-r", "ignore", "-M", "ignore", "-S",
         "ignore", "-T", "ignore", "-W", "ignore", "-s", "full", "-o", "-",
         zone, path], stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit("named-compilezone failed on %s" % path)
    out = set()
    for ln in r.stdout.split("\n"):
        f = ln.split(None, 4)
        if len(f) == 5 and f[3] != "SOA":
            out.add((f[0].lower(), f[3], f[1] + " " + f[4]))
    return out


def check(signed, unsigned, zone, name=None, addr=None):
    origin = dns.name.from_text(zone)
    zone = origin.to_text().lower()
    sets, covered = set(), set()
    ns = set()
    counts = {}
    bad = []
    plain = tempfile.NamedTemporaryFile("w", suffix=".plain")
    for ln in open(signed):
        if not ln.strip() or ln.startswith(";"):
            continue
        f = ln.split(None, 4)
        if len(f) < 5 or f[2] != "IN":
            continue
        owner, t, rdata = f[0].lower(), f[3], f[4].strip()
        counts[t] = counts.get(t, 0) + 1
        sets.add((owner, t))
        if t == "RRSIG":
            covered.add((owner, rdata.split()[0]))
        elif t == "NS" and owner != zone:
            ns.add(owner)
        if t == "NSEC3PARAM" and rdata.split() != ["1", "0", "0", "-"]:
            bad.append("NSEC3PARAM %s" % rdata)
        if t == "NSEC3" and rdata.split()[:4] != ["1", "0", "0", "-"]:
            bad.append("NSEC3 %s %s" % (owner, rdata[:40]))
        if t == "DNSKEY":
            k = rdata.split()
            if k[2] != "13":
                bad.append("DNSKEY of algorithm %s" % k[2])
            role = "KSK" if k[0] == "257" else "ZSK"
            counts[role] = counts.get(role, 0) + 1
        if t not in DNSSEC:
            plain.write(ln)
    plain.flush()
    # the zone's own data under the DNSSEC records
    want = canonical(unsigned, zone)
    have = canonical(plain.name, zone)
    plain.close()
    lost = want - have
    extra = have - want
    if lost:
        bad.append("%d records of the unsigned zone missing, e.g. %s" %
                   (len(lost), sorted(lost)[:3]))
    if extra:
        bad.append("%d records not in the unsigned zone, e.g. %s" %
                   (len(extra), sorted(extra)[:3]))
    if not counts.get("SOA"):
        bad.append("no SOA")
    for t in ("NSEC3PARAM", "NSEC3", "KSK", "ZSK"):
        if not counts.get(t):
            bad.append("no %s" % t)
    if counts.get("NSEC"):
        bad.append("%d NSEC records" % counts["NSEC"])

    def below_cut(owner):
        labels = owner.split(".")
        for i in range(1, len(labels) - 1):
            if ".".join(labels[i:]) in ns:
                return True
        return False
    unsigned_sets = []
    for owner, t in sets:
        if t == "RRSIG" or below_cut(owner):
            continue
        if owner in ns and t not in ("DS", "NSEC3"):
            continue
        if (owner, t) not in covered:
            unsigned_sets.append((owner, t))
    if unsigned_sets:
        bad.append("%d RRsets without an RRSIG, e.g. %s" %
                   (len(unsigned_sets), sorted(unsigned_sets)[:3]))
    if name:
        fq = dns.name.from_text(name, origin).to_text().lower()
        if not any(h[0] == fq and h[1] == "A" and
                   h[2].split()[-1] == addr for h in have):
            bad.append("%s A is not %s" % (fq, addr))
    if bad:
        print("check %s: FAIL (%d problems)\n  %s" % (
            signed, len(bad), "\n  ".join(bad[:20])))
        return 1
    print("rrsig=%d nsec3=%d records=%d" % (
        counts.get("RRSIG", 0), counts.get("NSEC3", 0), len(have)))
    return 0


# ---- logs ------------------------------------------------------------------

def stamp(line, fmt, width):
    try:
        t = datetime.datetime.strptime(line[:width], fmt)
    except ValueError:
        return None
    if t.tzinfo is None:
        return time.mktime(t.timetuple()) + t.microsecond / 1e6
    return t.timestamp()


def log_times(path, t0, fmt, width, loaded, signed, runs=None):
    t_load = t_sign = None
    n = 0
    for ln in open(path, errors="replace"):
        if t_load is None and re.search(loaded, ln):
            t_load = stamp(ln, fmt, width)
        elif t_load is not None and t_sign is None and re.search(signed, ln):
            t_sign = stamp(ln, fmt, width)
        if runs:
            m = re.search(runs, ln)
            if m:
                n += 1
                print("run%d_signatures=%s" % (n, m.group(1)))
                print("run%d_kept=%s" % (n, m.group(2)))
    if t_load is not None:
        # a log of whole seconds can stamp the load before t0
        print("load_s=%.2f" % max(0.0, t_load - t0))
    if t_load is not None and t_sign is not None:
        print("sign_s=%.2f" % (t_sign - t_load))


# ---- the table -------------------------------------------------------------

def table(out):
    res = {}
    for srv in ("apex", "bind", "knot"):
        p = os.path.join(out, srv + ".res")
        if os.path.exists(p):
            res[srv] = dict(ln.rstrip("\n").split("=", 1)
                            for ln in open(p) if "=" in ln)
    cols = [s for s in ("apex", "bind", "knot") if s in res]
    title = {"apex": "apex", "bind": "BIND dnssec-signzone",
             "knot": "Knot"}

    def g(s, k, fmt="%.1f"):
        v = res[s].get(k)
        try:
            return fmt % float(v)
        except (TypeError, ValueError):
            return "-"

    rows = []
    rows.append(("sign from scratch, wall s",
                 {s: g(s, "wall_s") for s in cols}))
    # Knot logs whole seconds
    prec = {s: "%.0f" if s == "knot" else "%.1f" for s in cols}
    rows.append(("  of which loading the unsigned zone, s",
                 {s: g(s, "load_s", prec[s]) for s in cols}))
    rows.append(("  of which signing, s",
                 {s: g(s, "sign_s", prec[s]) for s in cols}))
    rows.append(("CPU s (whole process tree)",
                 {s: g(s, "cpu_s") for s in cols}))
    mem = {}
    for s in cols:
        if s == "apex":
            mem[s] = "%s (apex-signer %s)" % (g(s, "hwm_mb", "%.0f"),
                                             g(s, "hwm_mb_apex_signer",
                                               "%.0f"))
        else:
            mem[s] = g(s, "hwm_mb", "%.0f")
    rows.append(("peak memory MB (sum of VmHWM; BIND: max RSS)", mem))
    rows.append(("re-sign after %s changed A records, s" %
                 next((res[s]["changes"] for s in cols
                       if "changes" in res[s]), "100"),
                 {s: g(s, "resign_s", "%.2f") for s in cols}))
    rows.append(("RRSIGs in the signed zone",
                 {s: g(s, "rrsig", "%.0f") for s in cols}))
    names = next((res[s]["names"] for s in cols if "names" in res[s]), "?")
    print("| %s names | %s |" % (names, " | ".join(title[s] for s in cols)))
    print("|---|%s" % ("---|" * len(cols)))
    for label, v in rows:
        print("| %s | %s |" % (label, " | ".join(v[s] for s in cols)))
    print()
    for s in cols:
        if "version" in res[s]:
            print("- %s: %s" % (title[s], res[s]["version"]))
        if "note" in res[s]:
            print("  %s" % res[s]["note"])
    print("- loading and signing of Knot: from its log, whole seconds; of "
          "BIND: its own \"Signing time\" (-t); the rest of its wall "
          "time is loading, its check of the signed zone and writing it")


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "wait-signed":
        return poll(float(a[3]), float(a[4]),
                    lambda: signed_now(int(a[1]), a[2]),
                    int(a[5]) if len(a) > 5 else None)
    if cmd == "wait-change":
        return poll(float(a[6]), float(a[7]),
                    lambda: changed_now(int(a[1]), a[2], int(a[3]), a[4],
                                        a[5]),
                    int(a[8]) if len(a) > 8 else None)
    if cmd == "serial":
        s = serial(int(a[1]), a[2])
        print("none" if s is None else s)
        return 0
    if cmd == "tree":
        tree(int(a[1]))
        return 0
    if cmd == "tree-pids":
        print("\n".join(str(p) for p in descendants(int(a[1]))[1:]))
        return 0
    if cmd == "change":
        change(a[1], a[2], int(a[3]))
        return 0
    if cmd == "check":
        return check(*a[1:])
    if cmd == "apexlog":
        log_times(a[1], float(a[2]), "%d-%b-%Y %H:%M:%S.%f", 24,
                  r"zone \S+: loaded serial .*to the signer",
                  r"signer: zone \S+: serial \d+ signed",
                  r"signer: zone \S+: serial \d+ signed: (\d+) signatures "
                  r"made, (\d+) kept")
        return 0
    if cmd == "knotlog":
        log_times(a[1], float(a[2]), "%Y-%m-%dT%H:%M:%S%z", 24,
                  r"DNSSEC, signing started",
                  r"DNSSEC, successfully signed")
        return 0
    if cmd == "table":
        table(a[1])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
