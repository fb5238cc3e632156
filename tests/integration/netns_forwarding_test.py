#!/usr/bin/env python3
"""Forwarding tests for vswitchd with real traffic between network namespaces.

Run as root: python3 netns_forwarding_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH

Cases (see ../../../shared/DESIGN.md, "Datapath" and "What bad input gets"):
  1. One bridge, five hosts: three on veth pairs, one on a TAP the switch creates (then moved
     into the host's namespace), one behind a passthru macvtap; all-pairs ping and arping.
  2. A second bridge whose hosts share the first bridge's subnet: they reach each other and
     nothing on the first bridge.
  3. MAC learning: no flooding to a third port once addresses are learned, a MAC move, aging
     (mac-aging-time=15) and fdb/flush.
  4. Hotplug: a port whose device does not exist yet is pending, attached when the device
     appears, missing when it goes, attached again when it returns.
  5. Restart: after kill -9 and a new start on the same database, hosts forward again with no
     vsctl command.
  6. vsctl waits: ofport is set as soon as `vsctl --timeout=10 add-port` returns; columns
     stored but not enforced yet (qos, policing, stp) are named in the row's status.
  7. Malformed frames are dropped and counted by reason; the daemon keeps serving.
  8. Control: vlog/set errors, `vsappctl exit`, vsctl with no daemon, SIGTERM clean-up.

Rules this test keeps: traffic only between namespaces and devices it creates; addresses from
198.18.0.0/15; every namespace and device name carries this run's pid; everything is removed at
the end, also on failure, exception or SIGTERM/SIGINT; the database and run directory live in a
tempfile.mkdtemp() directory; only processes this script started are stopped, by PID.
Standard library only; needs ip (iproute2), ping (iputils-ping) and arping (either arping or
iputils-arping).
"""

import argparse
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from results import Results

CMD_TIMEOUT = 60  # seconds; a safety net against a hung command, never a speed assertion
POLL_TIMEOUT = 10  # how long to wait for a state to be reached
STATS_TIMEOUT = 20  # Interface statistics (and dpif/show counters) refresh every 5 s
AGING_TIMEOUT = 40  # mac-aging-time=15 must have removed an entry by then
SUBNET = "198.18.1"  # every host address is SUBNET.N/24 (inside 198.18.0.0/15)


def run(argv, timeout=CMD_TIMEOUT, env=None):
    """Runs argv; returns (exit status, stdout, stderr); status None if it timed out."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:  # subprocess.run already killed its child
        return None, e.stdout or "", f"(timed out after {timeout}s)"
    return r.returncode, r.stdout, r.stderr


def fmt(status, out, err):
    return f"exit={status} stdout={out.strip()[:300]!r} stderr={err.strip()[:300]!r}"


def poll(predicate, timeout=POLL_TIMEOUT, interval=0.2):
    """Calls predicate until it returns something true or timeout passes; returns the last
    value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def device_exists(name, ns=None):
    prefix = ["ip", "-n", ns] if ns else ["ip"]
    return run(prefix + ["link", "show", "dev", name], timeout=10)[0] == 0


# ---------------------------------------------------------------------------------------
# Topology: namespaces and devices owned by this run
# ---------------------------------------------------------------------------------------
class Host:
    def __init__(self, name, ns, dev, ip, mac):
        self.name = name  # short role, e.g. "h1"
        self.ns = ns  # its network namespace
        self.dev = dev  # its interface inside the namespace
        self.ip = ip
        self.mac = mac
        self.port = None  # the switch-side interface name (vsctl/dpif name)


class Topology:
    """Creates namespaces and devices whose names carry this run's tag and removes them all in
    cleanup(), which may run any number of times (finally, atexit, signal)."""

    def __init__(self, tag):
        self.tag = tag  # decimal pid: "v" + tag + a role of <= 3 chars fits IFNAMSIZ
        self.namespaces = []
        self.devices = []  # root-namespace device names that belong to this run
        self.hosts = {}

    def dev(self, role):
        name = f"v{self.tag}{role}"
        assert len(name) <= 15, name
        if name not in self.devices:
            self.devices.append(name)
        return name

    def mac(self, index):
        t = int(self.tag)
        return f"02:76:{(t >> 16) & 0xff:02x}:{(t >> 8) & 0xff:02x}:{t & 0xff:02x}:{index:02x}"

    def sh(self, argv, what):
        status, out, err = run(argv)
        if status != 0:
            raise RuntimeError(f"{what}: `{' '.join(argv)}` {fmt(status, out, err)}")
        return out

    def ns_sh(self, ns, argv, what):
        return self.sh(["ip", "netns", "exec", ns] + argv, what)

    def add_namespace(self, role):
        ns = f"vsnt{self.tag}{role}"
        self.sh(["ip", "netns", "add", ns], f"creating namespace {ns}")
        self.namespaces.append(ns)
        # IPv6 off so that no router solicitations or MLD reports disturb the counters.
        for key in ("all", "default"):
            self.ns_sh(ns, ["sysctl", "-q", "-w", f"net.ipv6.conf.{key}.disable_ipv6=1"], "sysctl")
        self.ns_sh(ns, ["ip", "link", "set", "lo", "up"], "lo up")
        return ns

    def quiet_root_device(self, name):
        """No IPv6 on a root-namespace device of ours (best effort: it may vanish)."""
        try:
            with open(f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "w") as f:
                f.write("1")
        except OSError:
            pass

    def configure_host_device(self, host):
        """Address, MAC and link state of a host's device already inside its namespace."""
        ns, dev = host.ns, host.dev
        self.ns_sh(ns, ["sysctl", "-q", "-w", f"net.ipv6.conf.{dev}.disable_ipv6=1"], "sysctl")
        self.ns_sh(ns, ["ip", "link", "set", "dev", dev, "address", host.mac], "set MAC")
        self.ns_sh(ns, ["ip", "addr", "replace", f"{host.ip}/24", "dev", dev], "address")
        self.ns_sh(ns, ["ip", "link", "set", "dev", dev, "up"], "link up")

    def add_veth(self, root_end, ns_end, ns):
        """A veth pair: root_end in the root namespace (up, no IPv6), ns_end inside ns."""
        self.sh(["ip", "link", "add", "name", root_end, "type", "veth", "peer", "name", ns_end,
                 "netns", ns], f"creating veth {root_end}")
        self.quiet_root_device(root_end)
        self.sh(["ip", "link", "set", "dev", root_end, "up"], f"{root_end} up")

    def new_host(self, role, index, ns_dev_role):
        """A host in a new namespace; its device (named after ns_dev_role) is made later."""
        ns = self.add_namespace(role)
        host = Host(role, ns, self.dev(ns_dev_role), f"{SUBNET}.{index}", self.mac(index))
        self.hosts[role] = host
        return host

    def add_veth_host(self, role, index):
        """A host in its own namespace on a veth pair; returns it with .port = the switch side."""
        host = self.new_host(role, index, f"{role}n")
        host.port = self.dev(f"{role}s")
        self.add_veth(host.port, host.dev, host.ns)
        self.configure_host_device(host)
        return host

    def recreate_veth(self, host):
        self.add_veth(host.port, host.dev, host.ns)
        self.configure_host_device(host)

    def move_into(self, host, device):
        """Moves a root-namespace device (e.g. a TAP the switch made) into the host's namespace
        and gives it the host's address."""
        self.sh(["ip", "link", "set", "dev", device, "netns", host.ns], f"moving {device}")
        self.configure_host_device(host)

    def cleanup(self):
        # Deleting a namespace destroys the devices in it and so the peers of its veths.
        for ns in reversed(self.namespaces):
            run(["ip", "netns", "del", ns], timeout=30)
        self.namespaces = []
        for name in self.devices:
            if device_exists(name):
                run(["ip", "link", "del", "dev", name], timeout=30)


# ---------------------------------------------------------------------------------------
# Daemon and tools
# ---------------------------------------------------------------------------------------
class Switch:
    """One vswitchd process (started by us, stopped by PID) and the CLI tools around it."""

    def __init__(self, args, workdir, ns=None):
        self.ns = ns  # network namespace vswitchd runs in; None: this script's own
        self.vswitchd = args.vswitchd
        self.vsctl_path = args.vsctl
        self.vsappctl_path = args.vsappctl
        self.db = os.path.join(workdir, "conf.db")
        self.rundir = os.path.join(workdir, "run")
        self.pidfile = os.path.join(self.rundir, "vswitchd.pid")
        self.log = os.path.join(workdir, "vswitchd.log")
        self.proc = None
        self.env = dict(os.environ, VSWITCH_DB=self.db, VSWITCH_RUNDIR=self.rundir)

    def start(self):
        """Starts vswitchd in the foreground (so that its PID is ours) and waits until its
        control socket answers."""
        # `ip netns exec` execs vswitchd, so the PID is still the daemon's.
        prefix = ["ip", "netns", "exec", self.ns] if self.ns else []
        logf = open(self.log, "a")
        try:
            self.proc = subprocess.Popen(
                prefix + [self.vswitchd, f"--db={self.db}", f"--rundir={self.rundir}",
                 f"--pidfile={self.pidfile}", f"--log-file={self.log}"],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, env=self.env)
        finally:
            logf.close()
        ok = poll(lambda: self.proc.poll() is not None or self.appctl("version", timeout=5)[0] == 0)
        if self.proc.poll() is not None:
            raise RuntimeError(f"vswitchd exited at start with status {self.proc.returncode}; "
                               f"log: {self.log_tail(10)}")
        if not ok:
            raise RuntimeError("vswitchd did not answer `vsappctl version` within "
                               f"{POLL_TIMEOUT}s")
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout=POLL_TIMEOUT):
        """Returns the exit status, or None if it is still running after timeout."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM, then SIGKILL, to the process we started."""
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        if self.wait_exit(10) is None:
            self.signal(signal.SIGKILL)
            self.wait_exit(10)

    def vsctl(self, *args, timeout=CMD_TIMEOUT):
        return run([self.vsctl_path, f"--db={self.db}", "--timeout=10"] + list(args),
                   timeout=timeout, env=self.env)

    def appctl(self, *args, timeout=CMD_TIMEOUT):
        return run([self.vsappctl_path, f"--rundir={self.rundir}", "--timeout=10"] + list(args),
                   timeout=timeout, env=self.env)

    def get(self, table, record, column):
        """vsctl get, with OVSDB string quoting removed; None on error."""
        status, out, _ = self.vsctl("--no-wait", "get", table, record, column)
        if status != 0:
            return None
        value = out.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return value

    def state(self, iface):
        return self.get("Interface", iface, "status:state")

    def ofport(self, iface):
        value = self.get("Interface", iface, "ofport")
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def wait_state(self, iface, state, timeout=POLL_TIMEOUT):
        return poll(lambda: self.state(iface) == state, timeout)

    def dpif_ports(self):
        """{port name: {"ofport", "rx", "tx", ...}} from dpif/show (attached ports only)."""
        status, out, _ = self.appctl("dpif/show")
        ports = {}
        if status != 0:
            return ports
        pattern = re.compile(r"^\s+(\S+) (\d+)/(\d+): \((\S+)\) rx:(\d+) pkts (\d+) bytes "
                             r"(\d+) dropped, tx:(\d+) pkts (\d+) bytes")
        for line in out.splitlines():
            m = pattern.match(line)
            if m:
                ports[m.group(1)] = {"ofport": int(m.group(2)), "type": m.group(4),
                                     "rx": int(m.group(5)), "tx": int(m.group(8))}
        return ports

    def fdb(self, bridge):
        """[(port, vlan, mac)] from fdb/show, or None if the command failed."""
        status, out, _ = self.appctl("fdb/show", bridge)
        if status != 0:
            return None
        rows = []
        for line in out.splitlines()[1:]:
            words = line.split()
            if len(words) >= 3:
                rows.append((words[0], words[1], words[2].lower()))
        return rows

    def drops(self):
        """{reason: count} from coverage/show's "Dropped frames by reason:" section."""
        status, out, _ = self.appctl("coverage/show")
        counts = {}
        if status != 0:
            return counts
        in_section = False
        for line in out.splitlines():
            if line.startswith("Dropped frames by reason"):
                in_section = True
            elif in_section:
                m = re.match(r"^\s+(\w+) (\d+)\b", line)
                if m:
                    counts[m.group(1)] = int(m.group(2))
        return counts

    def log_tail(self, lines=30):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


# ---------------------------------------------------------------------------------------
# Traffic
# ---------------------------------------------------------------------------------------
ARPING_INTERFACE_FLAG = None  # "-i" for Thomas Habets' arping, "-I" for iputils-arping


def arping_interface_flag():
    global ARPING_INTERFACE_FLAG
    if ARPING_INTERFACE_FLAG is None:
        _, out, err = run(["arping", "--help"], timeout=10)
        ARPING_INTERFACE_FLAG = "-i" if "Habets" in out + err else "-I"
    return ARPING_INTERFACE_FLAG


def ping(src, dst_ip, attempts=3, wait=2):
    """True if one of `attempts` single pings from host src to dst_ip is answered."""
    for _ in range(attempts):
        status, _, _ = run(["ip", "netns", "exec", src.ns, "ping", "-n", "-q", "-c", "1", "-W",
                            str(wait), dst_ip], timeout=wait + 10)
        if status == 0:
            return True
    return False


def ping_until(src, dst_ip, timeout=15):
    """Pings once a second until answered; for paths that are still coming up."""
    return poll(lambda: ping(src, dst_ip, attempts=1, wait=1), timeout, interval=0)


def pings_in_parallel(pairs, wait=2):
    """{(src name, dst ip): answered} for single pings started all at once (used where a
    failure is expected, so that 20 timeouts cost 2 s instead of 40 s)."""
    procs = {}
    for src, dst_ip in pairs:
        procs[(src.name, dst_ip)] = subprocess.Popen(
            ["ip", "netns", "exec", src.ns, "ping", "-n", "-q", "-c", "1", "-W", str(wait), dst_ip],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    for key, p in procs.items():
        try:
            results[key] = p.wait(timeout=wait + 20) == 0
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            results[key] = False
    return results


def arping(src, dst_ip, attempts=3):
    """(answered, last output) for `arping -c 1 -w 2` from host src's device."""
    out = err = ""
    for _ in range(attempts):
        status, out, err = run(["ip", "netns", "exec", src.ns, "arping", "-c", "1", "-w", "2",
                                arping_interface_flag(), src.dev, dst_ip], timeout=20)
        if status == 0:
            return True, out + err
    return False, out + err


def flood_ping(src, dst_ip, count):
    """`count` pings at a 10 ms interval; returns (exit status, output)."""
    status, out, err = run(["ip", "netns", "exec", src.ns, "ping", "-n", "-q", "-c", str(count),
                            "-i", "0.01", "-W", "2", dst_ip], timeout=count + 30)
    return status, out + err


SEND_FRAMES = r"""
import socket, sys
dev, count, hexframe = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
sent = 0
for _ in range(count):
    try:
        s.send(bytes.fromhex(hexframe))
        sent += 1
    except OSError as e:
        print(f"error {e.errno} {e.strerror}")
        break
print(f"sent {sent}")
"""


def send_raw_frames(host, frame, count):
    """Sends `frame` `count` times from host's device through AF_PACKET inside its namespace.
    Returns (frames sent, output)."""
    status, out, err = run(["ip", "netns", "exec", host.ns, sys.executable, "-c", SEND_FRAMES,
                            host.dev, str(count), frame.hex()], timeout=30)
    m = re.search(r"sent (\d+)", out)
    return (int(m.group(1)) if m else 0), (out + err).strip()


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


# ---------------------------------------------------------------------------------------
# Shared state between cases
# ---------------------------------------------------------------------------------------
class Lab:
    def __init__(self, topo, switch, res):
        self.topo = topo
        self.sw = switch
        self.res = res
        self.bridge_a = topo.dev("ba")
        self.bridge_b = topo.dev("bb")
        self.tap = None  # h4's TAP port name
        self.a_hosts = []  # h1..h5 on bridge A
        self.b_hosts = []  # g1, g2 on bridge B

    def host(self, role):
        return self.topo.hosts[role]

    def vsctl_ok(self, name, *args):
        status, out, err = self.sw.vsctl(*args)
        return self.res.check(status == 0, name, fmt(status, out, err)), out

    def add_bridge(self, bridge):
        ok, _ = self.vsctl_ok(f"add-br {bridge}", "add-br", bridge)
        self.topo.quiet_root_device(bridge)  # the switch made it: no IPv6 noise from it
        return ok

    def bridge_with_hosts(self, bridge, first_index, roles=("h1", "h2", "h3")):
        """A new bridge with one veth host per role on OpenFlow ports 1, 2, ... (addresses from
        first_index on), attached and passing a first ping; {role: host}, or None on failure."""
        if not self.add_bridge(bridge):
            return None
        hosts = {}
        for i, role in enumerate(roles, start=1):
            host = self.topo.add_veth_host(role, first_index + i)
            hosts[role] = host
            ok, _ = self.vsctl_ok(f"build: add-port {host.port}", "add-port", bridge, host.port,
                                  "--", "set", "Interface", host.port, f"ofport_request={i}")
            if not ok:
                return None
        self.wait_attached([h.port for h in hosts.values()], "build")
        first, second = list(hosts.values())[:2]
        if not self.res.check(ping_until(first, second.ip),
                              f"build: {first.name} pings {second.name} through NORMAL"):
            return None
        return hosts

    def wait_attached(self, ifaces, case):
        for iface in ifaces:
            ok = self.sw.wait_state(iface, "attached")
            self.res.check(ok, f"{case}: {iface} status:state=attached",
                           f"state={self.sw.state(iface)!r} "
                           f"error={self.sw.get('Interface', iface, 'error')!r}")

    def stats_barrier(self, host, peer):
        """Waits until dpif/show's counters include everything sent so far: pings from host to
        peer once and polls until host's switch-side rx counter moves. Works whether the
        counters are live or only refreshed with Interface.statistics (every 5 s). Returns the
        fresh dpif/show ports, or None."""
        before = self.sw.dpif_ports().get(host.port, {}).get("rx")
        if before is None or not ping(host, peer.ip):
            return None
        def moved():
            ports = self.sw.dpif_ports()
            rx = ports.get(host.port, {}).get("rx")
            return ports if rx is not None and rx > before else None
        return poll(moved, STATS_TIMEOUT, interval=0.5)


# ---------------------------------------------------------------------------------------
# 1. One bridge, five kinds of hosts
# ---------------------------------------------------------------------------------------
def case_single_bridge(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 1"
    if not lab.add_bridge(lab.bridge_a):
        raise RuntimeError("cannot create the first bridge")

    # h1..h3: veth pairs, switch side added as a system port.
    for i in (1, 2, 3):
        host = topo.add_veth_host(f"h{i}", i)
        lab.vsctl_ok(f"{case}: add-port {host.port} (veth of h{i})", "add-port", lab.bridge_a,
                     host.port)
        lab.a_hosts.append(host)

    # h4: a TAP the switch creates, then handed to the host's namespace as a hypervisor would.
    h4 = topo.new_host("h4", 4, "t4")
    lab.tap = h4.port = h4.dev
    ok, _ = lab.vsctl_ok(f"{case}: add-port {h4.port} type=tap", "add-port", lab.bridge_a, h4.port,
                         "--", "set", "Interface", h4.port, "type=tap")
    if ok and res.check(poll(lambda: device_exists(h4.port)), f"{case}: the switch created TAP "
                        f"{h4.port}", "device not in the root namespace"):
        topo.quiet_root_device(h4.port)
        topo.move_into(h4, h4.port)
    lab.a_hosts.append(h4)

    # h5: behind a macvtap the switch creates on the lower end of a veth pair whose peer is
    # h5's interface; passthru so that the macvtap receives every unicast destination.
    h5 = topo.new_host("h5", 5, "h5n")
    lower = topo.dev("h5l")
    topo.add_veth(lower, h5.dev, h5.ns)
    topo.configure_host_device(h5)
    h5.port = topo.dev("m5")
    ok, _ = lab.vsctl_ok(f"{case}: add-port {h5.port} type=macvtap on {lower}", "add-port",
                         lab.bridge_a, h5.port, "--", "set", "Interface", h5.port, "type=macvtap",
                         f"options:lower={lower}", "options:mode=passthru")
    topo.quiet_root_device(h5.port)
    lab.a_hosts.append(h5)

    lab.wait_attached([h.port for h in lab.a_hosts], case)
    for h in lab.a_hosts:
        port = sw.ofport(h.port)
        res.check(port is not None and 1 <= port < 65279, f"{case}: {h.port} has an ofport",
                  f"ofport={port!r}")
    res.check(sw.ofport(lab.bridge_a) == 65534, f"{case}: internal port {lab.bridge_a} has "
              "ofport 65534", f"ofport={sw.ofport(lab.bridge_a)!r}")
    # The status columns of a veth port describe its device as `ip link` sees it.
    h1 = lab.a_hosts[0]
    with open(f"/sys/class/net/{h1.port}/address") as f:
        mac = f.read().strip()
    columns = {c: sw.get("Interface", h1.port, c)
               for c in ("mac_in_use", "admin_state", "link_state", "mtu")}
    res.check(columns == {"mac_in_use": mac, "admin_state": "up", "link_state": "up",
                          "mtu": "1500"},
              f"{case}: {h1.port} mac_in_use/admin_state/link_state/mtu match the device",
              f"columns {columns}, device MAC {mac}")

    for src in lab.a_hosts:
        for dst in lab.a_hosts:
            if src is not dst:
                res.check(ping(src, dst.ip), f"{case}: ping {src.name} -> {dst.name} ({dst.ip})",
                          "no reply in 3 attempts")
    for src in lab.a_hosts:
        for dst in lab.a_hosts:
            if src is not dst:
                ok, out = arping(src, dst.ip)
                res.check(ok, f"{case}: arping {src.name} -> {dst.name}", out[-300:])


# ---------------------------------------------------------------------------------------
# 2. A second bridge is a separate segment
# ---------------------------------------------------------------------------------------
def case_second_bridge(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 2"
    if not lab.add_bridge(lab.bridge_b):
        return
    # Same subnet as bridge A on purpose: only the bridge boundary keeps them apart. g2's port is
    # OVS's type=afxdp (AF_XDP, generic XDP), the rest of the suite's veths are AF_PACKET.
    afxdp = ["type=afxdp", "options:xdp-mode=generic"]
    for i, role, settings in ((101, "g1", []), (102, "g2", afxdp)):
        host = topo.add_veth_host(role, i)
        extra = ["--", "set", "Interface", host.port, *settings] if settings else []
        lab.vsctl_ok(f"{case}: add-port {host.port} {' '.join(settings)}".rstrip(), "add-port",
                     lab.bridge_b, host.port, *extra)
        lab.b_hosts.append(host)
    lab.wait_attached([h.port for h in lab.b_hosts], case)
    g1, g2 = lab.b_hosts
    _, link, _ = run(["ip", "link", "show", "dev", g2.port])
    res.check("xdpgeneric" in link, f"{case}: {g2.port} (type=afxdp) has a generic XDP program",
              link.strip())
    res.check(ping(g1, g2.ip), f"{case}: ping g1 -> g2", "no reply in 3 attempts")
    res.check(ping(g2, g1.ip), f"{case}: ping g2 -> g1", "no reply in 3 attempts")

    pairs = [(g, h.ip) for g in lab.b_hosts for h in lab.a_hosts]
    pairs += [(h, g.ip) for h in lab.a_hosts for g in lab.b_hosts]
    answered = pings_in_parallel(pairs)
    leaks = [f"{src}->{ip}" for (src, ip), ok in answered.items() if ok]
    res.check(not leaks, f"{case}: no ping crosses between the two bridges ({len(pairs)} pairs)",
              f"answered: {leaks}")
    ok, out = arping(g1, lab.host("h1").ip, attempts=1)
    res.check(not ok, f"{case}: arping g1 -> h1 (other bridge) gets no reply", out[-300:])
    fdb_a = sw.fdb(lab.bridge_a) or []
    strays = [row for row in fdb_a if row[2] in (g1.mac, g2.mac)]
    res.check(not strays, f"{case}: bridge A never learned a MAC of bridge B", f"rows {strays}")


# ---------------------------------------------------------------------------------------
# 3. MAC learning, MAC move, aging, flush
# ---------------------------------------------------------------------------------------
def case_learning(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 3"
    h1, h2, h3 = (lab.host(r) for r in ("h1", "h2", "h3"))

    # Learned addresses: unicast h1 -> h2 must not be flooded to h3.
    for _ in range(3):
        ping(h1, h2.ip)
        ping(h2, h1.ip)
    before = lab.stats_barrier(h1, h2)
    if not res.check(before is not None and h2.port in before and h3.port in before,
                     f"{case}: dpif/show counters refresh after traffic",
                     f"counters of {h1.port} never moved within {STATS_TIMEOUT}s; "
                     f"dpif/show ports: {sw.dpif_ports()}"):
        return
    status, out = flood_ping(h1, h2.ip, 50)
    res.check(status == 0, f"{case}: 50 pings h1 -> h2 answered", out[-300:])
    after = lab.stats_barrier(h1, h2)
    if res.check(after is not None, f"{case}: dpif/show counters refresh after the 50 pings",
                 f"dpif/show ports: {sw.dpif_ports()}"):
        h2_tx = after[h2.port]["tx"] - before[h2.port]["tx"]
        h3_tx = after[h3.port]["tx"] - before[h3.port]["tx"]
        res.check(h2_tx >= 50, f"{case}: h2's port sent >= 50 frames (sent {h2_tx})",
                  f"before {before[h2.port]} after {after[h2.port]}")
        res.check(h3_tx < 5, f"{case}: h3's port sent < 5 frames: no flooding (sent {h3_tx})",
                  f"before {before[h3.port]} after {after[h3.port]}")
        # Interface.statistics is written back every 5 s and catches up with dpif/show.
        def written():
            value = sw.get("Interface", h2.port, "statistics:tx_packets")
            return value is not None and value.isdigit() and int(value) >= after[h2.port]["tx"]
        res.check(poll(written, STATS_TIMEOUT, interval=0.5),
                  f"{case}: Interface {h2.port} statistics:tx_packets reaches dpif/show's count",
                  f"statistics={sw.get('Interface', h2.port, 'statistics')} "
                  f"dpif tx={after[h2.port]['tx']}")

    # MAC move: h3 takes h2's MAC and speaks; the entry must follow it to h3's port. h2 goes
    # quiet first, as a migrated VM's old port does: an ARP probe of its own would rightly move
    # the entry back.
    h3_port, h2_port = sw.ofport(h3.port), sw.ofport(h2.port)
    topo.ns_sh(h2.ns, ["ip", "link", "set", "dev", h2.dev, "down"], "h2 goes quiet")
    topo.ns_sh(h3.ns, ["ip", "link", "set", "dev", h3.dev, "address", h2.mac], "h3 takes h2's MAC")
    try:
        arping(h3, h1.ip)
        def moved():
            rows = [r for r in (sw.fdb(lab.bridge_a) or []) if r[2] == h2.mac]
            return rows if rows and all(r[0] == str(h3_port) for r in rows) else None
        rows = poll(moved)
        res.check(rows is not None,
                  f"{case}: MAC move: {h2.mac} is on h3's port {h3_port}, not h2's {h2_port}",
                  f"fdb rows for it: {[r for r in (sw.fdb(lab.bridge_a) or []) if r[2] == h2.mac]}")
    finally:
        topo.ns_sh(h3.ns, ["ip", "link", "set", "dev", h3.dev, "address", h3.mac], "h3's MAC back")
        topo.ns_sh(h2.ns, ["ip", "link", "set", "dev", h2.dev, "up"], "h2 back up")
        for h in lab.a_hosts:  # forget the ARP answers h3 gave with h2's MAC
            run(["ip", "-n", h.ns, "neigh", "flush", "all"], timeout=10)
        sw.appctl("fdb/flush", lab.bridge_a)

    # Aging: with mac-aging-time=15, h1's entry disappears once h1 is silent.
    ok, _ = lab.vsctl_ok(f"{case}: set mac-aging-time=15", "set", "Bridge", lab.bridge_a,
                         "other_config:mac-aging-time=15")
    ping(h1, h2.ip)
    learned = poll(lambda: any(r[2] == h1.mac for r in sw.fdb(lab.bridge_a) or []))
    res.check(learned, f"{case}: h1's MAC {h1.mac} is learned after traffic",
              f"fdb: {sw.fdb(lab.bridge_a)}")
    if learned:
        start = time.monotonic()
        gone = poll(lambda: not any(r[2] == h1.mac for r in sw.fdb(lab.bridge_a) or []),
                    AGING_TIMEOUT, interval=1)
        res.check(gone, f"{case}: h1's MAC ages out (mac-aging-time=15) within {AGING_TIMEOUT}s",
                  f"still there: {[r for r in sw.fdb(lab.bridge_a) or [] if r[2] == h1.mac]}")
        if gone:
            res.note(f"{case}: h1's entry aged out {time.monotonic() - start:.0f}s after traffic")
    lab.vsctl_ok(f"{case}: remove mac-aging-time", "remove", "Bridge", lab.bridge_a,
                 "other_config", "mac-aging-time")

    # fdb/flush empties the table.
    ping(h1, h2.ip)
    res.check(poll(lambda: len(sw.fdb(lab.bridge_a) or []) > 0), f"{case}: fdb/show has entries",
              f"fdb: {sw.fdb(lab.bridge_a)}")
    status, out, err = sw.appctl("fdb/flush", lab.bridge_a)
    res.check(status == 0, f"{case}: fdb/flush exits 0", fmt(status, out, err))
    rows = sw.fdb(lab.bridge_a)
    res.check(rows == [], f"{case}: fdb/show is empty after fdb/flush", f"rows: {rows}")


# ---------------------------------------------------------------------------------------
# 4. Hotplug
# ---------------------------------------------------------------------------------------
def case_hotplug(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 4"
    h1 = lab.host("h1")
    port = topo.dev("h6s")
    ok, _ = lab.vsctl_ok(f"{case}: add-port of a device that does not exist yet", "add-port",
                         lab.bridge_a, port)
    if not ok:
        return
    state = sw.state(port)
    res.check(state == "pending", f"{case}: status:state=pending before the device exists",
              f"state={state!r}")
    error = sw.get("Interface", port, "error") or ""
    res.check(port in error, f"{case}: Interface error names the missing device",
              f"error={error!r}")
    res.check(sw.ofport(port) == -1, f"{case}: ofport=-1 while pending",
              f"ofport={sw.ofport(port)}")
    # An AF_XDP port (type=afxdp) waits for its device the same way.
    xport = topo.dev("h7s")
    if lab.vsctl_ok(f"{case}: add-port type=afxdp of a device that does not exist yet",
                    "add-port", lab.bridge_a, xport, "--", "set", "Interface", xport,
                    "type=afxdp")[0]:
        state = sw.state(xport)
        res.check(state == "pending", f"{case}: type=afxdp port is pending, not an error",
                  f"state={state!r} error={sw.get('Interface', xport, 'error')!r}")
        lab.vsctl_ok(f"{case}: del-port {xport}", "del-port", xport)

    # The device appears: no vsctl command from here on.
    h6 = topo.new_host("h6", 6, "h6n")
    h6.port = port
    topo.recreate_veth(h6)
    res.check(sw.wait_state(port, "attached"), f"{case}: attached once the device appears",
              f"state={sw.state(port)!r} error={sw.get('Interface', port, 'error')!r}")
    res.check(ping_until(h6, h1.ip), f"{case}: ping h6 -> h1 after hotplug", "no reply")

    topo.sh(["ip", "link", "del", "dev", port], "deleting the device")
    res.check(sw.wait_state(port, "missing"), f"{case}: status:state=missing after ip link del",
              f"state={sw.state(port)!r}")
    res.check(sw.ofport(port) == -1, f"{case}: ofport=-1 while missing",
              f"ofport={sw.ofport(port)}")

    topo.recreate_veth(h6)
    res.check(sw.wait_state(port, "attached"), f"{case}: attached again when the device returns",
              f"state={sw.state(port)!r} error={sw.get('Interface', port, 'error')!r}")
    res.check(ping_until(h6, h1.ip), f"{case}: ping h6 -> h1 after re-creation", "no reply")
    res.check(ping(h1, h6.ip), f"{case}: ping h1 -> h6 after re-creation", "no reply")


# ---------------------------------------------------------------------------------------
# 5. Restart after kill -9
# ---------------------------------------------------------------------------------------
def case_restart(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 5"
    h1, h2, h4, h5 = (lab.host(r) for r in ("h1", "h2", "h4", "h5"))
    ofports = {h.port: sw.ofport(h.port) for h in lab.a_hosts}
    old_pid = sw.proc.pid
    sw.signal(signal.SIGKILL)
    res.check(sw.wait_exit() is not None, f"{case}: kill -9 ends vswitchd (pid {old_pid})")
    new_pid = sw.start()
    res.note(f"{case}: vswitchd restarted as pid {new_pid} on the same database and run dir")

    # No vsctl command: the veth hosts must forward again by themselves.
    res.check(ping_until(h1, h2.ip), f"{case}: ping h1 -> h2 after restart", "no reply in 15 s")
    res.check(ping_until(h2, h1.ip), f"{case}: ping h2 -> h1 after restart", "no reply in 15 s")
    res.check(ping_until(h5, h1.ip), f"{case}: ping h5 (macvtap) -> h1 after restart",
              "no reply in 15 s")

    # The TAP died with the old process (its last descriptor closed); the new vswitchd makes a
    # new one in the root namespace. Like a hypervisor re-plugging a VM, we move it into h4's
    # namespace again and give it the address back: that is not a vsctl command.
    appeared = poll(lambda: device_exists(h4.port))
    if res.check(appeared, f"{case}: the new vswitchd re-created TAP {h4.port}",
                 "not in the root namespace"):
        topo.quiet_root_device(h4.port)
        topo.move_into(h4, h4.port)
        res.check(ping_until(h4, h1.ip), f"{case}: ping h4 (TAP) -> h1 after restart", "no reply")
        res.check(ping(h1, h4.ip), f"{case}: ping h1 -> h4 (TAP) after restart", "no reply")
    for h in lab.a_hosts:
        res.check(sw.state(h.port) == "attached", f"{case}: {h.port} attached after restart",
                  f"state={sw.state(h.port)!r} error={sw.get('Interface', h.port, 'error')!r}")
    # Controllers' flows name ports by number: a restart must not renumber them.
    after = {h.port: sw.ofport(h.port) for h in lab.a_hosts}
    res.check(after == ofports, f"{case}: every ofport is the same after restart",
              f"before {ofports} after {after}")


# ---------------------------------------------------------------------------------------
# 6. vsctl waits until the change is applied
# ---------------------------------------------------------------------------------------
def case_vsctl_waits(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 6"
    ns = topo.add_namespace("c6")
    veth = topo.dev("c6s")
    topo.add_veth(veth, topo.dev("c6n"), ns)
    status, out, err = sw.vsctl("add-port", lab.bridge_a, veth)
    if res.check(status == 0, f"{case}: add-port {veth} exits 0", fmt(status, out, err)):
        port = sw.ofport(veth)  # no sleep: vsctl returned only once cur_cfg caught up
        res.check(port is not None and port > 0, f"{case}: ofport of {veth} is set at once",
                  f"ofport={port!r} state={sw.state(veth)!r}")
    tap = topo.dev("c6t")
    status, out, err = sw.vsctl("add-port", lab.bridge_a, tap, "--", "set", "Interface", tap,
                                "type=tap")
    if res.check(status == 0, f"{case}: add-port {tap} type=tap exits 0", fmt(status, out, err)):
        port = sw.ofport(tap)
        res.check(port is not None and port > 0, f"{case}: ofport of TAP {tap} is set at once",
                  f"ofport={port!r} state={sw.state(tap)!r}")
        res.check(device_exists(tap), f"{case}: TAP {tap} exists at once")
    for name in (veth, tap):
        sw.vsctl("del-port", lab.bridge_a, name)

    # Columns stored but not enforced yet are named in the row's status, and the note goes
    # away with the setting.
    port = topo.dev("c6v")
    sw.vsctl("add-port", lab.bridge_a, port, "--", "set", "Port", port, "qos=@q", "--", "--id=@q",
             "create", "QoS", "type=linux-htb", "--", "set", "Interface", port,
             "ingress_policing_rate=1000", "--", "set", "Bridge", lab.bridge_a, "stp_enable=true")
    for table, record, want in (("Port", port, "qos"), ("Interface", port, "ingress_policing_rate"),
                                ("Bridge", lab.bridge_a, "stp_enable")):
        status = sw.get(table, record, "status")
        res.check(f'not_enforced={want}' in (status or "").replace('"', ""),
                  f"{case}: {table} {record} status says {want} is not enforced", repr(status))
    sw.vsctl("del-port", lab.bridge_a, port, "--", "set", "Bridge", lab.bridge_a,
             "stp_enable=false")
    status = sw.get("Bridge", lab.bridge_a, "status")
    res.check("not_enforced" not in (status or ""), f"{case}: the note goes with the setting",
              repr(status))


# ---------------------------------------------------------------------------------------
# 7. Malformed frames
# ---------------------------------------------------------------------------------------
def case_malformed(lab):
    res, sw = lab.res, lab.sw
    case = "case 7"
    h1, h2 = lab.host("h1"), lab.host("h2")
    eth = mac_bytes(h2.mac) + mac_bytes(h1.mac)
    # (reason the parser gives, per lib/flow_key.h and lib/drop_reason.h; frame)
    frames = [
        ("truncated_ethernet", eth[:10]),  # 10 bytes: not even an Ethernet header
        ("truncated_ipv4", eth + b"\x08\x00" + bytes.fromhex("4500001c00000000")),  # 8 of 20
        # A whole 20-byte header whose total length (100) names bytes the frame lacks.
        ("bad_ipv4_length",
         eth + b"\x08\x00" + bytes.fromhex("45000064000000004001000000000000" "00000000")),
    ]
    # Not here: a VLAN tag cut short. The kernel drops such a frame in skb_vlan_untag() before
    # any AF_PACKET socket sees it, so truncated_vlan cannot be provoked from a veth.
    before = sw.drops()
    if not res.check(bool(before), f"{case}: coverage/show lists drop reasons",
                     "no 'Dropped frames by reason' section"):
        return
    expected = {}
    for reason, frame in frames:
        sent, out = send_raw_frames(h1, frame, 10)
        if reason == "truncated_ethernet" and sent == 0 and "error 22" in out:
            res.skip(f"{case}: 10 runt frames of {len(frame)} bytes -> {reason}",
                     "the kernel refuses to transmit a frame shorter than the 14-byte Ethernet "
                     "header on a veth (AF_PACKET send: EINVAL, dev_validate_header), so no runt "
                     "can reach the switch from a namespace")
            continue
        if res.check(sent == 10, f"{case}: sent 10 frames of {len(frame)} bytes for {reason}", out):
            expected[reason] = before.get(reason, 0) + 10
    if not expected:
        return
    poll(lambda: all(sw.drops().get(r, 0) >= n for r, n in expected.items()))
    after = sw.drops()
    for reason, n in expected.items():
        res.check(after.get(reason, 0) == n,
                  f"{case}: coverage/show {reason} rose by 10",
                  f"before {before.get(reason)} after {after.get(reason)}; all after: {after}")
    status, out, err = sw.appctl("version")
    res.check(status == 0 and sw.alive(), f"{case}: vswitchd still answers", fmt(status, out, err))
    res.check(ping(h1, h2.ip), f"{case}: ping h1 -> h2 still works", "no reply")


# ---------------------------------------------------------------------------------------
# 8. Control: vlog/set, exit, no daemon, SIGTERM
# ---------------------------------------------------------------------------------------
def case_control(lab):
    res, sw, topo = lab.res, lab.sw, lab.topo
    case = "case 8"
    status, out, err = sw.appctl("vlog/set", "bridge:loud")
    res.check(status == 2 and "loud" in err, f"{case}: vlog/set bridge:loud exits 2 naming the "
              "bad level", fmt(status, out, err))
    status, out, err = sw.appctl("vlog/set", "bridge:dbg")
    res.check(status == 0, f"{case}: vlog/set bridge:dbg exits 0", fmt(status, out, err))
    status, out, err = sw.appctl("vlog/list")
    res.check(status == 0 and re.search(r"^bridge\s+debug", out, re.M) is not None,
              f"{case}: vlog/list shows bridge at debug", fmt(status, out, err))

    pid = sw.proc.pid
    status, out, err = sw.appctl("exit")
    res.check(status == 0, f"{case}: vsappctl exit exits 0", fmt(status, out, err))
    code = sw.wait_exit()
    res.check(code is not None, f"{case}: vswitchd (pid {pid}) ends after vsappctl exit",
              "still running")
    res.check(code == 0, f"{case}: vswitchd exits with status 0 after vsappctl exit",
              f"status {code}")
    if code is None:
        sw.stop()
    bridge_x = topo.dev("x")
    status, out, err = sw.vsctl("add-br", bridge_x)
    res.check(status == 0 and ("no vswitchd is serving" in err or "not running" in err),
              f"{case}: with no daemon, vsctl add-br exits 0 and says no vswitchd is serving",
              fmt(status, out, err))

    # A fresh daemon on the same database: it makes the bridges' internal devices, including
    # the one committed while no daemon ran; SIGTERM must remove them and the pid file.
    pid = sw.start()
    internal = [lab.bridge_a, lab.bridge_b, bridge_x]
    res.check(poll(lambda: all(device_exists(b) for b in internal)),
              f"{case}: fresh vswitchd (pid {pid}) created the internal devices {internal}",
              f"missing {[b for b in internal if not device_exists(b)]}")
    for b in internal:
        topo.quiet_root_device(b)
    pid_text = open(sw.pidfile).read().strip() if os.path.exists(sw.pidfile) else None
    res.check(pid_text == str(pid), f"{case}: pid file holds the daemon's pid", f"{pid_text!r}")
    sw.signal(signal.SIGTERM)
    code = sw.wait_exit()
    res.check(code is not None, f"{case}: SIGTERM ends vswitchd (pid {pid})", "still running")
    if code is None:
        sw.stop()
    res.check(not os.path.exists(sw.pidfile), f"{case}: pid file removed after SIGTERM",
              sw.pidfile)
    gone = poll(lambda: not any(device_exists(b) for b in internal), 5)
    res.check(gone, f"{case}: the bridges' internal devices are gone after SIGTERM",
              f"still there: {[b for b in internal if device_exists(b)]}")


# ---------------------------------------------------------------------------------------
CASES = (case_single_bridge, case_second_bridge, case_learning, case_hotplug, case_restart,
         case_vsctl_waits, case_malformed, case_control)


def parse_binaries(description, tools=("ip", "ping", "arping"),
                   needs="network namespaces, veth, TAP, macvtap"):
    """The --vswitchd/--vsctl/--vsappctl arguments (absolute paths), once they are executable,
    we are root (for `needs`) and `tools` are installed; else None, with why and a failed
    summary printed."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("--vswitchd", required=True)
    parser.add_argument("--vsctl", required=True)
    parser.add_argument("--vsappctl", required=True)
    args = parser.parse_args()
    problem = None
    for name in ("vswitchd", "vsctl", "vsappctl"):
        path = os.path.abspath(getattr(args, name))
        setattr(args, name, path)
        if not problem and not os.access(path, os.X_OK):
            problem = f"{name} not executable: {path}"
    if not problem and os.geteuid() != 0:
        problem = f"{os.path.basename(sys.argv[0])} needs root ({needs})"
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not problem and missing:
        problem = f"{', '.join(missing)} not found (packages: iproute2, iputils-ping, arping)"
    if problem:
        print(problem, file=sys.stderr)
        print("0 passed, 1 failed")
        return None
    return args


def main(cases=CASES, description=__doc__):
    """Runs `cases` (functions of a Lab) against one private vswitchd, with the set-up, the
    clean-up and the PASS/FAIL summary every netns test shares."""
    args = parse_binaries(description)
    if args is None:
        return 1

    started = time.monotonic()
    res = Results()
    workdir = tempfile.mkdtemp(prefix="vswitch-netns-")
    topo = Topology(str(os.getpid()))
    switch = Switch(args, workdir)
    done = []

    def cleanup():
        if done:
            return
        done.append(True)
        switch.stop()
        topo.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally below

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    try:
        res.note(f"run tag {topo.tag}, work directory {workdir}")
        try:
            switch.start()
        except RuntimeError as e:
            res.check(False, "vswitchd starts and answers vsappctl", str(e))
        lab = Lab(topo, switch, res)
        for case in cases if switch.alive() else ():
            try:
                case(lab)
            except Exception as e:  # a crash in one case is a failure, not an abort
                res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")
                # Later cases need a daemon (the last one, control, stops it on purpose).
                if not switch.alive() and case is not cases[-1]:
                    try:
                        switch.start()
                    except Exception as e2:
                        res.check(False, "restarting vswitchd after a failed case", str(e2))
        if res.failed:
            res.note("vswitchd log (last 40 lines):\n" + switch.log_tail(40))
    finally:
        cleanup()
        # A deleted namespace takes its devices (and their veth peers) with it a moment later.
        poll(lambda: not any(device_exists(d) for d in topo.devices))
        leftovers = [d for d in topo.devices if device_exists(d)]
        status, out, _ = run(["ip", "netns", "list"], timeout=10)
        leftover_ns = [l.split()[0] for l in out.splitlines() if f"vsnt{topo.tag}" in l]
        res.check(not leftovers and not leftover_ns, "clean-up: no namespace or device left",
                  f"devices {leftovers} namespaces {leftover_ns}")

    print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped "
          f"({time.monotonic() - started:.0f}s)")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
