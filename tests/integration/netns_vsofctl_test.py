#!/usr/bin/env python3
"""vsofctl against ovs-ofctl: the same command lines, on the same bridge, give the same result.

Run as root: python3 netns_vsofctl_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH
                 --vsofctl PATH

One private vswitchd (temporary database and run directory), one bridge with three veth ports
(ofports 1-3) whose far ends sit in namespaces; both tools talk to unix:RUNDIR/BRIDGE.mgmt
(`ovs-ofctl -O OpenFlow13`). Outputs are compared whole, with durations masked (and port
counters, which traffic may move between the two runs).
  1. Describing the switch: show, dump-desc, dump-ports-desc, dump-ports, dump-tables,
     dump-groups print the same text.
  2. Flows in many shapes, added by ovs-ofctl, dump the same through both tools; deleted and
     added again by vsofctl, ovs-ofctl dumps exactly the flows it had added itself.
  3. dump-flows and dump-aggregate with filters (tables, matches, cookies, out_port), with
     --no-stats and with --names.
  4. mod-flows, --strict mod-flows and del-flows variants, run by each tool from the same
     starting flows, leave the same flows.
  5. Refused flows, by either tool's parser or by the switch: the same exit status, and the
     same message where both word it the same way.
  6. add-flows from a file and from stdin (comments, blank lines); 100,000 flows pipelined are
     all installed (the time is reported, never asserted).
  7. Groups and packet-out: the same output and exit status, whatever the switch supports.
  8. Wire bytes: a recording OpenFlow switch on a unix socket receives byte-identical requests
     (xids included) from both tools for every flow, group and packet-out command line above.
  9. Bad switches and usage: the same exit status and message.

Same rules as netns_forwarding_test.py, whose daemon, topology and clean-up this reuses.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import netns_forwarding_test as netns
from netns_forwarding_test import fmt, run

OFCTL = "ovs-ofctl"
VSOFCTL = None  # set from --vsofctl
N_BULK = 100000  # flows for the add-flows pipeline


def mask(text, counters=False):
    """Output with what changes between two runs masked: durations, optionally counters."""
    text = re.sub(r"duration=[0-9.]+s", "duration=?", text)
    if counters:
        text = re.sub(r"(pkts|bytes|drop|errs|frame|over|crc|coll|n_packets|n_bytes)=\d+",
                      r"\1=?", text)
    return text


def same_error(text):
    """stderr with the program's name taken out and vlog timestamps dropped."""
    lines = []
    for line in text.splitlines():
        if re.match(r"^\d{4}-\d\d-\d\dT", line):
            continue  # ovs-ofctl's log lines (normalization notes, warnings)
        lines.append(re.sub(r"^(ovs-ofctl|vsofctl): ", "", line))
    return "\n".join(lines)


class Tools:
    def __init__(self, lab, target):
        self.lab, self.res, self.target = lab, lab.res, target

    def both(self, *args, stdin=None, target=None, setup=None):
        """Runs ovs-ofctl then vsofctl with the same arguments (setup() before each); returns
        both (status, out, err). Options (--x) go before the command, as ovs-ofctl's tests
        write them."""
        target = target or self.target
        options = [a for a in args if a.startswith("--")]
        command, *rest = [a for a in args if not a.startswith("--")]
        results = []
        for tool in ([OFCTL, "-O", "OpenFlow13"], [VSOFCTL, "-O", "OpenFlow13"]):
            if setup:
                setup()
            argv = tool + options + [command, target] + rest
            try:
                r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)
                results.append((r.returncode, r.stdout, r.stderr))
            except subprocess.TimeoutExpired:
                results.append((None, "", "(timed out)"))
        return results

    def one(self, tool, *args, stdin=None, timeout=120):
        options = [a for a in args if a.startswith("--")]
        command, *rest = [a for a in args if not a.startswith("--")]
        argv = ([OFCTL, "-O", "OpenFlow13"] if tool == "ovs" else [VSOFCTL]) + options + \
            [command, self.target] + rest
        try:
            r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, "", "(timed out)"
        return r.returncode, r.stdout, r.stderr

    def ok(self, what, tool, *args, stdin=None):
        status, out, err = self.one(tool, *args, stdin=stdin)
        self.res.check(status == 0, f"{what}: {tool} {' '.join(args)}", fmt(status, out, err))
        return out

    def compare(self, what, *args, counters=False, messages=True, stdin=None, target=None,
                setup=None):
        """Both tools on the same line: same status, same stdout, and the same stderr when
        `messages` (else only: both silent or both not)."""
        (s1, o1, e1), (s2, o2, e2) = self.both(*args, stdin=stdin, target=target, setup=setup)
        same = (s1 == s2 and mask(o1, counters) == mask(o2, counters) and
                (same_error(e1) == same_error(e2) if messages else bool(e1) == bool(e2)))
        return self.res.check(same, f"{what}: {' '.join(args)}",
                              f"\n  ovs-ofctl: {fmt(s1, o1, e1)}\n  vsofctl:   {fmt(s2, o2, e2)}")

    def flows(self, tool="ovs"):
        """dump-flows text without durations, for comparing flow tables."""
        status, out, err = self.one(tool, "dump-flows")
        return mask(out) if status == 0 else f"dump-flows failed: {fmt(status, out, err)}"

    def reset(self, flows=()):
        self.ok("reset", "ovs", "del-flows")
        for flow in flows:
            self.ok("reset", "ovs", "add-flow", flow)


# Flows in many shapes: OVS's names, aliases and shorthands, masks, instructions. {p1}..{p3}
# stand for the ports' names.
FLOWS = [
    "priority=100,in_port=1,actions=output:2",
    "table=0,priority=101,cookie=0x1234,idle_timeout=60,hard_timeout=120,send_flow_rem,tcp,"
    "nw_src=198.18.0.0/16,tp_dst=80,actions=output:2",
    "priority=102,in_port={p1},actions=output:{p2}",
    "priority=103,dl_src=02:00:00:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
    "actions=FLOOD",
    "priority=104,eth_type=0x88cc,actions=drop",
    "table=3,priority=10,in_port=1,dl_vlan=10,dl_vlan_pcp=3,actions=pop_vlan,output:3",
    "priority=105,vlan_tci=0x1000/0x1000,actions=output:1",
    "priority=106,in_port=2,dl_vlan=20,actions=mod_vlan_vid:30,output:1",
    "priority=107,in_port=1,dl_type=0x0806,actions=push_vlan:0x8100,set_field:4106->vlan_vid,"
    "output:3",
    "priority=108,vlan_tci=0,in_port=3,actions=mod_vlan_vid:5,output:1",
    "priority=109,udp,tp_src=53,udp_dst=5353,actions=output:2",
    "priority=110,tcp6,tcp_dst=0x1000/0xf000,actions=output:2",
    "priority=111,icmp,icmp_type=8,icmp_code=0,actions=output:LOCAL",
    "priority=112,arp,arp_op=1,arp_tpa=198.18.1.0/24,actions=NORMAL",
    "priority=113,ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345,actions=output:2",
    "priority=114,ip,nw_tos=32,nw_ecn=1,ip_proto=17,actions=output:1",
    "priority=115,tun_id=0x64,actions=output:1",
    "priority=116,metadata=0x5/0xff,actions=output:1",
    "priority=117,in_port=2,actions=write_metadata:0x1/0xff,goto_table:3",
    "priority=118,in_port=3,actions=write_actions(output:1),goto_table:5",
    "priority=119,in_port=3,dl_vlan=5,actions=pop_vlan,clear_actions,goto_table:4",
    "priority=120,in_port=LOCAL,actions=ALL",
    "priority=121,dl_type=0x88b5,actions=CONTROLLER:128",
    "priority=122,dl_type=0x88b6,actions=controller",
    "priority=123,dl_type=0x88b7,actions=IN_PORT",
    "priority=124,reset_counts,no_packet_counts,no_byte_counts,in_port=1,dl_type=0x88b8,"
    "actions=drop",
    "  in_port=2  ,  priority=125 actions = output:3",
    "priority=126,in_port(1),actions=2,3",
    "priority=127,duration=5s,n_packets=3,in_port=1,dl_type=0x88b9,actions=drop",
    "priority=128,ip,actions=mod_nw_dst:198.18.0.9,mod_nw_tos:32,dec_ttl,output:1",
    "priority=129,tcp,actions=mod_tp_dst:80,mod_dl_dst:02:00:00:00:00:09,set_nw_ttl:9,output:1",
    "priority=130,ipv6,actions=set_field:2001:db8::9->ipv6_dst,output:1",
    "priority=131,arp,actions=set_field:2->arp_op,set_field:198.18.0.7->arp_spa,output:1",
    "priority=132,udp6,actions=set_field:53->udp_src,set_field:0x12345->ipv6_label,output:1",
    "priority=133,icmp6,icmp_type=135,nd_target=fe80::2,nd_sll=02:00:00:00:00:01,"
    "actions=set_field:fe80::3->nd_target,output:1",
    "priority=134,icmp6,icmp_type=136,nd_tll=02:00:00:00:00:02,"
    "actions=set_field:02:00:00:00:00:03->nd_tll,output:1",
    "priority=135,tun_src=198.18.0.1,tun_dst=198.18.0.0/24,"
    "actions=set_field:198.18.0.2->tun_dst,output:1",
    "priority=136,tun_id=0x64,tun_src=198.18.0.0/255.255.0.255,actions=output:1",
    "priority=0,actions=NORMAL",
]

# Refused by the tools' parsers (messages compared) ...
REFUSED_BY_PARSER = [
    "in_port=1",
    "priority = 125,actions=drop",
    "foo=1,actions=drop",
    "in_port=nosuchport,actions=drop",
    "priority=70000,actions=drop",
    "dl_src=zz,actions=drop",
    "ip,nw_src=198.18.0.1/33,actions=drop",
    "tcp,tp_dst=70000,actions=drop",
    "actions=output:nosuchport",
    "actions=bogus",
    "actions=drop,output:1",
    "actions=goto_table:1,output:2",
    "actions=push_vlan:0x9100",
    "table=300,actions=drop",
    "cookie=0x1/0x1,actions=drop",
    "table=3,actions=goto_table:1",
]
# ... with other words (vsofctl says why in its own terms) ...
REFUSED_OTHERWISE = [
    "actions=pop_vlan,output:1",
    "actions=set_field:5->vlan_vid",
    "actions=mod_tp_src:80",
    "actions=dec_ttl",
]
# ... and by the switch (OFPT_ERROR, printed the same way).
REFUSED_BY_SWITCH = [
    "table=254,priority=1,actions=drop",
    "priority=1,actions=group:99",
    "priority=1,mpls,actions=set_field:16->mpls_label",
]


def case_describe(t):
    what = "case 1"
    for args in (["show"], ["dump-desc"], ["dump-ports-desc"], ["dump-ports-desc", "2"],
                 ["dump-tables"], ["dump-groups"], ["dump-flows"], ["dump-aggregate"]):
        t.compare(what, *args)
    for args in (["dump-ports"], ["dump-ports", "1"], ["dump-ports", "LOCAL"],
                 ["dump-ports", t.lab.h["h2"].port], ["dump-ports", "9"]):
        t.compare(what, *args, counters=True)


def case_flows(t):
    what = "case 2"
    flows = [f.format(**t.lab.port_names) for f in FLOWS]
    t.reset()
    for flow in flows:
        t.ok(what, "ovs", "add-flow", flow)
    t.compare(what, "dump-flows")
    t.compare(what, "--no-stats", "dump-flows")
    t.compare(what, "--names", "dump-flows")
    by_ovs = t.flows()
    t.reset()
    for flow in flows:
        t.ok(what, "vs", "add-flow", flow)
    by_vs = t.flows()
    t.res.check(by_ovs == by_vs and by_ovs.count("\n") > len(flows) // 2,
                f"{what}: the {len(flows)} flows added by vsofctl are those ovs-ofctl added",
                f"\nby ovs-ofctl:\n{by_ovs}\nby vsofctl:\n{by_vs}")
    t.lab.standard_flows = flows


def case_filters(t):
    what = "case 3"
    t.reset(t.lab.standard_flows)
    p2 = t.lab.port_names["p2"]
    for args in (["table=3"], ["tcp"], ["in_port=1"], ["in_port=" + p2], ["cookie=0x1234/-1"],
                 ["cookie=0x1000/0xf000"], ["out_port=2"], ["out_port=LOCAL"],
                 ["table=0,dl_type=0x88b5"], ["ip"], ["arp,arp_op=1"], ["metadata=0x5/0xff"],
                 ["vlan_tci=0x1000/0x1000"], ["priority=100"], ["out_group=1"]):
        t.compare(what, "dump-flows", *args)
        t.compare(what, "dump-aggregate", *args)
    t.compare(what, "--no-stats", "dump-flows", "table=3")
    t.compare(what, "--names", "dump-flows", "in_port=1")


def case_changes(t):
    what = "case 4"
    changes = [
        ("mod-flows", "in_port=1,actions=output:LOCAL"),
        ("mod-flows", "table=3,actions=drop"),
        ("--strict", "mod-flows", "priority=100,in_port=1,actions=output:3"),
        ("mod-flows", "cookie=0x1234/-1,actions=output:1"),
        ("del-flows", "in_port=1"),
        ("del-flows", "table=3"),
        ("del-flows", "cookie=0x1234/-1"),
        ("del-flows", "out_port=2"),
        ("--strict", "del-flows", "priority=105,vlan_tci=0x1000/0x1000"),
        ("--strict", "del-flows", "priority=105"),
        ("del-flows", "tcp"),
        ("del-flows",),
    ]
    for change in changes:
        t.reset(t.lab.standard_flows)
        t.ok(what, "ovs", *change)
        after_ovs = t.flows()
        t.reset(t.lab.standard_flows)
        t.ok(what, "vs", *change)
        after_vs = t.flows()
        t.res.check(after_ovs == after_vs, f"{what}: {' '.join(change)} leaves the same flows",
                    f"\nafter ovs-ofctl:\n{after_ovs}\nafter vsofctl:\n{after_vs}")


def case_refused(t):
    what = "case 5"
    t.reset(["priority=0,actions=NORMAL"])
    before = t.flows()
    for flow in REFUSED_BY_PARSER + REFUSED_BY_SWITCH:
        t.compare(what, "add-flow", flow)
    for flow in REFUSED_OTHERWISE:
        t.compare(what, "add-flow", flow, messages=False)
    for args in (["del-flows", "priority=5"], ["del-flows", "cookie=5"],
                 ["dump-flows", "send_flow_rem"], ["mod-flows", "in_port=1"],
                 ["dump-ports", "nosuchport"]):
        t.compare(what, *args)
    t.res.check(t.flows() == before, f"{what}: refused flows changed nothing", t.flows())


def case_files(t):
    what = "case 6"
    p1 = t.lab.port_names["p1"]
    text = ("# flows for add-flows\n\n"
            "priority=10,in_port=1,actions=output:2\n"
            "  priority=11,in_port=2 actions=output:1   # trailing comment\r\n"
            "\n"
            f"table=2,priority=12,in_port={p1},actions=drop\n")
    path = os.path.join(t.lab.workdir, "flows.txt")
    with open(path, "w") as f:
        f.write(text)
    for source in ("file", "stdin"):
        t.reset()
        args = ("add-flows", path) if source == "file" else ("add-flows", "-")
        stdin = text if source == "stdin" else None
        t.ok(what, "ovs", *args, stdin=stdin)
        by_ovs = t.flows()
        t.reset()
        t.ok(what, "vs", *args, stdin=stdin)
        t.res.check(t.flows() == by_ovs and by_ovs.count("\n") == 4,
                    f"{what}: add-flows from {source} installs the same three flows",
                    f"\n{by_ovs}\n{t.flows()}")
    with open(path, "w") as f:
        f.write("priority=10,in_port=1,actions=drop\n# next is wrong\nfoo=1,actions=drop\n")
    t.reset()
    t.compare(what, "add-flows", path)
    t.compare(what, "add-flows", os.path.join(t.lab.workdir, "missing.txt"))
    t.res.check(t.flows().count("\n") == 1, f"{what}: a bad line adds no flow of the file",
                t.flows())

    # A large table: pipelined flow-mods and one barrier.
    with open(path, "w") as f:
        for i in range(N_BULK):
            f.write(f"table=1,priority={100 + i % 1000},ip,nw_src=10.{i >> 16 & 255}."
                    f"{i >> 8 & 255}.{i & 255},actions=output:{1 + i % 3}\n")
    started = time.monotonic()
    status, out, err = t.one("vs", "add-flows", path, timeout=600)
    elapsed = time.monotonic() - started
    t.res.check(status == 0, f"{what}: vsofctl add-flows of {N_BULK} flows", fmt(status, out, err))
    status, out, err = t.one("ovs", "dump-aggregate", "table=1")
    t.res.check(f"flow_count={N_BULK}" in out,
                f"{what}: all {N_BULK} flows are in table 1 (ovs-ofctl dump-aggregate)",
                fmt(status, out, err))
    t.res.note(f"{what}: vsofctl add-flows of {N_BULK} flows took {elapsed:.1f} s")
    t.reset()


def case_groups_packet_out(t):
    what = "case 7"
    t.reset(["priority=0,actions=NORMAL"])
    groups = ["group_id=1,type=all,bucket=output:1,bucket=output:2",
              "group_id=2,type=select,bucket=weight:60,output:1,bucket=weight:40,output:2",
              "group_id=3,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2"]

    def with_groups(names):
        def setup():
            t.one("ovs", "del-groups")
            for g in names:
                t.one("ovs", "add-group", g)
        return setup

    for existing, args in (([], ["add-group", groups[0]]), ([], ["add-group", groups[1]]),
                           ([], ["add-group", groups[2]]),
                           (groups[:1], ["add-group", "group_id=1,type=all,bucket=output:3"]),
                           (groups, ["dump-groups"]), (groups, ["dump-group-stats"]),
                           (groups, ["dump-group-stats", "group_id=2"]),
                           (groups, ["dump-group-stats", "2"]),
                           (groups, ["del-groups", "group_id=2"]), (groups, ["del-groups"])):
        results = []
        for tool in ("ovs", "vs"):
            with_groups(existing)()
            status, out, err = t.one(tool, *args)
            after = t.one("ovs", "dump-groups")[1]
            results.append((status, mask(out), same_error(err), mask(after)))
        t.res.check(results[0] == results[1], f"{what}: {' '.join(args)} (groups {len(existing)})",
                    f"\n  ovs-ofctl: {results[0]}\n  vsofctl:   {results[1]}")
    t.one("ovs", "del-groups")
    frame = ("ffffffffffff" "020000000001" "0806" "0001080006040001" "020000000001" "c6120101"
             "000000000000" "c6120102")
    for args in (["packet-out", "in_port=LOCAL,packet=" + frame + ",actions=output:1"],
                 ["packet-out", "LOCAL", "output:2", frame],
                 ["packet-out", "in_port=1,packet=" + frame + ",actions=output:TABLE"],
                 ["packet-out", "in_port=1,packet=ff,actions=output:2"]):
        t.compare(what, *args)


def case_bytes(t):
    what = "case 8"
    sw = RecordingSwitch(os.path.join(t.lab.workdir, "fake.sock"), t.lab.port_names)
    try:
        lines = []
        for flow in t.lab.standard_flows + REFUSED_BY_SWITCH:
            lines.append(["add-flow", flow])
        for match in ("in_port=1,actions=output:LOCAL", "table=3,cookie=0x5/0x7,actions=drop",
                      "priority=100,in_port=1,actions=output:3"):
            lines += [["mod-flows", match], ["--strict", "mod-flows", match]]
        for match in ("", "in_port=1", "table=3,cookie=0x1234/-1", "out_port=2,out_group=3",
                      "tcp,tp_dst=80"):
            lines += [["del-flows"] + ([match] if match else []),
                      ["dump-flows"] + ([match] if match else []),
                      ["dump-aggregate"] + ([match] if match else [])]
        lines += [["--strict", "del-flows", "priority=100,in_port=1"],
                  ["--no-names", "add-flow", "in_port=1,actions=drop"],
                  ["--no-names", "dump-flows", "in_port=1"],
                  ["dump-ports"], ["dump-ports", "1"], ["dump-ports", t.lab.port_names["p2"]],
                  ["add-group", "group_id=1,type=all,bucket=output:1,bucket=output:2"],
                  ["add-group", "group_id=2,type=select,bucket=weight:60,output:1,"
                   "bucket=weight:40,output:2"],
                  ["add-group", "group_id=4,type=ff,bucket=watch_port:1,output:1"],
                  ["del-groups", "group_id=4"], ["del-groups"],
                  ["packet-out", "in_port=LOCAL,packet=ffffffffffff02000000000108060001,"
                   "actions=output:1"]]
        for line in lines:
            sent = []
            for tool in ("ovs", "vs"):
                sw.start()
                status, out, err = run_at(tool, sw.target, line)
                sent.append((status, sw.requests()))
            t.res.check(sent[0] == sent[1] and sent[0][1],
                        f"{what}: {' '.join(line)} sends the same bytes",
                        f"\n  ovs-ofctl: {sent[0]}\n  vsofctl:   {sent[1]}")
    finally:
        sw.close()


def run_at(tool, target, line):
    options = [a for a in line if a.startswith("--")]
    command, *rest = [a for a in line if not a.startswith("--")]
    argv = ([OFCTL, "-O", "OpenFlow13"] if tool == "ovs" else [VSOFCTL]) + options + \
        [command, target] + rest
    return run(argv, timeout=60)


class RecordingSwitch:
    """A minimal OpenFlow 1.3 switch on a unix socket that records what clients send. It
    answers HELLO, barriers, echo, features, port descriptions (the bridge's port names, for
    look-ups) and other multiparts with empty replies."""

    def __init__(self, path, port_names):
        self.path = path
        self.target = "unix:" + path
        self.lock = threading.Lock()
        self.messages = []
        self.ports = [(1, port_names["p1"]), (2, port_names["p2"]), (3, port_names["p3"])]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def start(self):
        with self.lock:
            self.messages = []

    def requests(self):
        """What the client asked for, name look-ups and HELLOs left out (ovs-ofctl makes
        them on connections of their own), barriers kept."""
        time.sleep(0.05)
        with self.lock:
            out = []
            for m in self.messages:
                mp = int.from_bytes(m[8:10], "big") if m[1] == 18 else None
                if m[1] == 0 or mp in (12, 13):  # HELLO, TABLE_FEATURES, PORT_DESC
                    continue
                out.append(m.hex())
            return out

    def _accept(self):
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _port_desc(self, xid):
        body = b""
        for number, name in self.ports:
            body += (number.to_bytes(4, "big") + bytes(4) + bytes([2, 0, 0, 0, 0, number]) +
                     bytes(2) + name.encode().ljust(16, b"\0") + bytes(32))
        return self._reply(19, xid, (13).to_bytes(2, "big") + bytes(6) + body)

    @staticmethod
    def _reply(mtype, xid, body):
        return bytes([4, mtype]) + (8 + len(body)).to_bytes(2, "big") + xid + body

    def _serve(self, conn):
        conn.sendall(bytes.fromhex("04000010000000010001000800000010"))
        buf = b""
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                break
            if not data:
                break
            buf += data
            while len(buf) >= 8 and len(buf) >= int.from_bytes(buf[2:4], "big"):
                n = int.from_bytes(buf[2:4], "big")
                msg, buf = buf[:n], buf[n:]
                with self.lock:
                    self.messages.append(msg)
                mtype, xid = msg[1], msg[4:8]
                reply = None
                if mtype == 2:
                    reply = self._reply(3, xid, msg[8:])
                elif mtype == 5:
                    reply = self._reply(6, xid, bytes(8) + bytes(4) + bytes([254, 0, 0, 0]) +
                                        bytes(8))
                elif mtype == 7:
                    reply = self._reply(8, xid, bytes([0, 0, 0, 128]))
                elif mtype == 20:
                    reply = self._reply(21, xid, b"")
                elif mtype == 18:
                    mp = int.from_bytes(msg[8:10], "big")
                    if mp == 13:
                        reply = self._port_desc(xid)
                    elif mp == 12:  # one table, every required property empty
                        props = b"".join((t).to_bytes(2, "big") + (4).to_bytes(2, "big") + bytes(4)
                                         for t in range(0, 16, 2))
                        table = (64 + len(props)).to_bytes(2, "big") + bytes(6) + \
                            b"t0".ljust(32, b"\0") + bytes(24) + props
                        reply = self._reply(19, xid, msg[8:10] + bytes(6) + table)
                    elif mp == 2:
                        reply = self._reply(19, xid, msg[8:10] + bytes(6) + bytes(24))
                    else:
                        reply = self._reply(19, xid, msg[8:10] + bytes(6))
                if reply:
                    try:
                        conn.sendall(reply)
                    except OSError:
                        break
        conn.close()

    def close(self):
        self.closing = True
        self.sock.close()


def case_usage(t):
    what = "case 9"
    rundir = t.lab.sw.rundir
    for target, args in ((f"unix:{rundir}/nosuchbridge.mgmt", ["dump-flows"]),
                         ("vsnosuchbr", ["dump-flows"]),
                         (t.target, ["nosuchcommand"]),
                         (t.target, ["add-flow"]),
                         (t.target, ["dump-flows", "in_port=1", "extra"]),
                         (t.target, ["--no-names", "dump-flows", "in_port=" + t.lab.h["h1"].port]),
                         (t.target, ["--no-names", "dump-flows", "in_port=1"])):
        t.compare(what, *args, target=target)


def suite(lab):
    """The one case netns.main() runs: builds the bridge and runs every case."""
    bridge = lab.topo.dev("of")
    if not lab.add_bridge(bridge):
        return
    lab.h = {}
    lab.port_names = {}
    for i, role in enumerate(("h1", "h2", "h3"), start=1):
        host = lab.topo.add_veth_host(role, 40 + i)
        lab.h[role] = host
        lab.port_names[f"p{i}"] = host.port
        ok, _ = lab.vsctl_ok(f"build: add-port {host.port}", "add-port", bridge, host.port,
                             "--", "set", "Interface", host.port, f"ofport_request={i}")
        if not ok:
            return
    lab.wait_attached([h.port for h in lab.h.values()], "build")
    lab.workdir = tempfile.mkdtemp(prefix="vsofctl-", dir=os.path.dirname(lab.sw.db))
    t = Tools(lab, f"unix:{lab.sw.rundir}/{bridge}.mgmt")
    lab.standard_flows = [f.format(**lab.port_names) for f in FLOWS]
    for case in (case_describe, case_flows, case_filters, case_changes, case_refused,
                 case_files, case_groups_packet_out, case_bytes, case_usage):
        try:
            case(t)
        except Exception as e:  # a crash in one case is a failure, not an abort
            lab.res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    if "--vsofctl" in sys.argv:
        i = sys.argv.index("--vsofctl")
        VSOFCTL = os.path.abspath(sys.argv[i + 1]) if i + 1 < len(sys.argv) else ""
        del sys.argv[i:i + 2]
    if not VSOFCTL or not os.access(VSOFCTL, os.X_OK):
        print(f"vsofctl not executable: {VSOFCTL!r} (give --vsofctl PATH)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    if shutil.which(OFCTL) is None:
        print("ovs-ofctl not found (package openvswitch-common)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    sys.exit(netns.main((suite,), __doc__))
