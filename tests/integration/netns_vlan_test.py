#!/usr/bin/env python3
"""802.1Q VLANs through vswitchd, proven by real traffic between network namespaces.

Run as root: python3 netns_vlan_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH

Topology: bridges A and B of one vswitchd, joined by a veth pair (ta on A, trunks=10,20; tb on
B, a trunk of every VLAN). Hosts in namespaces on access ports: a10 and a20 on A, b10 and b20 on
B, all in one IPv4 subnet, so that only the VLANs keep them apart. Host r sits on a trunk port
of A (trunks=10) and speaks 802.1Q itself through a raw socket, as this kernel has no VLAN
devices (this file runs as that host's program with --trunk-host).

Cases (../../../shared/DESIGN.md, "VLANs"):
  1. Hosts on the same VLAN ping across the trunk; hosts on different VLANs cannot.
  2. Captures: on the trunk veth the frames carry 802.1Q with the right VID; on an access port
     they carry none.
  3. The tagging host on the trunk port: ARP and ICMP with VLAN 10 reach a10 and b10, the
     replies come back tagged for VLAN 10, PCP 5 crosses the trunk unchanged; a VLAN its port
     does not trunk is dropped and counted.
  4. Live changes with no restart: `set port tag=`, `add port trunks`, `remove port tag`,
     `set port vlan_mode=native-untagged`.
  5. A fake bridge (`add-br F A 10`): br-to-vlan, br-to-parent, list-br; its own port and a
     port added to it are on VLAN 10 of A; del-br takes both away.
  6. Port status: trunks ignored on an access port is noted; a configuration vswitchd refuses
     (vlan_mode=dot1q-tunnel) isolates the port and says why; clearing it restores traffic.

Same rules as netns_forwarding_test.py, whose topology, daemon and clean-up this reuses.
"""

import json
import os
import socket
import struct
import sys
import time

import netns_forwarding_test as netns
from netns_forwarding_test import fmt, ping, ping_until, pings_in_parallel, poll, run

SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
PACKET_OUTGOING = 4
ETH_P_ALL = 3
TPIDS = (0x8100, 0x88A8)


# ---------------------------------------------------------------------------------------
# Frames on the wire
# ---------------------------------------------------------------------------------------
def open_raw(dev):
    """An AF_PACKET socket on dev that reports the tag a receiving veth moved beside the frame
    (PACKET_AUXDATA), so that receive_frames() can put it back where it was on the wire."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((dev, 0))
    s.settimeout(0.1)
    return s


def receive_frames(s, seconds, stop=None):
    """[(outgoing?, frame as on the wire)] read for `seconds`, or until stop(frame) is true."""
    frames = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            data, ancillary, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        for level, kind, cdata in ancillary:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
                status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
                if status & TP_STATUS_VLAN_VALID:
                    tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                    data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
        frames.append((addr[2] == PACKET_OUTGOING, data))
        if stop and stop(data):
            break
    return frames


def split_tag(frame):
    """(tag as (tpid, vid, pcp) or None, EtherType, payload)."""
    if len(frame) >= 18 and struct.unpack("!H", frame[12:14])[0] in TPIDS:
        tpid, tci = struct.unpack("!HH", frame[12:16])
        return (tpid, tci & 0xFFF, tci >> 13), struct.unpack("!H", frame[16:18])[0], frame[18:]
    return None, struct.unpack("!H", frame[12:14])[0], frame[14:]


def icmp_of(frame):
    """(tag, ICMP type, source IP, destination IP) of an IPv4 ICMP frame, else None."""
    tag, ethertype, ip = split_tag(frame)
    if ethertype != 0x0800 or len(ip) < 20 or ip[9] != 1:
        return None
    ihl = (ip[0] & 0xF) * 4
    if len(ip) <= ihl:
        return None
    return tag, ip[ihl], socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def tagged(dst, src, vid, pcp, ethertype, payload):
    return dst + src + struct.pack("!HHH", 0x8100, pcp << 13 | vid, ethertype) + payload


def arp_request(mac, ip, target_ip):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, socket.inet_aton(ip),
                       b"\0" * 6, socket.inet_aton(target_ip))


def echo_request(src_ip, dst_ip, ident):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"vswitch-vlan-test"
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), ident, 0, 64, 1, 0,
                         socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + icmp


def trunk_host(dev, mac, ip, peer_ip, vid, pcp):
    """The tagging host's program (runs inside its namespace): ARP for peer_ip and ping it with
    802.1Q frames on `vid` with priority `pcp`; prints what answered, with the replies' tags."""
    s = open_raw(dev)
    own = bytes.fromhex(mac.replace(":", ""))
    result = {"arp_reply_tag": None, "echo_reply_tag": None}
    s.send(tagged(b"\xff" * 6, own, vid, pcp, 0x0806, arp_request(own, ip, peer_ip)))

    def is_arp_reply(frame):
        _, ethertype, arp = split_tag(frame)
        return (ethertype == 0x0806 and len(arp) >= 28 and arp[6:8] == b"\0\2"
                and arp[14:18] == socket.inet_aton(peer_ip))

    replies = [f for out, f in receive_frames(s, 3, is_arp_reply) if not out and is_arp_reply(f)]
    if replies:
        tag, _, arp = split_tag(replies[0])
        result["arp_reply_tag"] = tag
        s.send(tagged(arp[8:14], own, vid, pcp, 0x0800, echo_request(ip, peer_ip, 0x7617)))

        def is_echo_reply(frame):
            icmp = icmp_of(frame)
            return icmp is not None and icmp[1] == 0 and icmp[2] == peer_ip

        echoes = [f for out, f in receive_frames(s, 3, is_echo_reply)
                  if not out and is_echo_reply(f)]
        if echoes:
            result["echo_reply_tag"] = split_tag(echoes[0])[0]
    print(json.dumps(result))
    return 0


def run_trunk_host(host, peer_ip, vid, pcp):
    """trunk_host() in host's namespace; returns its result dict (tags as lists) or None."""
    status, out, err = run(["ip", "netns", "exec", host.ns, sys.executable,
                            os.path.abspath(__file__), "--trunk-host", host.dev, host.mac, host.ip,
                            peer_ip, str(vid), str(pcp)], timeout=30)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": fmt(status, out, err)}


def capture_ping(dev, src, dst, seconds=3):
    """Captures on root-namespace device `dev` while src pings dst once: {(ICMP type, outgoing?):
    tag} for the echo request (8) and reply (0) between them."""
    s = open_raw(dev)
    try:
        ping(src, dst.ip, attempts=1)
        seen = {}
        for outgoing, frame in receive_frames(s, seconds):
            icmp = icmp_of(frame)
            if icmp and {icmp[2], icmp[3]} == {src.ip, dst.ip}:
                seen.setdefault((icmp[1], outgoing), icmp[0])
        return seen
    finally:
        s.close()


# ---------------------------------------------------------------------------------------
# The lab
# ---------------------------------------------------------------------------------------
class VlanLab:
    """Bridges A and B joined by a trunk, access hosts on VLANs 10 and 20, the tagging host."""

    def __init__(self, lab):
        self.lab, self.res, self.sw, self.topo = lab, lab.res, lab.sw, lab.topo
        self.a, self.b = self.topo.dev("va"), self.topo.dev("vb")
        self.ta, self.tb = self.topo.dev("ta"), self.topo.dev("tb")
        self.h = {}

    def vsctl(self, what, *args):
        return self.lab.vsctl_ok(f"{what}: vsctl {' '.join(args)}", *args)[0]

    def build(self):
        topo = self.topo
        for role, index in (("a10", 11), ("a20", 21), ("b10", 12), ("b20", 22), ("r", 31)):
            self.h[role] = topo.add_veth_host(role, index)
        topo.sh(["ip", "link", "add", "name", self.ta, "type", "veth", "peer", "name", self.tb],
                "creating the trunk veth")
        for end in (self.ta, self.tb):
            topo.quiet_root_device(end)
            topo.sh(["ip", "link", "set", "dev", end, "up"], f"{end} up")
        h = self.h
        ok = self.lab.add_bridge(self.a) and self.lab.add_bridge(self.b)
        ok = ok and self.vsctl("build", "add-port", self.a, h["a10"].port, "tag=10")
        ok = ok and self.vsctl("build", "add-port", self.a, h["a20"].port, "tag=20")
        ok = ok and self.vsctl("build", "add-port", self.a, self.ta, "trunks=10,20")
        ok = ok and self.vsctl("build", "add-port", self.a, h["r"].port, "trunks=10")
        ok = ok and self.vsctl("build", "add-port", self.b, h["b10"].port, "tag=10")
        ok = ok and self.vsctl("build", "add-port", self.b, h["b20"].port, "tag=20")
        ok = ok and self.vsctl("build", "add-port", self.b, self.tb)
        if ok:
            self.lab.wait_attached([x.port for x in h.values()] + [self.ta, self.tb], "build")
        return ok

    def capture(self, dev, src, dst):
        return capture_ping(dev, self.h[src], self.h[dst])

    def reaches(self, src, dst, what):
        """Checks that src pings dst (allowing a path that is still coming up)."""
        return self.res.check(ping_until(self.h[src], self.h[dst].ip), f"{what}: {src} pings {dst}")

    def isolated(self, pairs, what):
        """Checks that no (src, dst) pair answers a ping."""
        answered = pings_in_parallel([(self.h[s], self.h[d].ip) for s, d in pairs])
        for (s, d) in pairs:
            self.res.check(not answered[(s, self.h[d].ip)],
                           f"{what}: {s} cannot reach {d}")


def case_isolation(vl):
    what = "case 1"
    for src, dst in (("a10", "b10"), ("b10", "a10"), ("a20", "b20"), ("b20", "a20")):
        vl.reaches(src, dst, what)
    vl.isolated([("a10", "a20"), ("a10", "b20"), ("b10", "b20"), ("a20", "b10")], what)
    fdb = vl.sw.fdb(vl.a) or []
    vlans_of_a10 = {v for _, v, mac in fdb if mac == vl.h["a10"].mac}
    vl.res.check(vlans_of_a10 == {"10"}, f"{what}: fdb/show learned a10 on VLAN 10 only",
                 repr(fdb))


def case_captures(vl):
    what = "case 2"
    h = vl.h
    for vid, src, dst in ((10, "a10", "b10"), (20, "a20", "b20")):
        seen = vl.capture(vl.ta, src, dst)
        want = (0x8100, vid, 0)
        vl.res.check(seen.get((8, True)) == want,
                     f"{what}: echo request {src}->{dst} leaves on the trunk with VID {vid}",
                     repr(seen))
        vl.res.check(seen.get((0, False)) == want,
                     f"{what}: echo reply {dst}->{src} arrives on the trunk with VID {vid}",
                     repr(seen))
    seen = vl.capture(h["a10"].port, "a10", "b10")
    vl.res.check((0, True) in seen and seen[(0, True)] is None,
                 f"{what}: the reply reaches access port a10 with no 802.1Q header", repr(seen))


def case_trunk_host(vl):
    what = "case 3"
    r = vl.h["r"]
    got = run_trunk_host(r, vl.h["a10"].ip, 10, 0)
    vl.res.check(got.get("arp_reply_tag") == [0x8100, 10, 0],
                 f"{what}: tagged ARP on VLAN 10 from the trunk host is answered by a10, tagged",
                 repr(got))
    vl.res.check(got.get("echo_reply_tag") == [0x8100, 10, 0],
                 f"{what}: tagged ping on VLAN 10 is answered by a10, tagged", repr(got))

    # Across the trunk with priority 5: the request keeps PCP 5 on the trunk veth.
    s = open_raw(vl.ta)
    try:
        got = run_trunk_host(r, vl.h["b10"].ip, 10, 5)
        requests = [icmp_of(f)[0] for out, f in receive_frames(s, 1)
                    if out and icmp_of(f) and icmp_of(f)[1] == 8 and icmp_of(f)[2] == r.ip]
    finally:
        s.close()
    vl.res.check(got.get("echo_reply_tag") == [0x8100, 10, 0],
                 f"{what}: tagged ping from the trunk host reaches b10 across the trunk",
                 repr(got))
    vl.res.check(requests[:1] == [(0x8100, 10, 5)],
                 f"{what}: the echo request crosses the trunk with VID 10 and PCP 5", repr(requests))

    before = vl.sw.drops().get("vlan_filtered", 0)
    got = run_trunk_host(r, vl.h["a20"].ip, 20, 0)
    vl.res.check(got.get("arp_reply_tag") is None,
                 f"{what}: VLAN 20 from a port with trunks=10 gets no answer", repr(got))
    after = vl.sw.drops().get("vlan_filtered", 0)
    vl.res.check(after > before, f"{what}: and is counted as vlan_filtered in coverage/show",
                 f"before={before} after={after}")


def case_live_changes(vl):
    what = "case 4"
    a20, b20 = vl.h["a20"].port, vl.h["b20"].port
    if vl.vsctl(what, "set", "port", a20, "tag=30"):
        vl.isolated([("a20", "b20")], f"{what}: after set port a20 tag=30")
    if vl.vsctl(what, "set", "port", a20, "tag=20"):
        vl.reaches("a20", "b20", f"{what}: after set port a20 tag=20")
    if vl.vsctl(what, "set", "port", vl.ta, "trunks=10"):
        vl.isolated([("a20", "b20")], f"{what}: after the trunk drops VLAN 20")
    if vl.vsctl(what, "add", "port", vl.ta, "trunks", "20"):
        vl.reaches("a20", "b20", f"{what}: after add port ta trunks 20")
    if vl.vsctl(what, "remove", "port", b20, "tag", "20"):
        vl.isolated([("a20", "b20")], f"{what}: after remove port b20 tag 20 (a trunk now)")
    if vl.vsctl(what, "set", "port", b20, "tag=20", "vlan_mode=native-untagged"):
        vl.reaches("a20", "b20", f"{what}: after set port b20 vlan_mode=native-untagged tag=20")
        seen = vl.capture(b20, "a20", "b20")
        vl.res.check((8, True) in seen and seen[(8, True)] is None,
                     f"{what}: native-untagged sends its native VLAN untagged", repr(seen))


def case_fake_bridge(vl):
    what = "case 5"
    topo, sw, res = vl.topo, vl.sw, vl.res
    fake = topo.dev("fb")
    if not vl.vsctl(what, "add-br", fake, vl.a, "10"):
        return
    res.check(sw.vsctl("br-to-vlan", fake)[1].strip() == "10", f"{what}: br-to-vlan says 10")
    res.check(sw.vsctl("br-to-parent", fake)[1].strip() == vl.a, f"{what}: br-to-parent says A")
    res.check(fake in sw.vsctl("list-br")[1].split(), f"{what}: list-br lists the fake bridge")
    # Its own port is an internal port of A on VLAN 10: a host behind it reaches a10 only.
    host = topo.new_host("fh", 13, "fb")
    vl.lab.wait_attached([fake], what)
    topo.move_into(host, fake)
    vl.h["fh"] = host
    vl.reaches("fh", "a10", what)
    vl.isolated([("fh", "a20")], what)
    # A port added to the fake bridge is an access port of A on VLAN 10.
    port_host = topo.add_veth_host("fp", 14)
    vl.h["fp"] = port_host
    if vl.vsctl(what, "add-port", fake, port_host.port):
        res.check(sw.get("Port", port_host.port, "tag") == "10",
                  f"{what}: add-port to the fake bridge sets tag=10")
        res.check(port_host.port in sw.vsctl("list-ports", fake)[1].split(),
                  f"{what}: list-ports of the fake bridge shows it")
        vl.lab.wait_attached([port_host.port], what)
        vl.reaches("fp", "b10", what)
    if vl.vsctl(what, "del-br", fake):
        res.check(sw.get("Port", port_host.port, "name") is None,
                  f"{what}: del-br of the fake bridge deletes the ports on it")
        vl.isolated([("fp", "b10")], f"{what}: after del-br")


def case_status(vl):
    what = "case 6"
    sw, res = vl.sw, vl.res
    a20 = vl.h["a20"].port
    if vl.vsctl(what, "set", "port", a20, "trunks=99"):
        note = poll(lambda: sw.get("Port", a20, "status:vlan"))
        res.check(note is not None and "trunks ignored" in note,
                  f"{what}: trunks on an access port are noted in Port status:vlan", repr(note))
        vl.reaches("a20", "b20", f"{what}: the access port still forwards")
    if vl.vsctl(what, "set", "port", a20, "vlan_mode=dot1q-tunnel"):
        note = poll(lambda: (sw.get("Port", a20, "status:vlan") or "").startswith("error"))
        res.check(note, f"{what}: vlan_mode=dot1q-tunnel is refused in Port status:vlan",
                  repr(sw.get("Port", a20, "status")))
        vl.isolated([("a20", "b20")], f"{what}: a refused configuration isolates the port")
    if vl.vsctl(what, "clear", "port", a20, "vlan_mode", "trunks"):
        vl.reaches("a20", "b20", f"{what}: after clearing vlan_mode and trunks")
        status = sw.get("Port", a20, "status") or ""
        res.check("vlan" not in status, f"{what}: the note goes with the setting", repr(status))


VLAN_CASES = (case_isolation, case_captures, case_trunk_host, case_live_changes, case_fake_bridge,
              case_status)


def vlan_suite(lab):
    """The one case netns.main() runs: builds the topology, then every VLAN case in order."""
    vl = VlanLab(lab)
    if not vl.build():
        return
    for case in VLAN_CASES:
        try:
            case(vl)
        except Exception as e:  # a crash in one case is a failure, not an abort
            lab.res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "--trunk-host":
        dev, mac, ip, peer_ip, vid, pcp = sys.argv[2:]
        sys.exit(trunk_host(dev, mac, ip, peer_ip, int(vid), int(pcp)))
    sys.exit(netns.main((vlan_suite,), __doc__))
