#!/usr/bin/env python3
"""Checks a cloneemu --timeline file (Chrome trace-event JSON, array form).

usage: timeline_check.py FILE [--killed] [--tasks N] [--need NAME ...]

Every event has ph; every event but metadata has name, ts, pid and tid;
every track (pid, tid) is named by thread_name metadata, every pid by
process_name; a tid belongs to one pid; ts never goes back on a track (in
file order); B/E nest per track with matching names and all end (unless
--killed); every flow start has one flow end with the same id, no earlier,
on another track, under the same name and category (unless --killed,
where the last ones may be missing).
--killed: the file may lack the closing ']' (a run killed mid-way).
--tasks N: exactly N tracks. --need NAME: an event with that name exists.
Prints a one-line summary; exit status 1 with the first problem.
"""
import collections
import json
import sys


def fail(msg):
    print("timeline_check: FAIL:", msg)
    sys.exit(1)


def load(path, killed):
    text = open(path, encoding="utf-8").read()
    stripped = text.rstrip()
    if not stripped.startswith("["):
        fail("not a JSON array")
    if not stripped.endswith("]"):
        if not killed:
            fail("no closing ']' (the run did not finish writing it)")
        # A killed run: whole events, then nothing; close the array.
        stripped = stripped.rstrip(",") + "\n]"
    try:
        ev = json.loads(stripped)
    except ValueError as e:
        fail("not JSON: %s" % e)
    if not isinstance(ev, list) or not ev:
        fail("empty or not a list")
    return ev


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    path = args.pop(0)
    killed = False
    tasks = None
    need = []
    while args:
        a = args.pop(0)
        if a == "--killed":
            killed = True
        elif a == "--tasks":
            tasks = int(args.pop(0))
        elif a == "--need":
            need.append(args.pop(0))
        else:
            fail("unknown option " + a)
    ev = load(path, killed)
    thread_names, process_names = {}, {}
    tracks = collections.OrderedDict()
    pid_of_tid = {}
    last_ts = {}
    stacks = collections.defaultdict(list)
    flow_s, flow_f = {}, {}
    names = collections.Counter()
    for i, e in enumerate(ev):
        where = "event %d %s" % (i, json.dumps(e)[:200])
        if not isinstance(e, dict) or "ph" not in e:
            fail("no ph: " + where)
        ph = e["ph"]
        for k in ("pid", "tid", "name"):
            if k not in e:
                fail("no %s: %s" % (k, where))
        if not isinstance(e["pid"], int) or not isinstance(e["tid"], int):
            fail("pid/tid not integers: " + where)
        if pid_of_tid.setdefault(e["tid"], e["pid"]) != e["pid"]:
            fail("tid %d in two pids: %s" % (e["tid"], where))
        if ph == "M":
            nm = e.get("args", {}).get("name")
            if e["name"] == "thread_name":
                if not isinstance(nm, str) or not nm:
                    fail("thread_name without a name: " + where)
                thread_names[(e["pid"], e["tid"])] = nm
            elif e["name"] == "process_name":
                if not isinstance(nm, str) or not nm:
                    fail("process_name without a name: " + where)
                process_names[e["pid"]] = nm
            continue
        if not isinstance(e.get("ts"), (int, float)):
            fail("no numeric ts: " + where)
        if ph not in ("B", "E", "X", "i", "I", "s", "t", "f"):
            fail("unexpected ph %r: %s" % (ph, where))
        key = (e["pid"], e["tid"])
        tracks.setdefault(key, 0)
        tracks[key] += 1
        if key not in thread_names:
            fail("track %s used before its thread_name: %s" % (key, where))
        if e["ts"] < last_ts.get(key, 0):
            fail("ts goes back on track %s: %s" % (key, where))
        last_ts[key] = e["ts"]
        names[e["name"]] += 1
        if ph == "B":
            stacks[key].append(e["name"])
        elif ph == "E":
            if not stacks[key]:
                fail("E without B: " + where)
            top = stacks[key].pop()
            if top != e["name"]:
                fail("E %r closes B %r: %s" % (e["name"], top, where))
            if e["name"] == "running" and stacks[key]:
                fail("running ends inside %r: %s" % (stacks[key][-1], where))
        elif ph == "s":
            if e["id"] in flow_s:
                fail("flow id %s starts twice" % e["id"])
            flow_s[e["id"]] = (key, e["ts"], e["name"], e.get("cat"))
        elif ph == "f":
            if e["id"] in flow_f:
                fail("flow id %s ends twice" % e["id"])
            if e["id"] not in flow_s:
                fail("flow end before its start: " + where)
            skey, sts, sname, scat = flow_s[e["id"]]
            if sts > e["ts"] or skey == key:
                fail("flow %s goes back in time or to its own track" % e["id"])
            if (sname, scat) != (e["name"], e.get("cat")):
                fail("flow %s ends under another name or category: %s" % (e["id"], where))
            flow_f[e["id"]] = key
    for pid, tid in thread_names:
        if pid not in process_names:
            fail("pid %d has no process_name" % pid)
    for key, st in stacks.items():
        if st and not killed:
            fail("track %s ends with %s open" % (key, st))
    missing = set(flow_s) - set(flow_f)
    if missing and not killed:
        fail("flows without an end: %s" % sorted(missing)[:10])
    if tasks is not None and len(thread_names) != tasks:
        fail("%d tracks, want %d: %s" % (len(thread_names), tasks, thread_names))
    if set(tracks) - set(thread_names):
        fail("tracks without names")
    for n in need:
        if names[n] == 0:
            fail("no event named %r (have %s)" % (n, sorted(names)))
    print("timeline ok: %d events, %d tracks (%s), %d flows, %d syscall names" %
          (len(ev), len(thread_names),
           ", ".join("%d/%d %s" % (p, t, nm) for (p, t), nm in thread_names.items()),
           len(flow_f), len(names)))


main()
