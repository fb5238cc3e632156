#!/usr/bin/env python3
"""Differential test: vsctl (SQLite file) against ovs-vsctl (private ovsdb-server).

Replays the command lines of vsctl_cases.txt (beside this file; its header describes the
format) against both implementations and compares exit codes, stdout (UUIDs renumbered per
side), whether stderr is empty, and after every case a dump of the configuration read back
through columns both schemas have.

    python3 vsctl_differential.py --vsctl PATH [--keep] [--cases FILE] [-v]

Needs Debian's openvswitch-switch (ovsdb-tool, ovsdb-server, ovs-vsctl); no ovs-vswitchd is
started, so both sides always run with --no-wait. Python 3 standard library only.
"""

import argparse
import collections
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
CMD_TIMEOUT = 60  # seconds for one client process; a hang counts as a failure
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Whole-table reads in the state dump: only columns that vswitch's schema has.
DUMP_LISTS = [
    ("Port", "name,tag,trunks,vlan_mode,qos,external_ids,other_config"),
    ("Interface", "name,type,options,external_ids,ofport_request,"
                  "ingress_policing_rate,ingress_policing_burst,mtu_request"),
    ("Bridge", "name,fail_mode,datapath_type,external_ids,other_config,protocols,stp_enable"),
    ("Controller", "target"),
    ("QoS", "type,queues,other_config,external_ids"),
    ("Queue", "dscp,other_config,external_ids"),
    ("Open_vSwitch", "external_ids,other_config"),
]
BRIDGE_READS = ["list-ports", "list-ifaces", "br-to-vlan", "br-to-parent",
                "get-controller", "get-fail-mode"]


# ---------------------------------------------------------------------------------------------
# Cases


class Case:
    """One command line plus the directives (@...) written above it in the case file."""

    def __init__(self, lineno, text):
        self.lineno = lineno
        self.text = text
        self.args = shlex.split(text)
        self.name = None
        self.differ = None         # reason: vsctl must refuse, OVS side is undone or skipped
        self.undo = None           # OVS-side command line that cancels an intended difference
        self.unordered = None      # compare stdout as a multiset of records
        self.tree = False          # `show`-like output: sort sibling subtrees
        self.strip = []            # regexes: stdout lines dropped on both sides
        self.informational = False  # a mismatch is reported, not counted as a failure
        self.nowait_note = False   # vsctl side without --no-wait: exit 0 plus a note on stderr

    def label(self):
        return self.name or self.text


def parse_cases(path):
    """Reads the case file: see the header of vsctl_cases.txt for the format."""
    cases, pending = [], []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        lineno, line = i + 1, lines[i].strip()
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            pending.append((lineno, line))
            continue
        try:
            case = Case(lineno, line)
        except ValueError as e:
            raise SystemExit(f"{path}:{lineno}: {e}")
        for dlineno, d in pending:
            key, _, value = d[1:].partition(" ")
            value = value.strip()
            if key == "name":
                case.name = value
            elif key == "differ":
                case.differ = value or "intended difference"
            elif key == "undo":
                case.undo = shlex.split(value)
            elif key == "unordered":
                case.unordered = True
            elif key == "ordered":
                case.unordered = False
            elif key == "tree":
                case.tree = True
            elif key == "strip":
                case.strip.append(re.compile(value))
            elif key == "informational":
                case.informational = True
            elif key == "nowait-note":
                case.nowait_note = True
            else:
                raise SystemExit(f"{path}:{dlineno}: unknown directive @{key}")
        pending = []
        cases.append(case)
    if pending:
        raise SystemExit(f"{path}:{pending[0][0]}: directive without a case after it")
    return cases


# ---------------------------------------------------------------------------------------------
# Output normalisation


def number_uuids(text):
    """Replaces each distinct UUID by <uuidN>, N in order of first appearance."""
    seen = {}

    def repl(m):
        return seen.setdefault(m.group(0), f"<uuid{len(seen) + 1}>")

    return UUID_RE.sub(repl, text)


def table_options(args):
    """The output format options among the global options (before the first command)."""
    fmt, headings = "list", True
    for i, a in enumerate(args):
        if a == "--":
            break
        if a.startswith("--format="):
            fmt = a.split("=", 1)[1]
        elif a in ("-f", "--format") and i + 1 < len(args):
            fmt = args[i + 1]
        elif a == "--bare":
            fmt, headings = "list", False
        elif a == "--no-headings":
            headings = False
        elif not a.startswith("-") and args[i - 1] not in ("-f", "--format"):
            break
    return fmt, headings


def commands_of(args):
    """The command names of a command line, e.g. ['list'] or ['del-port', 'add-port']."""
    names, expect = [], True
    for a in args:
        if a == "--":
            expect = True
        elif expect and not a.startswith("-"):
            names.append(a)
            expect = False
    return names


def records(text, fmt, headings):
    """Splits a list/find output into (header, [record, ...])."""
    if fmt == "json":
        try:
            doc = json.loads(text)
        except ValueError:
            return text, []
        rows = doc.pop("data", [])
        return json.dumps(doc, sort_keys=True), [json.dumps(r) for r in rows]
    if fmt in ("csv", "html", "table"):
        lines = text.splitlines()
        n = 0 if not headings else (1 if fmt == "csv" else 2)
        if fmt == "html":
            return text, []  # not split: keep html outputs to one record
        return "\n".join(lines[:n]), lines[n:]
    body = text.rstrip("\n")
    return "", [r for r in body.split("\n\n")] if body else []


def unordered_form(text, args):
    """Records sorted so that row order does not matter, then UUIDs numbered."""
    fmt, headings = table_options(args)
    header, recs = records(text, fmt, headings)
    recs.sort(key=lambda r: (UUID_RE.sub("<uuid>", r), r))
    return number_uuids(header + "\n=====\n" + "\n-----\n".join(recs) + "\n")


def tree_form(text):
    """Indented output (`show`): sibling subtrees sorted recursively, UUIDs numbered after."""
    lines = [l for l in text.split("\n") if l.strip()]

    def build(i, indent):
        nodes = []
        while i < len(lines):
            depth = len(lines[i]) - len(lines[i].lstrip(" "))
            if depth < indent:
                break
            head = lines[i]
            kids, i = build(i + 1, depth + 1)
            nodes.append(head + "\n" + "".join(kids))
        return sorted(nodes, key=lambda n: (UUID_RE.sub("<uuid>", n), n)), i

    nodes, _ = build(0, 0)
    return number_uuids("".join(nodes))


def normalise(case, stdout):
    if case.strip:
        stdout = "".join(l for l in stdout.splitlines(True)
                         if not any(r.search(l) for r in case.strip))
    if case.tree:
        return tree_form(stdout)
    unordered = case.unordered
    if unordered is None:  # by default a lone list/find is compared as a multiset of rows
        unordered = commands_of(case.args) in (["list"], ["find"])
    if unordered:
        return unordered_form(stdout, case.args)
    return number_uuids(stdout)


def diff(a, b, label_a="ovs-vsctl", label_b="vsctl", limit=30):
    out = list(difflib.unified_diff(a.splitlines(), b.splitlines(), label_a, label_b,
                                    lineterm="", n=2))
    if len(out) > limit:
        out = out[:limit] + [f"... ({len(out) - limit} more diff lines)"]
    return "\n".join("      " + l for l in out)


# ---------------------------------------------------------------------------------------------
# The two sides


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def brief(self):
        err = self.err.strip().replace("\n", " | ")
        return f"rc={self.rc} stderr={err[:200]!r}"


class Side:
    def __init__(self, name, prefix, env=None):
        self.name = name
        self.prefix = prefix
        self.env = env

    def run(self, args, no_wait=True):
        cmd = list(self.prefix) + (["--no-wait"] if no_wait else []) + list(args)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=CMD_TIMEOUT,
                               env=self.env, stdin=subprocess.DEVNULL)
            return Result(p.returncode, p.stdout, p.stderr)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            return Result("timeout", out, f"timed out after {CMD_TIMEOUT}s")
        except OSError as e:
            return Result("exec-error", "", str(e))

    def dump_plan(self):
        """The reads of a state dump: [(label, args, unordered)], after asking for the bridges.
        Returns (list-br item, reads)."""
        r = self.run(["list-br"])
        first = ("list-br", f"<{r.brief()}>" if r.rc != 0 else r.out)
        bridges = r.out.split() if r.rc == 0 else []
        reads = [(f"{cmd} {br}", [cmd, br], False) for br in bridges for cmd in BRIDGE_READS]
        reads += [(f"list {table}", [f"--columns={cols}", "list", table], True)
                  for table, cols in DUMP_LISTS]
        return first, reads

    def read(self, args, unordered):
        r = self.run(args)
        if r.rc != 0:
            return f"<{r.brief()}>"
        return unordered_form(r.out, args) if unordered else number_uuids(r.out)


POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4)


def dump(*sides):
    """State dumps of the given sides, each an ordered list of (label, text): the
    configuration as both schemas can show it. The reads only read, so they run in parallel."""
    plans = [f.result() for f in [POOL.submit(s.dump_plan) for s in sides]]
    futures = [[(label, POOL.submit(side.read, args, unordered))
                for label, args, unordered in reads]
               for side, (_, reads) in zip(sides, plans)]
    return [[first] + [(label, f.result()) for label, f in fs]
            for (first, _), fs in zip(plans, futures)]


def compare_dumps(a, b):
    """First mismatch between two dumps as (label, diff text), or None."""
    da, db = dict(a), dict(b)
    for label in [l for l, _ in a] + [l for l, _ in b if l not in da]:
        if da.get(label) != db.get(label):
            return label, diff(da.get(label, "<missing>\n"), db.get(label, "<missing>\n"))
    return None


def pieces(text):
    """A dump item as a multiset of records (list outputs) or lines (everything else)."""
    if "\n=====\n" in text:  # made by unordered_form: header, then the sorted records
        header, _, body = text.partition("\n=====\n")
        return collections.Counter([header + "\n====="] + body.rstrip("\n").split("\n-----\n"))
    return collections.Counter(text.split("\n"))


def compare_changes(before_a, after_a, before_b, after_b):
    """When the states already differed before a case: the first dump item that the case
    changed differently on the two sides (records added and removed), as (label, text)."""
    ba, aa, bb, ab = (dict(d) for d in (before_a, after_a, before_b, after_b))
    labels = list(dict.fromkeys([l for d in (after_a, after_b, before_a, before_b) for l, _ in d]))
    for label in labels:
        ca = (pieces(aa.get(label, "")) - pieces(ba.get(label, "")),
              pieces(ba.get(label, "")) - pieces(aa.get(label, "")))
        cb = (pieces(ab.get(label, "")) - pieces(bb.get(label, "")),
              pieces(bb.get(label, "")) - pieces(ab.get(label, "")))
        if ca != cb:
            def show(c):
                return "".join(f"+{r}\n" for r in sorted(c[0].elements())) + \
                       "".join(f"-{r}\n" for r in sorted(c[1].elements()))
            return label, diff(show(ca), show(cb))
    return None


# ---------------------------------------------------------------------------------------------
# ovsdb-server


def start_ovsdb(tmp):
    db = os.path.join(tmp, "ovs.db")
    sock = os.path.join(tmp, "ovs.sock")
    pidfile = os.path.join(tmp, "ovsdb-server.pid")
    subprocess.run(["ovsdb-tool", "create", db, OVS_SCHEMA], check=True)
    subprocess.run(["ovsdb-server", db, f"--remote=punix:{sock}", f"--pidfile={pidfile}",
                    f"--unixctl={os.path.join(tmp, 'ovsdb-server.ctl')}",
                    f"--log-file={os.path.join(tmp, 'ovsdb-server.log')}",
                    "--detach", "--no-chdir"], check=True, stdin=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return sock, pidfile


def stop_ovsdb(pidfile):
    """Stops the server we started, by the PID in its pidfile (TERM, then KILL after 5 s)."""
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if pidfile.encode() not in f.read():
                return  # not our server (stale pidfile, reused PID)
        os.kill(pid, signal.SIGTERM)
    except (OSError, ProcessLookupError):
        return
    for _ in range(50):
        if not os.path.exists(f"/proc/{pid}"):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------------------------
# Running cases


class Runner:
    def __init__(self, ovs, vs, verbose):
        self.ovs, self.vs, self.verbose = ovs, vs, verbose
        self.passed = self.failed = self.info = 0
        self.dump_ovs = self.dump_vs = None
        self.diverged_at = None  # the case after which the two states first differed
        self.trace = []  # -v output of the current case

    def report(self, n, case, problem, detail="", note=""):
        where = f"{n:3d} {case.label()}"
        if problem is None:
            self.passed += 1
            print(f"ok   {where}" + (f"  ({note})" if note else ""))
        elif case.informational:
            self.passed += 1
            self.info += 1
            print(f"ok   {where}  (informational: {problem})")
            if detail:
                print(detail)
        else:
            self.failed += 1
            print(f"FAIL {where}\n      {problem}")
            if detail:
                print(detail)
        for line in self.trace:
            print(line)
        self.trace = []
        sys.stdout.flush()

    def show(self, side, r):
        """With -v, both sides' output is printed under the case's status line."""
        if self.verbose:
            self.trace.append(f"      [{side}] rc={r.rc}")
            self.trace += [f"      [{side}] | {l}" for l in r.out.splitlines()]
            self.trace += [f"      [{side}] ! {l}" for l in r.err.splitlines()]

    def redump(self):
        self.dump_ovs, self.dump_vs = dump(self.ovs, self.vs)
        return compare_dumps(self.dump_ovs, self.dump_vs)

    def run_case(self, n, case):
        if case.differ:
            return self.run_intended_difference(n, case)
        o = self.ovs.run(case.args)
        v = self.vs.run(case.args, no_wait=not case.nowait_note)
        self.show("ovs", o)
        self.show("vs", v)
        problem, detail = None, ""
        if case.nowait_note and (v.rc != 0 or not v.err.strip()):
            problem = ("without --no-wait and no daemon, vsctl should exit 0 with a note on "
                       f"stderr: {v.brief()}")
        elif v.rc != o.rc:
            problem = f"exit code: ovs-vsctl {o.brief()}; vsctl {v.brief()}"
        else:
            no, nv = normalise(case, o.out), normalise(case, v.out)
            if no != nv:
                problem, detail = "stdout differs", diff(no, nv)
            elif not case.nowait_note and bool(o.err.strip()) != bool(v.err.strip()):
                problem = f"stderr: ovs-vsctl {o.brief()}; vsctl {v.brief()}"
        self.check_state(n, case, problem, detail)

    def check_state(self, n, case, problem, detail):
        """Dumps both sides and reports the case. Once the states have diverged (reported
        at that case), a later case is judged by what it changed on each side, so that one
        bug does not fail every case after it."""
        before = (self.dump_ovs, self.dump_vs)
        mismatch = self.redump()
        note = ""
        if mismatch and self.diverged_at is not None:
            changed = compare_changes(before[0], self.dump_ovs, before[1], self.dump_vs)
            if changed:
                mismatch = (changed[0] + " changed differently", changed[1])
            else:
                mismatch = None
                note = f"state differs since case {self.diverged_at}"
        elif mismatch:
            self.diverged_at = n
        else:
            self.diverged_at = None
        if problem is None and mismatch:
            problem, detail = f"state differs after the case: {mismatch[0]}", mismatch[1]
        self.report(n, case, problem, detail, note)

    def run_intended_difference(self, n, case):
        """vsctl must refuse and keep its database; ovs-vsctl accepts, and its side is then
        undone (@undo) or not run at all."""
        before = self.dump_vs
        v = self.vs.run(case.args)
        self.show("vs", v)
        problem, detail = None, ""
        if v.rc == 0:
            problem = f"intended difference ({case.differ}): vsctl should refuse, {v.brief()}"
            if case.undo is not None:  # undo it on vsctl's side too, so later cases still mean
                self.show("vs-undo", self.vs.run(case.undo))  # something
        elif not v.err.strip():
            problem = f"vsctl refused without a message on stderr ({v.brief()})"
        else:
            (after,) = dump(self.vs)
            mismatch = compare_dumps(before, after)
            if mismatch:
                problem = f"vsctl refused but changed its database: {mismatch[0]}"
                detail = diff(dict(before).get(mismatch[0], ""),
                              dict(after).get(mismatch[0], ""), "vsctl before", "vsctl after")
        if case.undo is not None:
            o = self.ovs.run(case.args)
            u = self.ovs.run(case.undo)
            self.show("ovs", o)
            self.show("ovs-undo", u)
            if problem is None and o.rc != 0:
                problem = f"the case no longer differs: ovs-vsctl refuses it too ({o.brief()})"
            elif problem is None and u.rc != 0:
                problem = f"@undo failed on the ovs-vsctl side: {u.brief()}"
        self.check_state(n, case, problem, detail)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vsctl", required=True, help="the vsctl binary to test")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--cases", default=os.path.join(here, "vsctl_cases.txt"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print both sides' output")
    opts = ap.parse_args()

    cases = parse_cases(opts.cases)
    vsctl = os.path.abspath(opts.vsctl)
    for tool in ("ovsdb-tool", "ovsdb-server", "ovs-vsctl"):
        if not shutil.which(tool):
            raise SystemExit(f"missing {tool} (apt-get install openvswitch-switch)")
    if not os.access(vsctl, os.X_OK):
        raise SystemExit(f"not executable: {vsctl}")

    # A plain kill must still stop ovsdb-server and remove the directory (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    tmp = tempfile.mkdtemp(prefix="vsctl-diff-")
    pidfile = None
    try:
        sock, pidfile = start_ovsdb(tmp)
        vs_db = os.path.join(tmp, "vsctl.db")
        env = {k: v for k, v in os.environ.items() if k != "VSWITCH_DB"}
        ovs = Side("ovs-vsctl", ["ovs-vsctl", f"--db=unix:{sock}"], env)
        vs = Side("vsctl", [vsctl, f"--db={vs_db}"], env)
        runner = Runner(ovs, vs, opts.verbose)
        print(f"# ovs-vsctl --db=unix:{sock}  vs  {vsctl} --db={vs_db}; {len(cases)} cases")

        init = Case(0, "init")
        init.name = "init on both sides, then the initial state"
        o, v = ovs.run(["init"]), vs.run(["init"])
        if o.rc != 0:
            raise SystemExit(f"ovs-vsctl init failed: {o.brief()}")
        mismatch = runner.redump()
        if mismatch:
            runner.diverged_at = 0
        if v.rc != 0:
            runner.report(0, init, f"vsctl init failed: {v.brief()}")
        elif mismatch:
            runner.report(0, init, f"initial state differs: {mismatch[0]}", mismatch[1])
        else:
            runner.report(0, init, None)

        for n, case in enumerate(cases, 1):
            runner.run_case(n, case)

        # The database can also be named by VSWITCH_DB instead of --db.
        env_case = Case(0, "VSWITCH_DB=FILE vsctl list-br")
        by_env = Side("vsctl", [vsctl], dict(env, VSWITCH_DB=vs_db)).run(["list-br"])
        by_opt = vs.run(["list-br"])
        problem = None
        if (by_env.rc, by_env.out) != (by_opt.rc, by_opt.out):
            problem = f"VSWITCH_DB gives {by_env.brief()} {by_env.out!r}, --db {by_opt.out!r}"
        runner.report(len(cases) + 1, env_case, problem)

        if runner.info:
            print(f"# {runner.info} informational case(s) differed")
        print(f"{runner.passed} passed, {runner.failed} failed")
        return 1 if runner.failed else 0
    finally:
        if pidfile:
            stop_ovsdb(pidfile)
        if opts.keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
