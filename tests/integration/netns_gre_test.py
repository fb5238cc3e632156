#!/usr/bin/env python3
"""GRE tunnels between two vswitchds, proven by real traffic between network namespaces.

Run as root: python3 netns_gre_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH

Topology: namespaces hA and hB are two hosts joined by a veth underlay (198.18.0.1/24 in hA,
198.18.0.2/24 in hB), each running its own vswitchd with its own database and run directory.
VMs are namespaces on veth pairs whose other end is in their host's namespace, on a bridge of
that host's vswitchd. All VMs share 198.19.1.0/24, so only keys and VLANs keep them apart.

Cases (../../../shared/DESIGN.md, "Tunnels"):
  1. Tenants: br0 on each host with VMs t1 (tag=10) and t2 (tag=20) and GRE ports gre10
     (key=100, tag=10) and gre20 (key=200, tag=20). t1a pings t1b and t2a pings t2b; no ping
     crosses between the tenants. B's gre20 moved to key=300 cuts the t2 pair only, and B
     counts A's key-200 packets as gre_no_port; key=200 again brings t2 back.
  2. Captures on hA's underlay veth: a t1 ping is IPv4 protocol 47 between 198.18.0.1 and
     198.18.0.2, TTL 64, no DF, GRE flags K only, protocol 0x6558, key 100, and carries the
     untagged ICMP echo of the t1 VMs; a t2 ping carries key 200.
  3. VLAN across the tunnel: br1 with an access VM v30 (tag=30) and a trunk GRE port gtr
     (key=300, no tag) on each host; v30a pings v30b, the underlay shows key 300 packets whose
     inner frame has an 802.1Q tag (TPID 0x8100, VID 30) before the IPv4 header.
  4. Status: gre10's row is attached with mtu 1458 (1500 - 20 - 8 - 14) and link_state up,
     its statistics count traffic; dpif/show lists gre10 with its options and gre_sys.
  5. Large frames: ping -s 3000 crosses (the outer packets are fragmented on the underlay and
     reassembled by the far host); ping -M do -s 1430 crosses in 1500-byte outer packets.
  6. Malformed GRE sent to hA with a raw socket from hB: bad version, routing bit, protocol
     0x0800, 2-byte header, wrong checksum, unknown key; each is counted under its reason in
     coverage/show, vswitchd keeps serving and t1 still pings.
  7. OpenFlow: ovs-ofctl flows on br0 match tun_id (a tun_id=100 flow counts t1 traffic, a
     tun_id=200 drop flow cuts t2 only); br2 with a key=flow port gfl on each host, flows set
     tun_id 400 and match it, and the underlay shows key 400. A's gfl has remote_ip=flow too:
     its flow sets tun_dst to B's address, its receive flow matches tun_src.
  8. del-port gre10 on A cuts t1 (t2 still works); adding it back restores t1.
  9. Restart: kill -9 of B's vswitchd and a new start on the same database: t1 and t2 ping
     again with no vsctl command.

Same rules as netns_forwarding_test.py, whose topology, daemon and helpers this reuses: traffic
only between namespaces and devices this run creates, addresses from 198.18.0.0/15, names that
carry this run's pid, everything removed at the end (also on failure, exception or SIGTERM),
databases and run directories in a tempfile.mkdtemp() directory, only our own processes
stopped, by PID. Standard library only; needs ip, ping and (for case 7) ovs-ofctl.
"""

import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time

import netns_forwarding_test as netns
import netns_vlan_test as vlan  # icmp_of, split_tag, checksum
from netns_forwarding_test import fmt, ping, ping_until, pings_in_parallel, poll, run
from results import Results

OFCTL = "ovs-ofctl"
UNDERLAY_A, UNDERLAY_B = "198.18.0.1", "198.18.0.2"
VM_SUBNET = "198.19.1"  # every VM is VM_SUBNET.N/24
STATS_TIMEOUT = netns.STATS_TIMEOUT  # Interface statistics are written every 5 s
RESTART_TIMEOUT = 20
MALFORMED_COUNT = 10
IPPROTO_GRE = 47
ETH_P_ALL = 3
PACKET_OUTGOING = 4
CLONE_NEWNET = 0x40000000
GRE_FLAG_CSUM, GRE_FLAG_ROUTING, GRE_FLAG_KEY = 0x8000, 0x4000, 0x2000
GRE_PROTO_TEB = 0x6558  # transparent Ethernet bridging: Ethernet over GRE

_libc = ctypes.CDLL(None, use_errno=True)


# ---------------------------------------------------------------------------------------
# Sockets inside a namespace, and what they see
# ---------------------------------------------------------------------------------------
def socket_in(ns, family, kind, proto=0):
    """A socket of network namespace `ns`: a short-lived thread enters it with setns(2) (which
    moves only that thread) and makes the socket, which stays in that namespace wherever it is
    used afterwards."""
    made = {}

    def enter():
        try:
            fd = os.open(f"/run/netns/{ns}", os.O_RDONLY | os.O_CLOEXEC)
            try:
                if _libc.setns(fd, CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns({ns}): {os.strerror(err)}")
            finally:
                os.close(fd)
            made["socket"] = socket.socket(family, kind, proto)
        except Exception as e:  # handed to the caller's thread
            made["error"] = e

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    if "error" in made:
        raise made["error"]
    return made["socket"]


def parse_outer(outgoing, frame):
    """An Ethernet frame carrying GRE over IPv4, as a dict of its outer fields; None for any
    other frame. A fragment has no GRE fields (it has "fragment": True)."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    if ip[0] >> 4 != 4 or ip[9] != IPPROTO_GRE:
        return None
    ihl = (ip[0] & 0xF) * 4
    total, frag = struct.unpack("!H", ip[2:4])[0], struct.unpack("!H", ip[6:8])[0]
    pkt = {"outgoing": outgoing, "src": socket.inet_ntoa(ip[12:16]),
           "dst": socket.inet_ntoa(ip[16:20]), "ttl": ip[8], "total": total,
           "df": bool(frag & 0x4000), "mf": bool(frag & 0x2000), "offset": (frag & 0x1FFF) * 8,
           "fragment": bool(frag & 0x3FFF)}
    if pkt["fragment"]:
        return pkt
    gre = ip[ihl:total]
    if len(gre) < 4:
        pkt["flags"] = None
        return pkt
    flags, proto = struct.unpack("!HH", gre[:4])
    at = 4 + (4 if flags & GRE_FLAG_CSUM else 0)
    key = None
    if flags & GRE_FLAG_KEY:
        key = struct.unpack("!I", gre[at:at + 4])[0] if len(gre) >= at + 4 else None
        at += 4
    at += 4 if flags & 0x1000 else 0  # sequence number
    pkt.update(flags=flags, proto=proto, key=key, inner=gre[at:])
    return pkt


class Capture:
    """An AF_PACKET socket on a device inside a namespace (opened before the traffic it is to
    see, so that nothing is missed), read into parse_outer() dicts."""

    def __init__(self, ns, dev):
        self.sock = socket_in(ns, socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            self.sock.bind((dev, 0))
            self.sock.settimeout(0.1)
        except Exception:
            self.sock.close()
            raise

    def read(self, seconds=1.0):
        """Every GRE frame queued so far and arriving for `seconds` more."""
        packets = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            pkt = parse_outer(addr[2] == PACKET_OUTGOING, data)
            if pkt:
                packets.append(pkt)
        return packets

    def close(self):
        self.sock.close()


def inner_icmp(pkt):
    """(tag, ICMP type, source IP, destination IP) of a GRE packet's inner frame, or None."""
    inner = pkt.get("inner")
    return vlan.icmp_of(inner) if inner and len(inner) >= 14 else None


def summary(packets, limit=6):
    """A short text of captured packets for failure messages."""
    parts = []
    for p in packets[:limit]:
        if p.get("fragment"):
            parts.append(f"{p['src']}->{p['dst']} fragment offset={p['offset']} mf={p['mf']}")
        else:
            parts.append(f"{p['src']}->{p['dst']} ttl={p['ttl']} df={p['df']} "
                         f"flags={p.get('flags') or 0:#06x} proto={p.get('proto') or 0:#06x} "
                         f"key={p.get('key')} inner={inner_icmp(p)}")
    more = f" (+{len(packets) - limit} more)" if len(packets) > limit else ""
    return "; ".join(parts) + more if parts else "no GRE packet captured"


def gre_frame(flags, proto, key=None, payload=b"", checksum=None):
    """A GRE header (RFC 2784/2890) and payload; checksum None computes the right one when
    flags has C."""
    head = struct.pack("!HH", flags, proto)
    csum_at = None
    if flags & GRE_FLAG_CSUM:
        csum_at = len(head)
        head += b"\0\0\0\0"
    if key is not None:
        head += struct.pack("!I", key)
    data = head + payload
    if csum_at is not None:
        value = vlan.checksum(data) if checksum is None else checksum
        data = data[:csum_at] + struct.pack("!H", value) + data[csum_at + 2:]
    return data


# ---------------------------------------------------------------------------------------
# The lab: two hosts, their switches, their VMs
# ---------------------------------------------------------------------------------------
class Side:
    """One host of the underlay: its namespace, address and vswitchd."""

    def __init__(self, name, ns, ip, switch, underlay_dev):
        self.name = name  # "A" or "B"
        self.ns = ns
        self.ip = ip
        self.sw = switch
        self.underlay = underlay_dev


class GreLab:
    def __init__(self, args, topo, res, workdir):
        self.args, self.topo, self.res, self.workdir = args, topo, res, workdir
        self.a = self.b = None
        self.br0, self.br1, self.br2 = topo.dev("b0"), topo.dev("b1"), topo.dev("b2")
        self.vms = {}  # role -> netns.Host, with .side set

    def sides(self):
        return [s for s in (self.a, self.b) if s is not None]

    # --- building --------------------------------------------------------------------
    def new_side(self, name, ip, underlay_dev):
        topo = self.topo
        ns = topo.add_namespace(f"h{name}")
        workdir = os.path.join(self.workdir, name)
        os.mkdir(workdir)
        return Side(name, ns, ip, netns.Switch(self.args, workdir, ns=ns), underlay_dev)

    def build_underlay(self):
        topo = self.topo
        self.a = self.new_side("A", UNDERLAY_A, topo.dev("ua"))
        self.b = self.new_side("B", UNDERLAY_B, topo.dev("ub"))
        topo.sh(["ip", "-n", self.a.ns, "link", "add", "name", self.a.underlay, "type", "veth",
                 "peer", "name", self.b.underlay, "netns", self.b.ns], "creating the underlay")
        for side in (self.a, self.b):
            topo.ns_sh(side.ns, ["ip", "addr", "add", f"{side.ip}/24", "dev", side.underlay],
                       f"underlay address of {side.name}")
            topo.ns_sh(side.ns, ["ip", "link", "set", "dev", side.underlay, "up"],
                       f"underlay of {side.name} up")
        ok = ping(netns.Host("hA", self.a.ns, self.a.underlay, UNDERLAY_A, None), UNDERLAY_B)
        return self.res.check(ok, "build: hA pings hB over the underlay", "no reply")

    def start_switches(self):
        for side in (self.a, self.b):
            try:
                pid = side.sw.start()
                self.res.note(f"vswitchd {side.name} runs in {side.ns} as pid {pid}")
            except RuntimeError as e:
                self.res.check(False, f"build: vswitchd {side.name} starts", str(e))
                return False
        return True

    def vsctl(self, side, what, *args):
        status, out, err = side.sw.vsctl(*args)
        return self.res.check(status == 0, f"{what}: {side.name}: vsctl {' '.join(args)}",
                              fmt(status, out, err))

    def add_bridge(self, side, bridge, what):
        return self.vsctl(side, what, "add-br", bridge)

    def add_vm(self, side, role, index, bridge, what, *port_args):
        """A VM in a new namespace on a veth pair whose other end is in side's namespace, added
        to `bridge` with `port_args` (e.g. tag=10); returns the VM (a netns.Host) or None."""
        topo = self.topo
        ns = topo.add_namespace(role)
        vm = netns.Host(role, ns, topo.dev(f"{role}n"), f"{VM_SUBNET}.{index}", topo.mac(index))
        vm.port = topo.dev(f"{role}s")
        vm.side = side
        topo.sh(["ip", "-n", side.ns, "link", "add", "name", vm.port, "type", "veth", "peer",
                 "name", vm.dev, "netns", ns], f"creating the veth of {role}")
        topo.ns_sh(side.ns, ["ip", "link", "set", "dev", vm.port, "up"], f"{vm.port} up")
        topo.configure_host_device(vm)
        self.vms[role] = vm
        if not self.vsctl(side, what, "add-port", bridge, vm.port, *port_args):
            return None
        return vm

    def gre_args(self, side, bridge, name, key, *port_args, options=()):
        remote = UNDERLAY_B if side is self.a else UNDERLAY_A
        return ["add-port", bridge, name, *port_args, "--", "set", "interface", name,
                "type=gre", f"options:remote_ip={remote}", f"options:key={key}", *options]

    def add_gre(self, side, bridge, name, key, what, *port_args):
        return self.vsctl(side, what, *self.gre_args(side, bridge, name, key, *port_args))

    def wait_attached(self, side, ifaces, what):
        ok = True
        for iface in ifaces:
            ok = self.res.check(side.sw.wait_state(iface, "attached"),
                                f"{what}: {side.name}: {iface} status:state=attached",
                                f"state={side.sw.state(iface)!r} "
                                f"error={side.sw.get('Interface', iface, 'error')!r}") and ok
        return ok

    def build_tenants(self):
        """br0 on both hosts: t1 (tag=10), t2 (tag=20), gre10 (key=100, tag=10), gre20
        (key=200, tag=20)."""
        what = "build"
        ok = True
        for side, suffix, offset in ((self.a, "a", 1), (self.b, "b", 2)):
            ok = self.add_bridge(side, self.br0, what) and ok
            ok = bool(self.add_vm(side, f"t1{suffix}", 10 + offset, self.br0, what,
                                  "tag=10")) and ok
            ok = bool(self.add_vm(side, f"t2{suffix}", 20 + offset, self.br0, what,
                                  "tag=20")) and ok
            ok = self.add_gre(side, self.br0, "gre10", 100, what, "tag=10") and ok
            ok = self.add_gre(side, self.br0, "gre20", 200, what, "tag=20") and ok
            ok = self.wait_attached(side, [self.vms[f"t1{suffix}"].port,
                                           self.vms[f"t2{suffix}"].port, "gre10", "gre20"],
                                    what) and ok
        return ok

    # --- traffic -----------------------------------------------------------------------
    def vm(self, role):
        return self.vms[role]

    def reaches(self, src, dst, what, timeout=15):
        s, d = self.vm(src), self.vm(dst)
        return self.res.check(ping_until(s, d.ip, timeout), f"{what}: {src} pings {dst}",
                              f"no reply within {timeout}s")

    def isolated(self, pairs, what):
        answered = pings_in_parallel([(self.vm(s), self.vm(d).ip) for s, d in pairs])
        ok = True
        for s, d in pairs:
            ok = self.res.check(not answered[(s, self.vm(d).ip)],
                                f"{what}: {s} cannot reach {d}", "ping answered") and ok
        return ok

    def captured_ping(self, src, dst, extra=(), attempts=3):
        """Pings dst from src (up to `attempts` single pings, ping options `extra`) while
        capturing on hA's underlay veth; (answered, [GRE packets])."""
        s, d = self.vm(src), self.vm(dst)
        cap = Capture(self.a.ns, self.a.underlay)
        try:
            answered = False
            for _ in range(attempts):
                status, _, _ = run(["ip", "netns", "exec", s.ns, "ping", "-n", "-q", "-c", "1",
                                    "-W", "2", *extra, d.ip], timeout=30)
                if status == 0:
                    answered = True
                    break
            return answered, cap.read(1.0)
        finally:
            cap.close()

    def ofctl(self, side, bridge, *args):
        """ovs-ofctl -O OpenFlow13 [--options] COMMAND unix:RUNDIR/BRIDGE.mgmt [ARGS]."""
        options = [a for a in args if a.startswith("--")]
        command, *rest = [a for a in args if not a.startswith("--")]
        target = f"unix:{side.sw.rundir}/{bridge}.mgmt"
        return run([OFCTL, "-O", "OpenFlow13"] + options + [command, target] + rest, timeout=30)

    def ofctl_ok(self, side, bridge, what, *args):
        status, out, err = self.ofctl(side, bridge, *args)
        self.res.check(status == 0, f"{what}: {side.name}: ovs-ofctl {' '.join(args)}",
                       fmt(status, out, err))
        return out


def echo_packets(packets, src, dst, icmp_type, outgoing):
    """The captured non-fragment GRE packets whose inner frame is an ICMP `icmp_type` from VM
    src to VM dst, sent (outgoing) or received by hA."""
    found = []
    for p in packets:
        if p.get("fragment") or p["outgoing"] != outgoing:
            continue
        icmp = inner_icmp(p)
        if icmp and icmp[1] == icmp_type and icmp[2] == src.ip and icmp[3] == dst.ip:
            found.append(p)
    return found


# ---------------------------------------------------------------------------------------
# 1. Tenants separated by keys and VLANs
# ---------------------------------------------------------------------------------------
def case_tenants(lab):
    what = "case 1"
    res, b = lab.res, lab.b
    for src, dst in (("t1a", "t1b"), ("t1b", "t1a"), ("t2a", "t2b"), ("t2b", "t2a")):
        lab.reaches(src, dst, what)
    lab.isolated([("t1a", "t2b"), ("t2a", "t1b"), ("t1b", "t2a"), ("t2b", "t1a"),
                  ("t1a", "t2a"), ("t1b", "t2b")], what)

    # The key is what joins the t2 pair: B's gre20 on another key cuts it.
    before = b.sw.drops().get("gre_no_port")
    if not res.check(before is not None, f"{what}: B's coverage/show lists gre_no_port",
                     repr(b.sw.drops())):
        before = 0
    if lab.vsctl(b, what, "set", "interface", "gre20", "options:key=300"):
        lab.wait_attached(b, ["gre20"], f"{what}: key=300")
        lab.isolated([("t2a", "t2b")], f"{what}: B's gre20 on key=300")
        lab.reaches("t1a", "t1b", f"{what}: B's gre20 on key=300")
        grown = poll(lambda: b.sw.drops().get("gre_no_port", 0) > before)
        res.check(grown, f"{what}: B counts A's key-200 packets as gre_no_port",
                  f"before {before} after {b.sw.drops().get('gre_no_port')}")
    if lab.vsctl(b, what, "set", "interface", "gre20", "options:key=200"):
        lab.wait_attached(b, ["gre20"], f"{what}: key=200 again")
        lab.reaches("t2a", "t2b", f"{what}: B's gre20 on key=200 again")
        lab.reaches("t2b", "t2a", f"{what}: B's gre20 on key=200 again")


# ---------------------------------------------------------------------------------------
# 2. What the tunnel puts on the underlay
# ---------------------------------------------------------------------------------------
def case_capture(lab):
    what = "case 2"
    res = lab.res
    for tenant, key in (("t1", 100), ("t2", 200)):
        src, dst = lab.vm(f"{tenant}a"), lab.vm(f"{tenant}b")
        answered, packets = lab.captured_ping(src.name, dst.name)
        text = summary(packets)
        res.check(answered, f"{what}: {src.name} pings {dst.name} during the capture", text)
        requests = echo_packets(packets, src, dst, 8, outgoing=True)
        replies = echo_packets(packets, dst, src, 0, outgoing=False)
        if not res.check(bool(requests), f"{what}: the echo request {src.name}->{dst.name} "
                         "leaves hA in a GRE packet", text):
            continue
        p = requests[0]
        res.check((p["src"], p["dst"]) == (UNDERLAY_A, UNDERLAY_B),
                  f"{what}: outer IPv4 {UNDERLAY_A} -> {UNDERLAY_B}, protocol 47", summary([p]))
        res.check(p["ttl"] == 64 and not p["df"], f"{what}: outer TTL 64, DF not set",
                  summary([p]))
        res.check(p["flags"] == GRE_FLAG_KEY and p["proto"] == GRE_PROTO_TEB,
                  f"{what}: GRE flags 0x2000 (K only), protocol 0x6558", summary([p]))
        res.check(p["key"] == key, f"{what}: {tenant} travels with key {key}", summary([p]))
        inner = p["inner"]
        res.check(inner[0:6] == netns.mac_bytes(dst.mac) and inner[6:12] ==
                  netns.mac_bytes(src.mac) and inner_icmp(p)[0] is None,
                  f"{what}: the inner frame is {src.name}'s untagged Ethernet frame to "
                  f"{dst.name}", inner[:18].hex())
        if res.check(bool(replies), f"{what}: the echo reply comes back in a GRE packet", text):
            r = replies[0]
            res.check((r["src"], r["dst"], r["key"], r["flags"]) ==
                      (UNDERLAY_B, UNDERLAY_A, key, GRE_FLAG_KEY),
                      f"{what}: the reply is from {UNDERLAY_B} with key {key}", summary([r]))


# ---------------------------------------------------------------------------------------
# 3. A trunk GRE port carries 802.1Q tags
# ---------------------------------------------------------------------------------------
def case_vlan_trunk(lab):
    what = "case 3"
    res = lab.res
    for side, suffix, index in ((lab.a, "a", 31), (lab.b, "b", 32)):
        if not (lab.add_bridge(side, lab.br1, what)
                and lab.add_vm(side, f"v30{suffix}", index, lab.br1, what, "tag=30")
                and lab.add_gre(side, lab.br1, "gtr", 300, what)):
            return
        lab.wait_attached(side, [lab.vm(f"v30{suffix}").port, "gtr"], what)
    v30a, v30b = lab.vm("v30a"), lab.vm("v30b")
    lab.reaches("v30a", "v30b", what)
    lab.reaches("v30b", "v30a", what)
    answered, packets = lab.captured_ping("v30a", "v30b")
    text = summary(packets)
    res.check(answered, f"{what}: v30a pings v30b during the capture", text)
    for kind, src, dst, icmp_type, outgoing in (("request", v30a, v30b, 8, True),
                                                ("reply", v30b, v30a, 0, False)):
        found = echo_packets(packets, src, dst, icmp_type, outgoing)
        if not res.check(bool(found), f"{what}: the echo {kind} crosses the underlay", text):
            continue
        p = found[0]
        res.check(p["key"] == 300, f"{what}: the echo {kind} has key 300", summary([p]))
        inner = p["inner"]
        tag_ok = (len(inner) >= 18 and struct.unpack("!HHH", inner[12:18]) ==
                  (0x8100, 30, 0x0800))
        res.check(tag_ok, f"{what}: the {kind}'s inner frame has 802.1Q (TPID 0x8100, VID 30) "
                  "before the IPv4 header", inner[:22].hex())
    lab.isolated([("v30a", "t1b"), ("t1a", "v30b")], f"{what}: br1 is its own segment")


# ---------------------------------------------------------------------------------------
# 4. Interface row and dpif/show of a GRE port
# ---------------------------------------------------------------------------------------
def case_status(lab):
    what = "case 4"
    res, a = lab.res, lab.a
    sw = a.sw
    columns = {c: sw.get("Interface", "gre10", c)
               for c in ("status:state", "mtu", "link_state")}
    res.check(columns == {"status:state": "attached", "mtu": "1458", "link_state": "up"},
              f"{what}: gre10 is attached, mtu 1458 (1500-20-8-14), link_state up",
              f"{columns}; status={sw.get('Interface', 'gre10', 'status')}")
    port = sw.ofport("gre10")
    res.check(port is not None and 1 <= port < 65279, f"{what}: gre10 has an ofport",
              f"ofport={port!r}")
    ping(lab.vm("t1a"), lab.vm("t1b").ip)

    def counted():
        rx = sw.get("Interface", "gre10", "statistics:rx_packets")
        tx = sw.get("Interface", "gre10", "statistics:tx_packets")
        return (rx or "").isdigit() and (tx or "").isdigit() and int(rx) > 0 and int(tx) > 0

    res.check(poll(counted, STATS_TIMEOUT, interval=0.5),
              f"{what}: gre10 statistics rx_packets and tx_packets > 0 after traffic",
              repr(sw.get("Interface", "gre10", "statistics")))

    line = re.compile(r"^\s+gre10 (\d+)/(\d+): \(gre: key=100, remote_ip=198\.18\.0\.2\) "
                      r"rx:(\d+) pkts \d+ bytes \d+ dropped, tx:(\d+) pkts", re.M)
    sys_line = re.compile(r"^  gre_sys -/(\d+): rx:(\d+) pkts (\d+) bytes (\d+) dropped$", re.M)

    def shown(pattern, ok):
        """dpif/show's text once `pattern` matches a line that ok(match) accepts, else None."""
        status, out, _ = sw.appctl("dpif/show")
        m = pattern.search(out) if status == 0 else None
        return out if m and ok(m) else None

    out = poll(lambda: shown(line, lambda m: m.group(1) == str(port) and int(m.group(3)) > 0
                             and int(m.group(4)) > 0), STATS_TIMEOUT, interval=0.5)
    res.check(out is not None, f"{what}: dpif/show lists gre10 {port}/N (gre: key=100, "
              "remote_ip=198.18.0.2) with rx and tx > 0", sw.appctl("dpif/show")[1])
    out = poll(lambda: shown(sys_line, lambda m: int(m.group(2)) > 0), STATS_TIMEOUT,
               interval=0.5)
    res.check(out is not None, f"{what}: dpif/show has a gre_sys line (in no bridge) with rx > 0",
              sw.appctl("dpif/show")[1])


# ---------------------------------------------------------------------------------------
# 5. Frames larger than the underlay's MTU
# ---------------------------------------------------------------------------------------
def case_large_frames(lab):
    what = "case 5"
    res = lab.res
    t1a, t1b = lab.vm("t1a"), lab.vm("t1b")
    answered, packets = lab.captured_ping("t1a", "t1b", ("-s", "3000"))
    res.check(answered, f"{what}: ping -s 3000 t1a -> t1b is answered", summary(packets))
    out_frags = [p for p in packets if p.get("fragment") and p["outgoing"]]
    in_frags = [p for p in packets if p.get("fragment") and not p["outgoing"]]
    res.check(any(p["mf"] for p in out_frags) and any(p["offset"] > 0 for p in out_frags),
              f"{what}: hA fragments the outer GRE packets (MF set, then an offset)",
              summary(out_frags or packets))
    res.check(any(p["mf"] for p in in_frags), f"{what}: the reply's outer packets arrive "
              "fragmented too (hA reassembles them)", summary(in_frags or packets))

    answered, packets = lab.captured_ping("t1a", "t1b", ("-M", "do", "-s", "1430"))
    res.check(answered, f"{what}: ping -M do -s 1430 t1a -> t1b is answered", summary(packets))
    requests = echo_packets(packets, t1a, t1b, 8, outgoing=True)
    res.check(any(p["total"] == 1500 and len(p["inner"]) == 1472 for p in requests),
              f"{what}: a 1472-byte inner frame (1430 + 8 + 20 + 14) fills a 1500-byte outer "
              "packet unfragmented", summary(requests or packets))


# ---------------------------------------------------------------------------------------
# 6. Malformed GRE is counted and dropped
# ---------------------------------------------------------------------------------------
def case_malformed(lab):
    what = "case 6"
    res, a, b = lab.res, lab.a, lab.b
    t1a = lab.vm("t1a")
    # A frame that would be valid on tenant t1: to t1a from a MAC no VM has, a local
    # experimental EtherType and a minimum-size payload.
    frame = (netns.mac_bytes(t1a.mac) + netns.mac_bytes(lab.topo.mac(250)) + b"\x88\xb5" +
             b"vswitch-gre-test".ljust(46, b"\0"))
    right = gre_frame(GRE_FLAG_CSUM | GRE_FLAG_KEY, GRE_PROTO_TEB, 100, frame)
    right_csum = struct.unpack("!H", right[4:6])[0]
    packets = [
        ("gre_bad_version", gre_frame(GRE_FLAG_KEY | 1, GRE_PROTO_TEB, 100, frame)),
        ("gre_bad_flags", gre_frame(GRE_FLAG_ROUTING | GRE_FLAG_KEY, GRE_PROTO_TEB, 100, frame)),
        ("gre_bad_protocol", gre_frame(GRE_FLAG_KEY, 0x0800, 100, frame)),
        ("gre_truncated", b"\x20\x00"),
        ("gre_bad_checksum", gre_frame(GRE_FLAG_CSUM | GRE_FLAG_KEY, GRE_PROTO_TEB, 100, frame,
                                       checksum=right_csum ^ 0x0101)),
        ("gre_no_port", gre_frame(GRE_FLAG_KEY, GRE_PROTO_TEB, 999, frame)),
    ]
    before = a.sw.drops()
    missing = [r for r, _ in packets if r not in before]
    res.check(not missing, f"{what}: A's coverage/show lists every GRE drop reason",
              f"missing {missing}; drops {before}")
    sock = socket_in(b.ns, socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    expected = {}
    try:
        for reason, data in packets:
            sent = 0
            for _ in range(MALFORMED_COUNT):
                sent += sock.sendto(data, (UNDERLAY_A, 0)) == len(data)
            if res.check(sent == MALFORMED_COUNT, f"{what}: hB sent {MALFORMED_COUNT} GRE "
                         f"packets of {len(data)} bytes for {reason}", f"sent {sent}"):
                expected[reason] = before.get(reason, 0) + MALFORMED_COUNT
    finally:
        sock.close()
    poll(lambda: all(a.sw.drops().get(r, 0) >= n for r, n in expected.items()))
    after = a.sw.drops()
    # Nothing else sends hA such packets (B's ports all use keys A's ports have), so each
    # counter rises by exactly what was sent.
    for reason, n in expected.items():
        res.check(after.get(reason, 0) == n,
                  f"{what}: A's coverage/show {reason} rose by {MALFORMED_COUNT}",
                  f"before {before.get(reason)} after {after.get(reason)}")
    status, out, err = a.sw.appctl("version")
    res.check(status == 0 and a.sw.alive(), f"{what}: vswitchd A still answers",
              fmt(status, out, err))
    lab.reaches("t1a", "t1b", what)


# ---------------------------------------------------------------------------------------
# 7. OpenFlow: tunnel_id matches and sets the key
# ---------------------------------------------------------------------------------------
def flow_packets(lab, side, bridge, *parts):
    """n_packets of the first dump-flows line that contains every one of `parts`, or None."""
    status, out, _ = lab.ofctl(side, bridge, "dump-flows")
    for line in out.splitlines():
        if all(part in line for part in parts):
            m = re.search(r"n_packets=(\d+)", line)
            return int(m.group(1)) if m else None
    return None


def case_openflow(lab):
    what = "case 7"
    res, a, b = lab.res, lab.a, lab.b
    if shutil.which(OFCTL) is None:
        res.skip(f"{what}: OpenFlow tunnel_id", "ovs-ofctl not found (openvswitch-common)")
        return
    # (a) tun_id=100 matches what gre10 receives.
    lab.ofctl_ok(a, lab.br0, f"{what}a", "add-flow", "priority=100,tun_id=100,actions=NORMAL")
    count = ("priority=100,tun_id=0x64 actions=NORMAL",)
    before = flow_packets(lab, a, lab.br0, *count)
    res.check(before is not None, f"{what}a: dump-flows shows priority=100,tun_id=0x64",
              lab.ofctl(a, lab.br0, "dump-flows")[1])
    lab.reaches("t1a", "t1b", f"{what}a")
    res.check(poll(lambda: (flow_packets(lab, a, lab.br0, *count) or 0) > (before or 0),
                   STATS_TIMEOUT, interval=0.5),
              f"{what}a: the tun_id=100 flow counts the t1 replies (n_packets > 0)",
              lab.ofctl(a, lab.br0, "dump-flows")[1])
    # A drop flow on tun_id=200 cuts tenant t2 only.
    lab.ofctl_ok(a, lab.br0, f"{what}a", "add-flow", "priority=200,tun_id=200,actions=drop")
    lab.isolated([("t2a", "t2b")], f"{what}a: with a tun_id=200 drop flow on A")
    lab.reaches("t1a", "t1b", f"{what}a: with a tun_id=200 drop flow on A")
    lab.ofctl_ok(a, lab.br0, f"{what}a", "--strict", "del-flows", "priority=200,tun_id=200")
    lab.reaches("t2a", "t2b", f"{what}a: tun_id=200 drop flow deleted")
    lab.ofctl_ok(a, lab.br0, f"{what}a", "--strict", "del-flows", "priority=100,tun_id=100")

    # (b) key=flow: the flows choose the key; on A remote_ip=flow too: the flows choose where
    # the packets go (tun_dst) and match where they came from (tun_src).
    try:
        ok = True
        for side, suffix, index in ((a, "a", 41), (b, "b", 42)):
            ok = ok and lab.add_bridge(side, lab.br2, f"{what}b")
            ok = ok and bool(lab.add_vm(side, f"v4{suffix}", index, lab.br2, f"{what}b"))
            gre = lab.gre_args(side, lab.br2, "gfl", "flow")
            if side is a:
                gre = [arg.replace(f"remote_ip={UNDERLAY_B}", "remote_ip=flow") for arg in gre]
            ok = ok and lab.vsctl(side, f"{what}b", *gre)
            ok = ok and lab.wait_attached(side, [lab.vm(f"v4{suffix}").port, "gfl"], f"{what}b")
            if not ok:
                return
            v4 = lab.vm(f"v4{suffix}").port
            to_b = f"set_field:{UNDERLAY_B}->tun_dst," if side is a else ""
            from_b = f",tun_src={UNDERLAY_B}" if side is a else ""
            lab.ofctl_ok(side, lab.br2, f"{what}b", "add-flow",
                         f"priority=100,in_port={v4},"
                         f"actions={to_b}set_field:400->tun_id,output:gfl")
            lab.ofctl_ok(side, lab.br2, f"{what}b", "add-flow",
                         f"priority=100,in_port=gfl,tun_id=400{from_b},actions=output:{v4}")
        # remote_ip=flow has no single route: up, and no mtu.
        res.check(a.sw.get("Interface", "gfl", "link_state") == "up"
                  and a.sw.get("Interface", "gfl", "mtu") == "[]",
                  f"{what}b: A's remote_ip=flow port is up with no mtu",
                  f"link_state={a.sw.get('Interface', 'gfl', 'link_state')} "
                  f"mtu={a.sw.get('Interface', 'gfl', 'mtu')}")
        lab.reaches("v4a", "v4b", f"{what}b")
        v4a, v4b = lab.vm("v4a"), lab.vm("v4b")
        answered, packets = lab.captured_ping("v4a", "v4b")
        text = summary(packets)
        res.check(answered, f"{what}b: v4a pings v4b during the capture", text)
        for kind, src, dst, icmp_type, outgoing in (("request", v4a, v4b, 8, True),
                                                    ("reply", v4b, v4a, 0, False)):
            found = echo_packets(packets, src, dst, icmp_type, outgoing)
            res.check(bool(found) and all(p["key"] == 400 for p in found),
                      f"{what}b: the echo {kind} crosses with key 400 (set_field tun_id)", text)
        # dump-flows prints port numbers.
        match = ("tun_id=0x190", f"tun_src={UNDERLAY_B}", f"in_port={a.sw.ofport('gfl')}",
                 f"actions=output:{a.sw.ofport(v4a.port)}")
        res.check(poll(lambda: (flow_packets(lab, a, lab.br2, *match) or 0) > 0, STATS_TIMEOUT,
                       interval=0.5),
                  f"{what}b: A's in_port=gfl,tun_id=400 flow counts the replies (n_packets > 0)",
                  lab.ofctl(a, lab.br2, "dump-flows")[1])
    finally:
        for side in (a, b):
            if side.sw.alive():
                lab.vsctl(side, f"{what}b: clean-up", "--if-exists", "del-br", lab.br2)


# ---------------------------------------------------------------------------------------
# 8. del-port and add-port of a GRE port
# ---------------------------------------------------------------------------------------
def case_del_port(lab):
    what = "case 8"
    a = lab.a
    if lab.vsctl(a, what, "del-port", lab.br0, "gre10"):
        lab.isolated([("t1a", "t1b"), ("t1b", "t1a")], f"{what}: gre10 deleted on A")
        lab.reaches("t2a", "t2b", f"{what}: gre10 deleted on A")
    if lab.add_gre(a, lab.br0, "gre10", 100, what, "tag=10"):
        lab.wait_attached(a, ["gre10"], what)
        lab.reaches("t1a", "t1b", f"{what}: gre10 added back")
        lab.reaches("t1b", "t1a", f"{what}: gre10 added back")


# ---------------------------------------------------------------------------------------
# 9. kill -9 and a new start
# ---------------------------------------------------------------------------------------
def case_restart(lab):
    what = "case 9"
    res, b = lab.res, lab.b
    old_pid = b.sw.proc.pid
    b.sw.signal(signal.SIGKILL)
    res.check(b.sw.wait_exit() is not None, f"{what}: kill -9 ends vswitchd B (pid {old_pid})")
    new_pid = b.sw.start()
    res.note(f"{what}: vswitchd B restarted as pid {new_pid} on the same database and run dir")
    for src, dst in (("t1a", "t1b"), ("t2a", "t2b"), ("t1b", "t1a"), ("t2b", "t2a")):
        lab.reaches(src, dst, f"{what}: after the restart", RESTART_TIMEOUT)
    lab.isolated([("t1a", "t2b"), ("t2a", "t1b")], f"{what}: after the restart")
    for iface in ("gre10", "gre20"):
        res.check(b.sw.state(iface) == "attached", f"{what}: B's {iface} attached again",
                  f"state={b.sw.state(iface)!r} error={b.sw.get('Interface', iface, 'error')!r}")


CASES = (case_tenants, case_capture, case_vlan_trunk, case_status, case_large_frames,
         case_malformed, case_openflow, case_del_port, case_restart)


def main():
    args = netns.parse_binaries(__doc__, ("ip", "ping"), "network namespaces, veth, raw sockets")
    if args is None:
        return 1

    started = time.monotonic()
    res = Results()
    workdir = tempfile.mkdtemp(prefix="vswitch-gre-")
    topo = netns.Topology(str(os.getpid()))
    lab = GreLab(args, topo, res, workdir)
    namespaces = []  # every namespace made, for the leftover check after clean-up
    done = []

    def cleanup():
        if done:
            return
        done.append(True)
        for side in lab.sides():
            side.sw.stop()  # before the namespaces go: nothing of ours keeps one alive
        namespaces.extend(topo.namespaces)
        topo.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally below

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    try:
        res.note(f"run tag {topo.tag}, work directory {workdir}")
        built = False
        try:
            built = lab.build_underlay() and lab.start_switches() and lab.build_tenants()
        except Exception as e:
            res.check(False, "build raised", f"{type(e).__name__}: {e}")
        for case in CASES if built else ():
            try:
                case(lab)
            except Exception as e:  # a crash in one case is a failure, not an abort
                res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")
            for side in lab.sides():
                if not side.sw.alive():
                    res.check(False, f"vswitchd {side.name} is alive after {case.__name__}",
                              f"exit status {side.sw.proc.returncode if side.sw.proc else None}")
                    try:
                        side.sw.start()
                    except Exception as e:
                        res.check(False, f"restarting vswitchd {side.name}", str(e))
        if res.failed:
            for side in lab.sides():
                res.note(f"vswitchd {side.name} log (last 40 lines):\n" + side.sw.log_tail(40))
    finally:
        cleanup()
        poll(lambda: not any(netns.device_exists(d) for d in topo.devices))
        leftovers = [d for d in topo.devices if netns.device_exists(d)]
        _, out, _ = run(["ip", "netns", "list"], timeout=10)
        listed = {line.split()[0] for line in out.splitlines() if line.strip()}
        leftover_ns = [ns for ns in namespaces if ns in listed]
        running = [s.name for s in lab.sides() if s.sw.alive()]
        res.check(not leftovers and not leftover_ns and not running,
                  "clean-up: no namespace, device or vswitchd left",
                  f"devices {leftovers} namespaces {leftover_ns} vswitchd {running}")

    print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped "
          f"({time.monotonic() - started:.0f}s)")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
