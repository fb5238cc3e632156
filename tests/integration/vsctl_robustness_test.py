#!/usr/bin/env python3
"""Robustness tests for vsctl: concurrency, crash safety, bad input, exit status contract.

Run as: python3 vsctl_robustness_test.py --vsctl PATH

Checks (see ../../../shared/DESIGN.md, "Configuration database" and "What bad input gets"):
  1. 50 concurrent `add-port` processes against one database all commit, nothing is lost,
     and the file passes PRAGMA integrity_check.
  2. A large one-transaction command line killed with SIGKILL at delays spread across its
     run time leaves a database that opens, passes integrity_check, and holds either none
     or all of the transaction's ports.
  3. Bad input exits 1 with a message naming the problem and leaves the database unchanged,
     both byte for byte (main file) and logically (iterdump).
  4. The exit status contract for waiting on vswitchd (no daemon, a daemon that never
     applies, a daemon that applies, a registered daemon that is dead).

Standard library only. Everything lives in a fresh tempfile.mkdtemp() directory that is
removed at the end; only processes this script started are ever killed.
"""

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from results import Results

RUN_TIMEOUT = 120  # seconds; a safety net against a hung vsctl, not a timed assertion


class Env:
    """Paths and the processes this test started."""

    def __init__(self, vsctl, workdir):
        self.vsctl = vsctl
        self.workdir = workdir
        self.procs = []  # every Popen this script created

    def run(self, db, args, timeout=RUN_TIMEOUT):
        """Runs vsctl --db=DB ARGS; returns (exit status, stdout, stderr)."""
        env = dict(os.environ)
        env.pop("VSWITCH_DB", None)
        try:
            r = subprocess.run([self.vsctl, f"--db={db}"] + list(args), capture_output=True,
                               text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as e:  # subprocess.run already killed its child
            return None, e.stdout or "", f"(timed out after {timeout}s)"
        return r.returncode, r.stdout, r.stderr

    def popen(self, argv, **kwargs):
        p = subprocess.Popen(argv, **kwargs)
        self.procs.append(p)
        return p

    def kill_leftovers(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass


def fmt(status, out, err):
    return f"exit={status} stdout={out.strip()[:300]!r} stderr={err.strip()[:300]!r}"


def integrity(db):
    """Returns PRAGMA integrity_check's rows joined, 'ok' when the file is sound."""
    try:
        conn = sqlite3.connect(db, timeout=30)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"sqlite error: {e}"
    return "; ".join(str(r[0]) for r in rows)


def logical_dump(db):
    conn = sqlite3.connect(db, timeout=30)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def remove_db(db):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(db + suffix)
        except FileNotFoundError:
            pass


def list_ports(env, db, bridge):
    status, out, err = env.run(db, ["--no-wait", "list-ports", bridge])
    return status, out.split(), err


# ---------------------------------------------------------------------------------------
# 1. Concurrency
# ---------------------------------------------------------------------------------------
def check_concurrency(env, res):
    db = os.path.join(env.workdir, "concurrent.db")
    status, out, err = env.run(db, ["--no-wait", "add-br", "br0"])
    if not res.check(status == 0, "concurrency: setup add-br br0", fmt(status, out, err)):
        return
    n = 50
    procs = []
    for i in range(n):
        p = env.popen([env.vsctl, f"--db={db}", "--no-wait", "add-port", "br0", f"p{i}"],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(p)
    bad = []
    for i, p in enumerate(procs):
        try:
            out, err = p.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            bad.append(f"p{i}: timed out")
            continue
        if p.returncode != 0:
            bad.append(f"p{i}: {fmt(p.returncode, out, err)}")
    res.check(not bad, f"concurrency: {n} concurrent add-port processes all exit 0",
              f"{len(bad)} failed; first: {bad[:3]}")
    status, ports, err = list_ports(env, db, "br0")
    expected = sorted(f"p{i}" for i in range(n))
    res.check(status == 0 and sorted(ports) == expected and len(ports) == n,
              "concurrency: list-ports br0 shows exactly p0..p49",
              f"exit={status} got {len(ports)} ports, missing={sorted(set(expected) - set(ports))[:10]} "
              f"extra={sorted(set(ports) - set(expected))[:10]} stderr={err.strip()!r}")
    ic = integrity(db)
    res.check(ic == "ok", "concurrency: PRAGMA integrity_check is ok", ic)


# ---------------------------------------------------------------------------------------
# 2. Crash safety
# ---------------------------------------------------------------------------------------
def big_command_line(env, db, n):
    argv = [env.vsctl, f"--db={db}", "--no-wait"]
    for i in range(n):
        if i:
            argv.append("--")
        argv += ["add-port", "br1", f"q{i}"]
    return argv


def argv_size(argv):
    env_size = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    return sum(len(a) + 1 + 8 for a in argv) + 8 + env_size


def check_crash_safety(env, res):
    pristine = os.path.join(env.workdir, "crash-pristine.db")
    db = os.path.join(env.workdir, "crash.db")
    status, out, err = env.run(pristine, ["--no-wait", "add-br", "br1"])
    if not res.check(status == 0, "crash: setup add-br br1", fmt(status, out, err)):
        return
    if os.path.exists(pristine + "-wal") and os.path.getsize(pristine + "-wal") > 0:
        res.note("pristine database left a non-empty WAL behind")

    def fresh_copy():
        remove_db(db)
        shutil.copyfile(pristine, db)

    # Choose the number of ports: 20,000 unless the OS argument limit says otherwise.
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 2 * 1024 * 1024
    n = 20000
    while n > 1000 and argv_size(big_command_line(env, db, n)) > arg_max * 3 // 4:
        n = n * 3 // 4
    argv = big_command_line(env, db, n)
    res.note(f"crash: {n} add-port commands in one transaction, argv {argv_size(argv)} bytes, "
             f"ARG_MAX {arg_max}")
    expected = sorted(f"q{i}" for i in range(n))

    # Measure how long the whole transaction takes when left alone.
    fresh_copy()
    start = time.monotonic()
    p = env.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=RUN_TIMEOUT * 3)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    duration = time.monotonic() - start
    if not res.check(p.returncode == 0, f"crash: measuring run of {n} ports exits 0",
                     fmt(p.returncode, out, err)):
        return
    res.note(f"crash: the transaction takes {duration:.2f}s uninterrupted")
    if duration < 0.3:
        res.note("crash: the transaction is short; kills may mostly land after it")

    iterations = 10
    before = after = exited_first = 0
    for k in range(iterations):
        delay = duration * k / (iterations - 1)
        fresh_copy()
        p = env.popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is not None:
            exited_first += 1
        else:
            os.kill(p.pid, signal.SIGKILL)  # our own child, by pid
        p.wait()
        name = f"crash: kill -9 after {delay:.2f}s"
        status, out, err = env.run(db, ["--no-wait", "list-br"])
        res.check(status == 0 and "br1" in out.split(), f"{name}: database opens (list-br exits 0)",
                  fmt(status, out, err))
        ic = integrity(db)
        res.check(ic == "ok", f"{name}: PRAGMA integrity_check is ok", ic)
        status, ports, err = list_ports(env, db, "br1")
        count = len(ports)
        all_or_nothing = status == 0 and (count == 0 or (count == n and sorted(ports) == expected))
        res.check(all_or_nothing, f"{name}: br1 has 0 or all {n} ports (has {count})",
                  f"exit={status} ports={count} stderr={err.strip()!r}")
        if count == 0:
            before += 1
        elif count == n:
            after += 1
    res.note(f"crash: {before} kills landed before commit, {after} after "
             f"({exited_first} of those after vsctl had already exited)")

    # A final run to completion shows all ports.
    fresh_copy()
    p = env.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=RUN_TIMEOUT * 3)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    res.check(p.returncode == 0, "crash: final uninterrupted run exits 0", fmt(p.returncode, out, err))
    status, ports, err = list_ports(env, db, "br1")
    res.check(status == 0 and sorted(ports) == expected,
              f"crash: final run leaves all {n} ports on br1", f"exit={status} ports={len(ports)}")
    ic = integrity(db)
    res.check(ic == "ok", "crash: final PRAGMA integrity_check is ok", ic)


# ---------------------------------------------------------------------------------------
# 3. Bad input
# ---------------------------------------------------------------------------------------
# (command line, words stderr must contain: the offending token, and for enums the choices)
BAD_INPUT = [
    ("frobnicate", ["frobnicate"]),
    ("list Brdge", ["Brdge"]),
    ("set Port p0 tga=5", ["tga"]),
    ("get Interface p0 external_ids:nokey", ["nokey"]),
    ("set Port p0 tag=abc", ["abc"]),
    ("set Port p0 trunks=abc", ["abc"]),
    ("set Port p0 tag=5000", ["5000"]),
    ("add-port br0 x tag=4096", ["4096"]),
    ("set Interface p0 ofport_request=0", ["ofport_request"]),
    ("set Interface p0 ofport_request=70000", ["70000"]),
    ("set Interface p0 type=tpa", ["tpa", "internal", "tap"]),
    ("set Bridge br0 fail_mode=secrue", ["secrue", "secure", "standalone"]),
    ("set Port p0 vlan_mode=trunc", ["trunc", "native-untagged"]),
    ("set-fail-mode br0 bogus", ["bogus", "secure", "standalone"]),
    ("set-controller br0 foo:bar", ["foo:bar"]),
    ("set-controller br0 tcp:1.2.3.4:99999", ["99999"]),
    ("add-br br0", ["br0"]),
    ("del-port nosuchport", ["nosuchport"]),
    ("del-br nosuch", ["nosuch"]),
    ("add-br brX -- set Port p0 tag=9999 -- add-br brY", ["9999"]),
]


def check_bad_input(env, res):
    db = os.path.join(env.workdir, "bad.db")
    for setup in (["add-br", "br0"], ["add-port", "br0", "p0"]):
        status, out, err = env.run(db, ["--no-wait"] + setup)
        if not res.check(status == 0, f"bad input: setup {' '.join(setup)}", fmt(status, out, err)):
            return

    for line, words in BAD_INPUT:
        args = ["--no-wait"] + line.split()
        dump_before = logical_dump(db)
        bytes_before = file_bytes(db)
        status, out, err = env.run(db, args)
        bytes_after = file_bytes(db)
        dump_after = logical_dump(db)
        name = f"bad input `{line}`"
        res.check(status == 1, f"{name}: exits 1", fmt(status, out, err))
        missing = [w for w in words if w not in err]
        res.check(err.strip() != "" and not missing,
                  f"{name}: stderr names the problem ({', '.join(words)})",
                  f"missing {missing}; {fmt(status, out, err)}")
        res.check(bytes_before == bytes_after, f"{name}: database file byte-for-byte unchanged",
                  f"size {len(bytes_before)} -> {len(bytes_after)}")
        if dump_before != dump_after:
            added = [s for s in dump_after if s not in set(dump_before)][:3]
            removed = [s for s in dump_before if s not in set(dump_after)][:3]
            detail = f"added {added} removed {removed}"
        else:
            detail = ""
        res.check(dump_before == dump_after, f"{name}: logical dump unchanged", detail)

    for bridge in ("brX", "brY"):
        status, out, err = env.run(db, ["--no-wait", "br-exists", bridge])
        res.check(status == 2, f"bad input: failed chain left no bridge {bridge} (br-exists exits 2)",
                  fmt(status, out, err))

    for line, expected in (("--may-exist add-br br0", 0), ("--if-exists del-port nosuchport", 0),
                           ("br-exists nosuch", 2), ("br-exists br0", 0)):
        status, out, err = env.run(db, ["--no-wait"] + line.split())
        res.check(status == expected, f"`{line}` exits {expected}", fmt(status, out, err))

    ic = integrity(db)
    res.check(ic == "ok", "bad input: PRAGMA integrity_check is ok", ic)


# ---------------------------------------------------------------------------------------
# 4. Exit status contract for waiting
# ---------------------------------------------------------------------------------------
class FakeControlSocket:
    """A listening unix socket that accepts and drops connections, like a daemon that
    never answers."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(128)
        self.sock.settimeout(0.05)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                conn.close()
            except (socket.timeout, OSError):
                continue

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class FakeApplier:
    """A thread that plays vswitchd applying every change: cur_cfg = next_cfg every 10 ms."""

    def __init__(self, db):
        self.db = db
        self.stop = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn = sqlite3.connect(self.db, timeout=5, isolation_level=None, check_same_thread=False)
        try:
            while not self.stop.is_set():
                try:
                    conn.execute('UPDATE "Open_vSwitch" SET cur_cfg = next_cfg WHERE cur_cfg != next_cfg')
                except sqlite3.Error as e:
                    self.errors.append(str(e))
                self.stop.wait(0.01)
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)


def set_daemon_record(db, pid, control_socket):
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        conn.execute("INSERT OR REPLACE INTO _meta(key, value) VALUES ('daemon.pid', ?)", (str(pid),))
        conn.execute("INSERT OR REPLACE INTO _meta(key, value) VALUES ('daemon.control_socket', ?)",
                     (control_socket,))
    finally:
        conn.close()


def clear_daemon_record(db):
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        conn.execute("DELETE FROM _meta WHERE key IN ('daemon.pid', 'daemon.control_socket')")
    finally:
        conn.close()


def check_wait_contract(env, res):
    db = os.path.join(env.workdir, "wait.db")
    status, out, err = env.run(db, ["--no-wait", "add-br", "br0"])
    if not res.check(status == 0, "wait: setup add-br br0", fmt(status, out, err)):
        return

    # (a) No daemon registered: commit, exit 0, say so.
    status, out, err = env.run(db, ["add-br", "brA"])
    res.check(status == 0 and "no vswitchd is serving" in err,
              "wait (a): no daemon: add-br exits 0, stderr says no vswitchd is serving the database",
              fmt(status, out, err))
    status, out, err = env.run(db, ["--no-wait", "br-exists", "brA"])
    res.check(status == 0, "wait (a): brA is committed", fmt(status, out, err))

    sock_path = os.path.join(env.workdir, "ctl.sock")
    fake = FakeControlSocket(sock_path)
    try:
        # (b) A live daemon that never applies: 142 after --timeout, change committed.
        set_daemon_record(db, os.getpid(), sock_path)
        status, out, err = env.run(db, ["--timeout=1", "add-br", "brW"])
        res.check(status == 142 and "committed, not yet applied" in err,
                  "wait (b): daemon never applies: --timeout=1 add-br exits 142, "
                  "stderr says committed, not yet applied", fmt(status, out, err))
        status, out, err = env.run(db, ["--no-wait", "br-exists", "brW"])
        res.check(status == 0, "wait (b): brW exists afterwards", fmt(status, out, err))

        # (c) A live daemon that applies: exit 0, nothing on stderr.
        applier = FakeApplier(db)
        try:
            status, out, err = env.run(db, ["--timeout=5", "add-br", "brV"])
        finally:
            applier.close()
        res.check(status == 0 and err == "",
                  "wait (c): daemon applies: --timeout=5 add-br exits 0 with empty stderr",
                  fmt(status, out, err))
        if applier.errors:
            res.note(f"wait (c): simulated daemon saw sqlite errors: {applier.errors[:3]}")
        status, out, err = env.run(db, ["--no-wait", "br-exists", "brV"])
        res.check(status == 0, "wait (c): brV exists afterwards", fmt(status, out, err))

        # (d) A registered daemon whose process is gone: exit 0, say it is not running.
        child = env.popen(["true"])
        child.wait()  # reaped: its pid no longer names a process of ours
        set_daemon_record(db, child.pid, sock_path)
        status, out, err = env.run(db, ["--timeout=5", "add-br", "brD"])
        res.check(status == 0 and "vswitchd" in err and "not running" in err,
                  f"wait (d): dead daemon (pid {child.pid}): add-br exits 0, "
                  "stderr says vswitchd is not running", fmt(status, out, err))
        status, out, err = env.run(db, ["--no-wait", "br-exists", "brD"])
        res.check(status == 0, "wait (d): brD exists afterwards", fmt(status, out, err))
    finally:
        fake.close()
        try:
            clear_daemon_record(db)
        except sqlite3.Error as e:
            res.note(f"wait: could not remove the _meta rows: {e}")

    conn = sqlite3.connect(db, timeout=30)
    try:
        left = conn.execute("SELECT count(*) FROM _meta WHERE key LIKE 'daemon.%'").fetchone()[0]
    finally:
        conn.close()
    res.check(left == 0, "wait: _meta daemon rows removed afterwards", f"{left} rows left")
    ic = integrity(db)
    res.check(ic == "ok", "wait: PRAGMA integrity_check is ok", ic)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vsctl", required=True, help="path to the vsctl binary")
    args = parser.parse_args()
    vsctl = os.path.abspath(args.vsctl)
    if not os.access(vsctl, os.X_OK):
        print(f"vsctl not executable: {vsctl}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    res = Results()
    workdir = tempfile.mkdtemp(prefix="vsctl-robustness-")
    env = Env(vsctl, workdir)
    try:
        for section in (check_concurrency, check_crash_safety, check_bad_input, check_wait_contract):
            try:
                section(env, res)
            except Exception as e:  # a crash in the test itself is a failure, not an abort
                res.check(False, f"{section.__name__} raised", f"{type(e).__name__}: {e}")
            finally:
                env.kill_leftovers()
    finally:
        env.kill_leftovers()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
