#!/usr/bin/env python3
"""OpenFlow 1.3 with a real client: Open vSwitch's ovs-ofctl drives a live vswitchd.

Run as root: python3 netns_openflow_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH

One bridge, three hosts in namespaces on veth ports (ofports 1, 2, 3), and `ovs-ofctl -O
OpenFlow13 ... unix:RUNDIR/BRIDGE.mgmt` as an operator types it (names resolved, so it also
fetches table features):
  1. show / dump-desc / dump-ports-desc / dump-table-features describe the bridge.
  2. add-flow, dump-flows: the dumped text is what was added (match, actions, cookie,
     timeouts, table), and the default NORMAL flow is there.
  3. Flows steer real traffic: a drop flow stops h1 -> h2 while h1 -> h3 works; an output flow
     over two tables (goto_table, write_metadata) carries the traffic; del-flows brings NORMAL
     back; --strict and cookie-masked deletes remove only what they name.
  4. push_vlan/set_field on the way out: a capture on h3's port shows the 802.1Q tag.
  5. dump-ports gives the datapath's exact counters (as dpif/show has them).
  6. Refused flow-mods fail the command with the OpenFlow error and change nothing.
  7-8. ofproto/trace; mod-port.
  9. Groups and header rewrites: a fast-failover group with set_field buckets serves an
     address from h2, then h3 when h2's port goes down; dec_ttl shows in ping's TTL.

Same rules as netns_forwarding_test.py, whose topology, daemon and clean-up this reuses.
"""

import re
import shutil
import sys

import netns_forwarding_test as netns
from netns_forwarding_test import fmt, ping, ping_until, pings_in_parallel, poll, run

OFCTL = "ovs-ofctl"


class OfLab:
    def __init__(self, lab):
        self.lab, self.res, self.sw, self.topo = lab, lab.res, lab.sw, lab.topo
        self.bridge = self.topo.dev("of")
        self.target = f"unix:{self.sw.rundir}/{self.bridge}.mgmt"
        self.h = {}

    def ofctl(self, *args):
        """ovs-ofctl [--options] COMMAND TARGET [ARGS]: the options come before the command."""
        options = [a for a in args if a.startswith("--")]
        command, *rest = [a for a in args if not a.startswith("--")]
        return run([OFCTL, "-O", "OpenFlow13"] + options + [command, self.target] + rest,
                   timeout=30)

    def ofctl_ok(self, what, *args):
        status, out, err = self.ofctl(*args)
        self.res.check(status == 0, f"{what}: ovs-ofctl {' '.join(args)}", fmt(status, out, err))
        return out

    def flows(self, *match):
        """dump-flows as [(table, match with priority, actions, the line)], without the
        durations and counters, which change."""
        status, out, _ = self.ofctl("dump-flows", *match)
        flows = []
        for line in out.splitlines()[1:]:
            line = re.sub(r"(duration=[^,]*|n_packets=\d+|n_bytes=\d+), ", "", line.strip())
            table = re.search(r"table=(\d+),", line)
            if not table or "priority=" not in line or " actions=" not in line:
                continue
            rule, actions = line[line.index("priority="):].split(" actions=", 1)
            flows.append((int(table.group(1)), rule, actions, line))
        return flows

    def build(self):
        self.h = self.lab.bridge_with_hosts(self.bridge, 20)
        return self.h is not None


def case_describe(ol):
    what = "case 1"
    out = ol.ofctl_ok(what, "show")
    ol.res.check("n_tables:254" in out and "LOCAL(" + ol.bridge + ")" in out,
                 f"{what}: show lists 254 tables and the LOCAL port", out[:400])
    for i, role in enumerate(("h1", "h2", "h3"), start=1):
        ol.res.check(f" {i}({ol.h[role].port})" in out, f"{what}: show lists port {i}",
                     out[:600])
    out = ol.ofctl_ok(what, "dump-desc")
    ol.res.check(f"DP Description: {ol.bridge}" in out, f"{what}: dump-desc names the bridge",
                 out)
    out = ol.ofctl_ok(what, "dump-table-features")
    ol.res.check("table 0:" in out and "goto_table" in out,
                 f"{what}: dump-table-features describes the tables", out[:300])


def case_add_and_dump(ol):
    what = "case 2"
    flows = ol.flows()
    ol.res.check([(f[0], f[1], f[2]) for f in flows] == [(0, "priority=0", "NORMAL")],
                 f"{what}: a new bridge has the one NORMAL flow", repr(flows))
    added = [
        "table=0,priority=100,cookie=0x1234,idle_timeout=60,hard_timeout=120,tcp,"
        "nw_src=198.18.0.0/16,tp_dst=80,actions=output:2",
        "table=3,priority=10,in_port=1,dl_vlan=10,dl_vlan_pcp=3,actions=pop_vlan,output:3",
        "table=0,priority=90,arp,arp_tpa=198.18.1.23,actions=write_metadata:0x5/0xff,"
        "goto_table:3",
    ]
    for flow in added:
        ol.ofctl_ok(what, "add-flow", flow)
    lines = [f[3] for f in ol.flows()]
    expected = [
        ("cookie=0x1234", "table=0", "idle_timeout=60", "hard_timeout=120",
         "priority=100,tcp,nw_src=198.18.0.0/16,tp_dst=80 actions=output:2"),
        ("table=3", "priority=10,in_port=1,dl_vlan=10,dl_vlan_pcp=3 actions=pop_vlan,output:3"),
        ("table=0", "priority=90,arp,arp_tpa=198.18.1.23 "
         "actions=write_metadata:0x5/0xff,goto_table:3"),
    ]
    for parts in expected:
        ol.res.check(any(all(p in line for p in parts) for line in lines),
                     f"{what}: dump-flows shows {parts[-1]}", "\n".join(lines))
    filtered = ol.flows("table=3")
    ol.res.check(len(filtered) == 1 and filtered[0][0] == 3,
                 f"{what}: dump-flows table=3 shows only table 3", repr(filtered))
    ol.ofctl_ok(what, "del-flows", "cookie=0x1234/-1")
    ol.res.check(not any("cookie=0x1234" in f[3] for f in ol.flows()),
                 f"{what}: del-flows cookie=0x1234/-1 removes that flow", repr(ol.flows()))
    ol.ofctl_ok(what, "--strict", "del-flows", "table=3,priority=10,in_port=1,dl_vlan=10,"
                "dl_vlan_pcp=3")
    ol.res.check(len(ol.flows("table=3")) == 0, f"{what}: --strict del-flows removes it")
    ol.res.check(len(ol.flows()) == 2, f"{what}: the other flows stay", repr(ol.flows()))
    ol.ofctl_ok(what, "del-flows")
    ol.res.check(ol.flows() == [], f"{what}: del-flows with no match empties every table",
                 repr(ol.flows()))
    ol.ofctl_ok(what, "add-flow", "priority=0,actions=NORMAL")


def case_traffic(ol):
    what = "case 3"
    h1, h2, h3 = ol.h["h1"], ol.h["h2"], ol.h["h3"]
    ol.ofctl_ok(what, "add-flow", f"priority=200,ip,nw_src={h1.ip},nw_dst={h2.ip},actions=drop")
    answered = pings_in_parallel([(h1, h2.ip)])
    ol.res.check(not answered[(h1.name, h2.ip)], f"{what}: a drop flow stops h1 -> h2")
    ol.res.check(ping(h1, h3.ip), f"{what}: h1 -> h3 still goes through NORMAL")
    ol.ofctl_ok(what, "del-flows", f"ip,nw_src={h1.ip},nw_dst={h2.ip}")
    ol.res.check(ping_until(h1, h2.ip), f"{what}: after del-flows h1 -> h2 works again")

    # Two tables, no NORMAL: h1 and h2 reach each other only through these four flows.
    ol.ofctl_ok(what, "del-flows")
    ol.ofctl_ok(what, "add-flow", "table=0,priority=10,in_port=1,actions=write_metadata:0x2,"
                "goto_table:5")
    ol.ofctl_ok(what, "add-flow", "table=0,priority=10,in_port=2,actions=write_metadata:0x1,"
                "goto_table:5")
    ol.ofctl_ok(what, "add-flow", "table=5,priority=10,metadata=0x2,actions=output:2")
    ol.ofctl_ok(what, "add-flow", "table=5,priority=10,metadata=0x1,actions=output:1")
    ol.res.check(ping_until(h1, h2.ip), f"{what}: h1 -> h2 through goto_table and metadata")
    answered = pings_in_parallel([(h1, h3.ip), (h3, h2.ip)])
    ol.res.check(not any(answered.values()), f"{what}: h3 is unreachable without a flow",
                 repr(answered))
    ol.ofctl_ok(what, "del-flows")
    ol.ofctl_ok(what, "add-flow", "priority=0,actions=NORMAL")
    ol.res.check(ping_until(h1, h3.ip), f"{what}: NORMAL back: h1 -> h3")


def case_vlan_actions(ol):
    what = "case 4"
    h1, h3 = ol.h["h1"], ol.h["h3"]
    import netns_vlan_test as vlan  # the capture helpers
    ol.ofctl_ok(what, "add-flow", "priority=50,icmp,in_port=1,actions=push_vlan:0x8100,"
                "set_field:4106->vlan_vid,output:3")
    s = vlan.open_raw(h3.port)
    try:
        ping(h1, h3.ip, attempts=1, wait=1)
        tags = [vlan.icmp_of(f)[0] for out, f in vlan.receive_frames(s, 2)
                if out and vlan.icmp_of(f) and vlan.icmp_of(f)[2] == h1.ip]
    finally:
        s.close()
    ol.res.check(tags[:1] == [(0x8100, 10, 0)],
                 f"{what}: the echo request leaves port 3 with an 802.1Q tag, VID 10",
                 repr(tags))
    ol.ofctl_ok(what, "del-flows", "icmp")


def case_port_stats(ol):
    what = "case 5"
    h1, h2 = ol.h["h1"], ol.h["h2"]
    ol.res.check(ping(h1, h2.ip), f"{what}: traffic for the counters")

    def readings():
        """(dump-ports, dpif/show) packet counters per port, read one right after the other.
        The hosts' kernels may send a frame between the two reads (ARP, IPv6 discovery), so
        a mismatch is read again; counters that never agree fail."""
        out = ol.ofctl_ok(what, "dump-ports")
        dpif = ol.sw.dpif_ports()
        got, want = [], []
        for i, role in enumerate(("h1", "h2", "h3"), start=1):
            m = re.search(rf"port\s+{i}: rx pkts=(\d+), bytes=(\d+).*?\n\s+tx pkts=(\d+)", out)
            got.append((int(m.group(1)), int(m.group(3))) if m else None)
            port = dpif.get(ol.h[role].port, {})
            want.append((port.get("rx"), port.get("tx")))
        return got, want, out

    def agreeing():
        got, want, out = readings()
        return (got, want, out) if got == want else None

    got, want, out = poll(agreeing, 10) or readings()
    for i in range(3):
        ol.res.check(got[i] is not None and got[i] == want[i] and got[i][0] > 0,
                     f"{what}: dump-ports port {i + 1} rx/tx packets are the datapath's counters",
                     f"dump-ports {got[i]}, dpif/show {want[i]}\n{out[:600]}")
    status, out, err = ol.ofctl("dump-ports", "9")
    # ovs-ofctl prints the error reply of a dump and still exits 0.
    ol.res.check("OFPT_ERROR" in out and "OFPBRC_BAD_PORT" in out,
                 f"{what}: dump-ports of a port that does not exist is answered with BAD_PORT",
                 fmt(status, out, err))


def case_refused(ol):
    what = "case 6"
    before = [f[3] for f in ol.flows()]
    for flow, error in (("table=3,priority=1,actions=goto_table:1", "BAD_TABLE_ID"),
                        ("priority=1,actions=push_mpls:0x8847", "OFPBAC_BAD_TYPE"),
                        ("priority=1,mpls,actions=set_field:16->mpls_label", "OFPBAC_BAD_SET_TYPE"),
                        ("priority=1,actions=group:7", "OFPBAC_BAD_OUT_GROUP")):
        status, out, err = ol.ofctl("add-flow", flow)
        ol.res.check(status != 0 and error in out + err,
                     f"{what}: add-flow {flow} fails with {error}", fmt(status, out, err))
    after = [f[3] for f in ol.flows()]
    ol.res.check(len(after) == len(before), f"{what}: no flow was added", "\n".join(after))


def case_trace(ol):
    """vsappctl ofproto/trace walks the tables for a flow given in ovs-ofctl's syntax."""
    what = "case 7"
    h1, h3 = ol.h["h1"], ol.h["h3"]
    ol.ofctl_ok(what, "add-flow", "table=0,priority=300,ip,nw_dst=198.18.0.99,actions=goto_table:4")
    ol.ofctl_ok(what, "add-flow", f"table=4,priority=7,actions=output:{h3.port}")
    status, out, err = ol.sw.appctl("ofproto/trace", ol.bridge,
                                    f"in_port={h1.port},ip,nw_dst=198.18.0.99")
    ol.res.check(status == 0 and " 0. priority=300,ip,nw_dst=198.18.0.99, cookie 0x0" in out
                 and " 4. priority=7, cookie 0x0" in out
                 and f"Datapath actions: output:3({h3.port})" in out,
                 f"{what}: ofproto/trace shows tables 0 and 4 and the output to {h3.port}",
                 fmt(status, out, err))
    status, out, err = ol.sw.appctl("ofproto/trace", ol.bridge, "ip,nw_dst=198.18.0.99")
    ol.res.check(status == 2 and "in_port" in err, f"{what}: a flow without in_port is refused",
                 fmt(status, out, err))
    ol.ofctl_ok(what, "--strict", "del-flows", "table=0,priority=300,ip,nw_dst=198.18.0.99")
    ol.ofctl_ok(what, "del-flows", "table=4")


def case_port_mod(ol):
    """ovs-ofctl mod-port: no-forward keeps frames from leaving a port, down takes its device
    down; both show in dump-ports-desc and are undone by forward and up."""
    what = "case 8"
    h1, h2 = ol.h["h1"], ol.h["h2"]

    def desc_line():
        out = ol.ofctl_ok(what, "dump-ports-desc")
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if f"({h2.port})" in line:
                return "\n".join(lines[i:i + 3])
        return out

    ol.ofctl_ok(what, "mod-port", h2.port, "no-forward")
    ol.res.check("NO_FWD" in desc_line(), f"{what}: dump-ports-desc shows NO_FWD", desc_line())
    results = pings_in_parallel([(h1, h2.ip)])
    ol.res.check(not any(results.values()), f"{what}: nothing reaches h2 through a NO_FWD port",
                 str(results))
    ol.ofctl_ok(what, "mod-port", h2.port, "forward")
    ol.res.check(ping_until(h1, h2.ip), f"{what}: forward again: h1 -> h2 works")

    ol.ofctl_ok(what, "mod-port", h2.port, "down")
    ol.res.check("PORT_DOWN" in desc_line(), f"{what}: dump-ports-desc shows PORT_DOWN",
                 desc_line())
    _, state, _ = ol.sw.vsctl("get", "Interface", h2.port, "admin_state")
    ol.res.check(poll(lambda: ol.sw.vsctl("get", "Interface", h2.port, "admin_state")[1].strip()
                      == "down", 15), f"{what}: Interface admin_state becomes down", state)
    results = pings_in_parallel([(h1, h2.ip)])
    ol.res.check(not any(results.values()), f"{what}: h2 is unreachable while its port is down",
                 str(results))
    ol.ofctl_ok(what, "mod-port", h2.port, "up")
    ol.res.check(ping_until(h1, h2.ip), f"{what}: up again: h1 -> h2 works")


def case_groups_and_rewrites(ol):
    """A service address in front of two hosts: a fast-failover group rewrites h1's pings to
    198.18.1.99 (a MAC no host has) to h2, or to h3 once h2's port is down, and the replies are
    rewritten back with dec_ttl on the way. The kernels check the rewritten IP header
    checksums; ping shows the TTL; dump-group-stats counts each bucket; del-groups takes the
    flows along."""
    what = "case 9"
    h1, h2, h3 = ol.h["h1"], ol.h["h2"], ol.h["h3"]
    vip, vmac = f"{netns.SUBNET}.99", "02:00:5e:00:00:99"
    status, out, err = run(["ip", "netns", "exec", h1.ns, "ip", "neigh", "replace", vip,
                            "lladdr", vmac, "dev", h1.dev, "nud", "permanent"])
    ol.res.check(status == 0, f"{what}: h1 knows the service address's MAC", fmt(status, out, err))
    buckets = ",".join(f"bucket=watch_port:{i},actions=set_field:{h.mac}->eth_dst,"
                       f"set_field:{h.ip}->ip_dst,output:{i}"
                       for i, h in ((2, h2), (3, h3)))
    ol.ofctl_ok(what, "add-group", f"group_id=1,type=fast_failover,{buckets}")
    ol.ofctl_ok(what, "add-flow", f"priority=500,ip,in_port=1,nw_dst={vip},actions=group:1")
    for i, h in ((2, h2), (3, h3)):
        ol.ofctl_ok(what, "add-flow",
                    f"priority=500,ip,in_port={i},nw_src={h.ip},nw_dst={h1.ip},"
                    f"actions=set_field:{vip}->ip_src,set_field:{vmac}->eth_src,dec_ttl,output:1")
    out = ol.ofctl_ok(what, "dump-groups")
    ol.res.check("group_id=1,type=ff,bucket=watch_port:2" in out,
                 f"{what}: dump-groups shows the group", out)

    def serves(bucket):
        """Pings the service address; True if answered with TTL 63 and counted in `bucket`."""
        before = bucket_packets(bucket)
        status, out, err = run(["ip", "netns", "exec", h1.ns, "ping", "-n", "-c", "1", "-W", "2",
                                vip], timeout=15)
        return (status == 0 and "ttl=63" in out and bucket_packets(bucket) > before,
                fmt(status, out, err) + ol.ofctl("dump-group-stats")[1])

    def bucket_packets(bucket):
        out = ol.ofctl("dump-group-stats")[1]
        found = re.search(rf"bucket{bucket}:packet_count=(\d+)", out)
        return int(found.group(1)) if found else -1

    ol.res.check(poll(lambda: serves(0)[0], 15),
                 f"{what}: h2 answers for the service address, TTL 63", serves(0)[1])
    ol.ofctl_ok(what, "mod-port", h2.port, "down")
    ol.res.check(poll(lambda: serves(1)[0], 15), f"{what}: h2's port down: h3 answers instead",
                 serves(1)[1])
    ol.ofctl_ok(what, "mod-port", h2.port, "up")
    ol.res.check(poll(lambda: serves(0)[0], 15), f"{what}: h2's port up: h2 answers again",
                 serves(0)[1])

    ol.ofctl_ok(what, "del-groups", "group_id=1")
    left = [f[3] for f in ol.flows() if "group:1" in f[2]]
    ol.res.check(left == [], f"{what}: del-groups removes the flow that used the group",
                 "\n".join(left))
    ol.res.check(not pings_in_parallel([(h1, vip)])[(h1.name, vip)],
                 f"{what}: the service address is gone with the group")
    ol.ofctl_ok(what, "del-flows", "ip")


OF_CASES = (case_describe, case_add_and_dump, case_traffic, case_vlan_actions, case_port_stats,
            case_refused, case_trace, case_port_mod, case_groups_and_rewrites)


def openflow_suite(lab):
    """The one case netns.main() runs: builds the bridge, then every OpenFlow case."""
    ol = OfLab(lab)
    if not ol.build():
        return
    for case in OF_CASES:
        try:
            case(ol)
        except Exception as e:  # a crash in one case is a failure, not an abort
            lab.res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    if shutil.which(OFCTL) is None:
        print("ovs-ofctl not found (package openvswitch-common)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    sys.exit(netns.main((openflow_suite,), __doc__))
