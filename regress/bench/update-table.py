#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The markdown table of one regress/bench/update.sh result directory:
update-table.py DIR (reads DIR/results.tsv and DIR/versions.txt)."""
import os
import sys

out = sys.argv[1]
r, order, sizes = {}, [], []
for line in open(os.path.join(out, "results.tsv")):
    p = line.rstrip("\n").split("\t")
    if len(p) != 4:
        continue
    r[(p[0], p[1], p[2])] = p[3]
    if p[0] != "ceiling":
        if p[0] not in order:
            order.append(p[0])
        if p[1] not in sizes:
            sizes.append(p[1])
conf = {}
try:
    for line in open(os.path.join(out, "conf")):
        k, _, v = line.rstrip("\n").partition("=")
        conf[k] = v
except OSError:
    pass
conns = conf.get("CONNS", "1 4 16").split()
names = {"bind": "BIND", "knot": "Knot", "apex": "apex"}
pref = ["bind", "knot", "apex"]
servers = [s for s in pref if s in order] + [s for s in order if s not in pref]
peers = [s for s in servers if s != "apex"] if "apex" in servers else []


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt(v):
    if v == "":
        return "none"
    x = num(v)
    if x is None:
        return "-" if v in (None, "") else v
    if abs(x) >= 100 or (x == int(x) and "." not in v):
        return "{:,.0f}".format(x)
    return "%.2f" % x if abs(x) >= 1 else "%.3f" % x


rows = [("zone records (file)", "zone_rrs", False),
        ("fdatasync of 4 KiB in the data directory's file system, "
         "median ms (before the run)", "fsync_ms", False)]
for c in conns:
    rows.append(("updates/s, %s TCP connection%s (closed loop)" %
                 (c, "" if c == "1" else "s"), "upd_c%s_per_s" % c, True))
for c in conns:
    rows.append(("update latency p50, ms, %s conn." % c,
                 "upd_c%s_p50_ms" % c, True))
    rows.append(("update latency p99, ms, %s conn." % c,
                 "upd_c%s_p99_ms" % c, True))
rows += [("server CPU ms per update, %s conn." % conns[-1],
          "upd_c%s_cpu_ms_per_upd" % conns[-1], True),
         ("answers other than NOERROR or lost, %s conn." % conns[-1],
          "upd_c%s_other" % conns[-1], False),
         ("secondary (BIND, NOTIFY + IXFR) answers the update, median ms",
          "lag_median_ms", True),
         ("same, slowest of the updates, ms", "lag_max_ms", True),
         ("updates the secondary did not show in 30 s", "lag_missing", False),
         ("UDP QPS, idle (dnsperf -c 10 -q 500 -T 2, kit query file)",
          "udp_idle_qps", True),
         ("UDP QPS during an update stream", "udp_during_qps", True),
         ("the stream: updates/s achieved (asked: %s on %s conn.)" %
          (conf.get("STREAM_RATE", "?"), conf.get("STREAM_CONNS", "?")),
          "stream_per_s", True),
         ("UDP QPS during the stream / idle", "udp_ratio", True),
         ("data directory after the run, KiB", "dir_kb", False),
         ("runs still disturbed after the retries (other processes > "
          "FOREIGN_MAX CPU-s)", "disturbed", False)]
# per server and size: the runs whose last try still saw foreign load
fmax = num(conf.get("FOREIGN_MAX", "0.5"))
for (s_, n_, k_), v_ in list(r.items()):
    if s_ == "ceiling" or not k_.endswith("_foreign_cpu_s"):
        continue
    key = (s_, n_, "disturbed")
    r.setdefault(key, "")
    if num(v_) is not None and num(v_) > fmax:
        r[key] = (r[key] + " " if r[key] else "") + \
            "%s %s" % (k_[:-len("_foreign_cpu_s")], v_)

print("| zone | | " + " | ".join(names.get(s, s) for s in servers) +
      ("" if not peers else
       " | " + " | ".join("apex/" + names.get(s, s) for s in peers)) + " |")
print("|---|---|" + "---|" * (len(servers) + len(peers)))
for n in sizes:
    for title, key, ratio in rows:
        cells, vals = [], {}
        for s in servers:
            st = r.get((s, n, "status"), "ok")
            v = r.get((s, n, key))
            if st != "ok" and key not in ("zone_rrs", "fsync_ms"):
                cells.append(st if v is None else fmt(v))
            else:
                cells.append(fmt(v))
            vals[s] = num(v) if st == "ok" else None
        rat = []
        for s in peers:
            a, b = vals.get("apex"), vals.get(s)
            rat.append("%.2f" % (a / b) if ratio and a is not None and b
                       else "")
        print("| %s names | %s | " % ("{:,}".format(int(n)), title) +
              " | ".join(cells) + (" | " + " | ".join(rat) if peers else "") +
              " |")

ceil = sorted({k[1] for k in r if k[0] == "ceiling"})
if ceil:
    print()
    print("The generator's ceiling (updgen against %s, which answers "
          "REFUSED at once after checking TSIG):" % ", ".join(ceil))
    print()
    print("| connections | answers/s | updgen CPU % | p50 ms | RCODEs |")
    print("|---|---|---|---|---|")
    for p in ceil:
        for c in conns:
            print("| %s | %s | %s | %s | %s |" % (
                c, fmt(r.get(("ceiling", p, "c%s_answers_per_s" % c))),
                fmt(r.get(("ceiling", p, "c%s_gen_cpu_pct" % c))),
                fmt(r.get(("ceiling", p, "c%s_p50_ms" % c))),
                r.get(("ceiling", p, "c%s_rcode" % c), "").strip()))
print()
print("""Notes:

- Every update is one TSIG-signed (hmac-sha256) UPDATE over TCP changing
  one TXT record (added at a new name, then deleted, ...); each
  connection waits for the answer before the next (closed loop), so
  concurrency = connections. Updates/s counts NOERROR answers in the
  window. Server: one worker, pinned to CPU 0; clients on CPU 1.
- What each server has done before its NOERROR (checked with strace):
  BIND 9.18 appends the change to the zone's .jnl and fsync()s it twice
  (transaction, then the journal header) for every update, one update at
  a time; Knot 3.2 queues updates and applies those waiting as one batch,
  one LMDB journal transaction (journal-db-mode robust: data pages then
  fdatasync, meta page through an O_DSYNC descriptor) before it answers
  them all; apex (by design) applies the waiting updates as one batch,
  one journal record and one fsync, before answering.
- The secondary figure includes each primary's NOTIFY policy: Knot 3.2
  schedules the NOTIFY after an update one second later (whole seconds,
  zone_schedule_notify(zone, 1) in its DDNS handler), so ~1,000 ms is
  its floor; BIND_NOTIFY_DELAY=%s (BIND's default notify-delay is 5 s
  between NOTIFY sets, which would bound the figure); KNOT_ZONEFILE_SYNC=%s
  (Knot's default 0 rewrites the zone file after every change; -1 keeps
  the changes in the journal only, as BIND and apex do between dumps).
- fsync latency of this VM's disk moves with other work on the machine
  (the kit's quiet wait looks at CPU only); the fdatasync row is there
  to judge a run by.""" % (conf.get("BIND_NOTIFY_DELAY", "?"),
                           conf.get("KNOT_ZONEFILE_SYNC", "?")))
