#!/usr/bin/env python3
"""Regenerates tests/controller/ofp_golden.h: OpenFlow 1.3 golden bytes from real Open vSwitch.

Starts a private ovsdb-server and ovs-vswitchd (netdev datapath, in a network namespace of its
own), relays each `ovs-ofctl -O OpenFlow13 ...` through a recording proxy on a unix socket and
writes every message of every case, both directions, as a C++ header. Messages the switch sends
on its own (packet-in, flow-removed, port-status) and those ovs-ofctl has no command for (role,
asynchronous configuration, table-mod, malformed requests) come from an `ovs-ofctl monitor`
connection driven through its control socket. Standard library only.
Usage (as root): python3 tests/controller/ofp_golden_capture.py [--out FILE] [--keep-going]
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "ofp_golden.h")
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
CMD_TIMEOUT = 10.0  # seconds per ovs-ofctl run
BR = object()  # placeholder for the proxy socket in a case's arguments

# Packet for packet-out: ARP request 198.18.0.1 -> 198.18.0.2 from 00:00:00:00:00:01.
ARP_HEX = ("ffffffffffff000000000001080600010800060400010000000000"
           "01c6120001000000000000c6120002")

# An Ethernet frame of the local experimental type 0x88b5, 100 bytes, from port 1's address.
FRAME_88B5_HEX = ("020000000002020000000001" "88b5" + "".join("%02x" % i for i in range(86)))

# The miss_send_len and packet-in format of a monitor case: without a miss_send_len OVS sends
# a monitor (a service connection) no asynchronous messages; "standard" asks for OFPT_PACKET_IN
# rather than Nicira's NXT_PACKET_IN2.
MONITOR = ["monitor", BR, "65534", "-P", "standard"]

# A group-mod of group 99 with buckets, for the malformed ones below (hex, spaces ignored).
OUTPUT1 = "0000 0010 00000001 0000 000000000000"
BUCKET = "0020 0000 ffffffff ffffffff 00000000" + OUTPUT1


def group_mod(xid, command_type, buckets):
    """A group-mod of group 99: `command_type` is the command (4 hex digits) and the type (2)."""
    body = command_type + "00 00000063" + buckets
    length = 8 + len(body.replace(" ", "")) // 2
    return "040f%04x%08x" % (length, xid) + body


# (id, description, ofctl arguments, options) where options may hold "proto" (the -O value,
# default OpenFlow13), "expect_error" (the switch is meant to answer with OFPT_ERROR) and
# "steps" (the arguments start a monitor; see run_monitor_case).
CASES = [
    ("probe", "echo request and reply", ["probe", BR], {}),
    ("show", "features, port descriptions and switch config", ["show", BR], {}),
    ("dump_desc", "switch description (OFPMP_DESC)", ["dump-desc", BR], {}),
    ("dump_flows_empty", "flow stats of an empty switch", ["dump-flows", BR], {}),
    ("dump_aggregate_empty", "aggregate stats, no flows", ["dump-aggregate", BR], {}),
    ("get_frags", "get config: fragment handling", ["get-frags", BR], {}),
    ("set_frags_drop", "set config: drop fragments", ["set-frags", BR, "drop"], {}),
    ("get_frags_drop", "get config after set-frags drop", ["get-frags", BR], {}),
    ("set_frags_normal", "set config: fragments back to normal", ["set-frags", BR, "normal"], {}),
    ("add_flow_output", "in_port match, output action",
     ["add-flow", BR, "priority=100,in_port=1,actions=output:2"], {}),
    ("add_flow_eth_vlan", "masked dl_src/dl_dst, dl_vlan, dl_vlan_pcp",
     ["add-flow", BR, "priority=110,dl_src=00:00:00:00:00:01/ff:ff:ff:00:00:00,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_vlan=10,dl_vlan_pcp=3,actions=output:2"],
     {}),
    ("add_flow_vlan_tci_mask", "vlan_tci=0x1000/0x1000 (any tagged frame)",
     ["add-flow", BR, "priority=111,vlan_tci=0x1000/0x1000,actions=output:1"], {}),
    ("add_flow_ipv4", "ipv4 prefix and host, nw_tos, nw_ecn, ip_proto",
     ["add-flow", BR, "priority=120,ip,nw_src=198.18.0.0/16,nw_dst=198.18.1.1,nw_tos=32,"
      "nw_ecn=1,ip_proto=17,actions=output:1"], {}),
    ("add_flow_tcp", "tcp ports, tp_dst with a mask",
     ["add-flow", BR, "priority=130,tcp,tp_src=80,tp_dst=0x1000/0xf000,actions=output:2"], {}),
    ("add_flow_udp", "udp ports",
     ["add-flow", BR, "priority=131,udp,tp_src=53,tp_dst=5353,actions=output:2"], {}),
    ("add_flow_sctp", "sctp ports",
     ["add-flow", BR, "priority=132,sctp,tp_src=2905,tp_dst=2906,actions=output:2"], {}),
    ("add_flow_icmp", "icmp type and code",
     ["add-flow", BR, "priority=133,icmp,icmp_type=8,icmp_code=0,actions=output:2"], {}),
    ("add_flow_arp", "arp op, spa, tpa prefix, sha, tha",
     ["add-flow", BR, "priority=140,arp,arp_op=1,arp_spa=198.18.0.1,arp_tpa=198.18.0.0/24,"
      "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:00,actions=output:2"], {}),
    ("add_flow_ipv6", "ipv6 src/dst prefixes, flow label",
     ["add-flow", BR, "priority=150,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8:1::1/64,"
      "ipv6_label=0x12345,actions=output:2"], {}),
    ("add_flow_icmp6_nd", "icmp6 neighbour solicitation with nd_target",
     ["add-flow", BR, "priority=151,icmp6,icmp_type=135,icmp_code=0,nd_target=2001:db8::1,"
      "actions=output:2"], {}),
    ("add_flow_tun_id", "tunnel_id match",
     ["add-flow", BR, "priority=160,tun_id=0x64,actions=output:1"], {}),
    ("add_flow_metadata", "masked metadata match",
     ["add-flow", BR, "priority=161,metadata=0x5/0xff,actions=output:1"], {}),
    ("add_flow_table3", "flow in table 3",
     ["add-flow", BR, "table=3,priority=10,in_port=2,actions=output:1"], {}),
    ("add_flow_cookie", "cookie",
     ["add-flow", BR, "cookie=0x1234,priority=170,in_port=2,actions=output:1"], {}),
    ("add_flow_timeouts_flags", "idle/hard timeouts, send_flow_rem, check_overlap",
     ["add-flow", BR, "priority=171,in_port=2,dl_type=0x88cc,idle_timeout=300,"
      "hard_timeout=600,send_flow_rem,check_overlap,actions=drop"], {}),
    ("add_flow_normal", "output:NORMAL",
     ["add-flow", BR, "priority=180,dl_type=0x0800,actions=NORMAL"], {}),
    ("add_flow_flood", "output:FLOOD",
     ["add-flow", BR, "priority=181,dl_dst=ff:ff:ff:ff:ff:ff,actions=FLOOD"], {}),
    ("add_flow_all", "output:ALL",
     ["add-flow", BR, "priority=182,dl_dst=ff:ff:ff:ff:ff:fe,actions=ALL"], {}),
    ("add_flow_controller", "output:CONTROLLER with max_len 128",
     ["add-flow", BR, "priority=183,dl_type=0x88b5,actions=CONTROLLER:128"], {}),
    ("add_flow_local", "output:LOCAL",
     ["add-flow", BR, "priority=184,dl_type=0x88b6,actions=LOCAL"], {}),
    ("add_flow_in_port", "output:IN_PORT",
     ["add-flow", BR, "priority=185,dl_type=0x88b7,actions=IN_PORT"], {}),
    ("add_flow_push_vlan", "push_vlan then set_field vlan_vid (4096|10)",
     ["add-flow", BR, "priority=190,in_port=1,dl_type=0x0806,"
      "actions=push_vlan:0x8100,set_field:4106->vlan_vid,output:2"], {}),
    ("add_flow_pop_vlan", "pop_vlan",
     ["add-flow", BR, "priority=191,in_port=2,dl_vlan=10,actions=pop_vlan,output:1"], {}),
    ("add_flow_mod_vlan_vid", "mod_vlan_vid as OF1.3 encodes it",
     ["add-flow", BR, "priority=192,in_port=2,dl_vlan=20,actions=mod_vlan_vid:30,output:1"], {}),
    ("add_flow_set_field", "set_field on eth_dst and ipv4_dst",
     ["add-flow", BR, "priority=193,ip,in_port=1,actions=set_field:00:00:00:00:00:02->eth_dst,"
      "set_field:198.18.0.2->ip_dst,output:2"], {}),
    ("add_flow_ttl", "dec_ttl and mod_nw_ttl",
     ["add-flow", BR, "priority=194,ip,in_port=2,actions=dec_ttl,mod_nw_ttl:9,output:1"], {}),
    ("add_group_all", "group type all, two buckets",
     ["add-group", BR, "group_id=1,type=all,bucket=output:1,bucket=output:2"], {}),
    ("add_group_select", "group type select with weights",
     ["add-group", BR, "group_id=2,type=select,bucket=weight:60,output:1,"
      "bucket=weight:40,output:2"], {}),
    ("add_group_indirect", "group type indirect",
     ["add-group", BR, "group_id=3,type=indirect,bucket=output:2"], {}),
    ("add_group_ff", "group type fast_failover with watch_port",
     ["add-group", BR, "group_id=4,type=ff,bucket=watch_port:1,output:1,"
      "bucket=watch_port:2,output:2"], {}),
    ("add_flow_group", "group action",
     ["add-flow", BR, "priority=195,udp,actions=group:1"], {}),
    ("add_flow_write_actions_goto", "write_actions and goto_table",
     ["add-flow", BR, "priority=196,in_port=1,dl_type=0x86dd,"
      "actions=write_actions(output:2),goto_table:1"], {}),
    ("add_flow_clear_write_metadata", "apply, clear_actions, write_metadata, goto_table",
     ["add-flow", BR, "priority=197,in_port=2,dl_vlan=5,"
      "actions=pop_vlan,clear_actions,write_metadata:0x1/0xff,goto_table:3"], {}),
    ("dump_flows", "flow stats with every flow added above", ["dump-flows", BR], {}),
    ("dump_flows_match", "flow stats filtered by a match", ["dump-flows", BR, "tcp"], {}),
    ("dump_flows_table3", "flow stats of table 3", ["dump-flows", BR, "table=3"], {}),
    ("dump_aggregate", "aggregate stats of every flow", ["dump-aggregate", BR], {}),
    ("mod_group_select", "group-mod MODIFY: the select group's weights change",
     ["mod-group", BR, "group_id=2,type=select,bucket=weight:10,output:2,"
      "bucket=weight:90,output:1"], {}),
    ("dump_groups", "group descriptions", ["dump-groups", BR], {}),
    ("dump_group_stats", "group statistics", ["dump-group-stats", BR], {}),
    ("dump_group_stats_one", "group statistics of group 4",
     ["dump-group-stats", BR, "group_id=4"], {}),
    ("dump_group_features", "group features", ["dump-group-features", BR], {}),
    ("mod_flows", "modify actions of every in_port=1 flow",
     ["mod-flows", BR, "in_port=1,actions=output:LOCAL"], {}),
    ("mod_flows_strict", "modify one flow, matched strictly with its priority",
     ["--strict", "mod-flows", BR, "priority=100,in_port=1,actions=output:2"], {}),
    ("packet_out", "ARP out of port 1, in_port LOCAL (old syntax)",
     ["packet-out", BR, "LOCAL", "output:1", ARP_HEX], {}),
    ("packet_out_kv", "same packet-out in key=value syntax",
     ["packet-out", BR, "in_port=LOCAL,packet=" + ARP_HEX + ",actions=output:1"], {}),
    ("packet_out_table", "packet-out through the flow table (output:TABLE)",
     ["packet-out", BR, "in_port=1,packet=" + ARP_HEX + ",actions=output:TABLE"], {}),
    ("dump_ports", "port stats of every port", ["dump-ports", BR], {}),
    ("dump_ports_one", "port stats of port 1", ["dump-ports", BR, "1"], {}),
    ("dump_ports_desc", "port descriptions", ["dump-ports-desc", BR], {}),
    ("dump_tables", "table stats", ["dump-tables", BR], {}),
    ("dump_table_features", "table features", ["dump-table-features", BR], {}),
    ("mod_port_down", "port mod: port 1 administratively down", ["mod-port", BR, "1", "down"],
     {}),
    ("mod_port_up", "port mod: port 1 up again", ["mod-port", BR, "1", "up"], {}),
    ("del_flows_cookie", "delete by exact cookie", ["del-flows", BR, "cookie=0x1234/-1"], {}),
    ("del_flows_out_port", "delete flows that output to port 2",
     ["del-flows", BR, "out_port=2"], {}),
    ("del_flows_strict", "delete one flow, matched strictly",
     ["--strict", "del-flows", BR, "priority=100,in_port=1"], {}),
    ("del_flows_match", "delete flows matching a field", ["del-flows", BR, "ip"], {}),
    ("del_groups_one", "delete group 4", ["del-groups", BR, "group_id=4"], {}),
    ("error_table_254", "flow in the hidden table 254: the switch refuses",
     ["add-flow", BR, "table=254,priority=1,actions=drop"], {"expect_error": True}),
    ("error_goto_lower_table", "goto_table to a lower table (ovs-ofctl may refuse it itself)",
     ["add-flow", BR, "table=3,priority=1,actions=goto_table:1"], {"expect_error": True}),
    ("error_unknown_group", "group action on a group that does not exist",
     ["add-flow", BR, "priority=1,actions=group:99"], {"expect_error": True}),
    ("error_group_exists", "add-group on an existing group id",
     ["add-group", BR, "group_id=1,type=all,bucket=output:1"], {"expect_error": True}),
    ("error_overlap", "check_overlap: same priority as vlan_tci=0x1000/0x1000, overlapping",
     ["add-flow", BR, "priority=111,dl_vlan=7,check_overlap,actions=drop"],
     {"expect_error": True}),
    ("error_hello_of10", "OpenFlow 1.0 client against a 1.3-only switch: HELLO_FAILED",
     ["show", BR], {"proto": "OpenFlow10", "expect_error": True}),
    ("del_flows_all", "delete every flow", ["del-flows", BR], {}),
    ("del_groups_all", "delete every group", ["del-groups", BR], {}),
    ("dump_flows_after_delete", "flow stats after deleting everything", ["dump-flows", BR], {}),
    ("monitor_packet_in", "packet-ins: a packet-out to CONTROLLER, then a flow's CONTROLLER:64",
     MONITOR, {"steps": [
         ("packet-out", "in_port=1,packet=" + ARP_HEX + ",actions=CONTROLLER"),
         ("wait", "PACKET_IN", 1),
         ("ofctl", ["add-flow", BR, "cookie=0x5678,priority=5,dl_type=0x88b5,"
                    "actions=CONTROLLER:64"]),
         ("packet-out", "in_port=1,packet=" + FRAME_88B5_HEX + ",actions=output:TABLE"),
         ("wait", "PACKET_IN", 2),
         ("ofctl", ["del-flows", BR, "dl_type=0x88b5"])]}),
    ("monitor_flow_removed", "flow-removed: deleted, then after a hard timeout of 1 s",
     MONITOR, {"steps": [
         ("ofctl", ["add-flow", BR, "cookie=0x77,priority=50,in_port=2,dl_type=0x88b8,"
                    "idle_timeout=30,send_flow_rem,actions=drop"]),
         ("ofctl", ["del-flows", BR, "dl_type=0x88b8"]),
         ("wait", "FLOW_REMOVED", 1),
         ("ofctl", ["add-flow", BR, "table=3,priority=51,dl_type=0x88b9,hard_timeout=1,"
                    "send_flow_rem,actions=drop"]),
         ("wait", "FLOW_REMOVED", 2)]}),
    ("monitor_port_status", "port-status: port 1 down, then up", MONITOR, {"steps": [
        ("ofctl", ["mod-port", BR, "1", "down"]),
        ("wait", "PORT_STATUS", 1),
        ("ofctl", ["mod-port", BR, "1", "up"]),
        ("wait", "PORT_STATUS", 2)]}),
    ("monitor_role", "role requests: no change, master, slave, equal", MONITOR, {"steps": [
        ("send", "0418 0018 00000101 00000000 00000000 0000000000000000"),
        ("send", "0418 0018 00000102 00000002 00000000 0000000000000001"),
        ("send", "0418 0018 00000103 00000003 00000000 0000000000000002"),
        ("send", "0418 0018 00000104 00000001 00000000 0000000000000000")]}),
    ("monitor_async", "get-async, set-async, get-async again", MONITOR, {"steps": [
        ("send", "041a 0008 00000201"),
        ("send", "041c 0020 00000202 00000001 00000000 00000007 00000000 00000007 0000000f"),
        ("send", "041a 0008 00000203")]}),
    ("monitor_table_mod", "table-mods (ovs-ofctl mod-table has none for OpenFlow 1.3)",
     MONITOR, {"steps": [
         ("send", "0411 0010 00000301 00 000000 00000000"),
         ("send", "0411 0010 00000302 ff 000000 00000003")]}),
    ("monitor_malformed", "malformed requests: the errors OVS answers them with", MONITOR,
     {"steps": [
         ("send", "040d 0018 00000401 ffffffff fffffff9 0000 000000000000"),  # in_port TABLE
         ("send", "040d 0028 00000402 ffffffff fffffffd 000c 000000000000" + OUTPUT1),
         ("send", group_mod(0x404, "0000 00", "0008 0000 ffffffff ffffffff 00000000")),
         ("send", group_mod(0x405, "0000 05", "")),  # type 5
         ("send", group_mod(0x406, "0007 00", "")),  # command 7
         ("send", group_mod(0x407, "0000 02", BUCKET + BUCKET)),  # indirect, two buckets
         ("send", group_mod(0x408, "0000 00", "0020 0005 ffffffff ffffffff 00000000" +
                            OUTPUT1)),  # weight in an all group
         ("send", group_mod(0x409, "0000 03", BUCKET)),  # fast failover watching nothing
         ("send", group_mod(0x40a, "0002 00", BUCKET)),  # delete with a bucket
         ("send", "0410 0028 0000040b 00000000 00000000 020000000001 0000 00000001 00000001"
                  "00000000 00000000"),  # port-mod of port 0
         ("send", "0418 0018 0000040c 00000005 00000000 0000000000000000"),  # role 5
         ("send", "041c 001c 0000040d 00000001 00000000 00000007 00000000 00000007"),
         ("send", "0412 0014 0000040e 0003 0000 00000000 00000000"),  # table stats + body
         ("send", "0412 0014 0000040f 0006 0000 00000000 fffffffc")]}),  # group stats, short
]

OFPT = ["HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST",
        "FEATURES_REPLY", "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN",
        "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD",
        "TABLE_MOD", "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY",
        "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY", "ROLE_REQUEST", "ROLE_REPLY",
        "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD"]
OFPMP = ["DESC", "FLOW", "AGGREGATE", "TABLE", "PORT_STATS", "QUEUE", "GROUP", "GROUP_DESC",
         "GROUP_FEATURES", "METER", "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES",
         "PORT_DESC"]
FLOW_MOD_CMD = ["ADD", "MODIFY", "MODIFY_STRICT", "DELETE", "DELETE_STRICT"]
GROUP_MOD_CMD = ["ADD", "MODIFY", "DELETE"]


def describe(msg):
    """One-line name of an OpenFlow message, for the comment beside its bytes."""
    if len(msg) < 8:
        return "truncated"
    version, mtype = msg[0], msg[1]
    if version != 4:  # the first six types are the same in every version
        name = OFPT[mtype] if mtype < 6 else "type %d" % mtype
        return "OpenFlow 1.%d %s" % (version - 1, name) if version <= 6 else "version %d" % version
    name = OFPT[mtype] if mtype < len(OFPT) else "type %d" % mtype
    if mtype == 1 and len(msg) >= 12:
        name += " type=%d code=%d" % (int.from_bytes(msg[8:10], "big"),
                                      int.from_bytes(msg[10:12], "big"))
    elif mtype in (18, 19) and len(msg) >= 12:
        mp = int.from_bytes(msg[8:10], "big")
        name += " " + (OFPMP[mp] if mp < len(OFPMP) else "0x%x" % mp)
        if int.from_bytes(msg[10:12], "big") & 1:
            name += " (more)"
    elif mtype == 14 and len(msg) >= 26 and msg[25] < len(FLOW_MOD_CMD):
        name += " " + FLOW_MOD_CMD[msg[25]]
    elif mtype == 15 and len(msg) >= 10:
        cmd = int.from_bytes(msg[8:10], "big")
        name += " " + (GROUP_MOD_CMD[cmd] if cmd < len(GROUP_MOD_CMD) else str(cmd))
    elif mtype == 4 and len(msg) >= 16:
        name += " vendor=0x%08x subtype=%d" % (int.from_bytes(msg[8:12], "big"),
                                               int.from_bytes(msg[12:16], "big"))
    return name


class Recorder:
    """Messages of one case, both directions, in the order the proxy saw them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # (connection number, from_switch, bytes)
        self.notes = []
        self.threads = []
        self.connections = 0

    def add(self, conn, from_switch, data):
        with self.lock:
            self.messages.append((conn, from_switch, bytes(data)))

    def note(self, text):
        with self.lock:
            self.notes.append(text)


class Proxy:
    """Unix-socket relay to the bridge's .mgmt socket that frames and records OpenFlow."""

    def __init__(self, listen_path, target_path):
        self.target_path = target_path
        self.recorder = Recorder()
        self.stopping = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(listen_path)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopping:
            try:
                client, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            client.settimeout(None)
            rec = self.recorder
            with rec.lock:
                rec.connections += 1
                conn = rec.connections
            t = threading.Thread(target=self._serve, args=(client, rec, conn), daemon=True)
            with rec.lock:
                rec.threads.append(t)
            t.start()

    def _serve(self, client, rec, conn):
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self.target_path)
        except OSError as e:
            rec.note("connection %d: cannot reach switch: %s" % (conn, e))
            client.close()
            upstream.close()
            return
        a = threading.Thread(target=self._pump, args=(client, upstream, rec, conn, False))
        b = threading.Thread(target=self._pump, args=(upstream, client, rec, conn, True))
        a.start()
        b.start()
        a.join()
        b.join()
        client.close()
        upstream.close()

    @staticmethod
    def _pump(src, dst, rec, conn, from_switch):
        buf = bytearray()
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            buf += data
            while len(buf) >= 8:
                length = int.from_bytes(buf[2:4], "big")
                if length < 8:  # not OpenFlow framing: record the rest as is
                    rec.note("connection %d: bad length %d" % (conn, length))
                    length = len(buf)
                if len(buf) < length:
                    break
                rec.add(conn, from_switch, buf[:length])
                del buf[:length]
            try:
                dst.sendall(data)
            except OSError:
                break
        if buf:
            rec.note("connection %d: %d trailing bytes %s" %
                     (conn, len(buf), "from switch" if from_switch else "to switch"))
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass

    def start_case(self):
        self.recorder = Recorder()

    def finish_case(self, timeout=5.0):
        """Waits for the case's connections to close; returns its Recorder."""
        rec = self.recorder
        deadline = time.monotonic() + timeout
        while True:
            with rec.lock:
                threads = list(rec.threads)
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))
            with rec.lock:
                if len(rec.threads) == len(threads) or time.monotonic() >= deadline:
                    break
        if any(t.is_alive() for t in threads):
            rec.note("a connection was still open %.0f s after ovs-ofctl ended" % timeout)
        self.recorder = Recorder()
        with rec.lock:
            return rec

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.sock.close()


class Env:
    """The private OVS instance: directories, daemons, bridge. Every stop is by PID."""

    def __init__(self, keep_logs):
        self.dir = tempfile.mkdtemp(prefix="ofpgold.")
        self.keep_logs = keep_logs
        tag = "gold%07d" % (os.getpid() % 10000000)  # 11 characters, unique to this run
        self.bridge, self.port1, self.port2 = tag, tag + "p1", tag + "p2"
        self.daemons = []  # (name, Popen)
        self.child = None  # the running ovs-ofctl, if any
        self.env = dict(os.environ)
        for var in ("OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"):
            self.env[var] = self.dir
        self.db_sock = os.path.join(self.dir, "db.sock")
        self.mgmt = os.path.join(self.dir, self.bridge + ".mgmt")

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, argv, timeout=20):
        p = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout,
                           start_new_session=True)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (shlex.join(argv), p.returncode,
                                                       p.stderr.strip()))
        return p.stdout

    def spawn(self, name, argv):
        log = open(self.path(name + ".out"), "wb")
        p = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.daemons.append((name, p))
        return p

    def tail(self, name, lines=15):
        out = []
        for f in (name + ".out", name + ".log"):
            try:
                with open(self.path(f), errors="replace") as fh:
                    out += fh.read().splitlines()[-lines:]
            except OSError:
                pass
        return "\n".join(out)

    def wait_for(self, what, cond, daemon, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            if daemon.poll() is not None:
                break
            time.sleep(0.05)
        name = [n for n, p in self.daemons if p is daemon][0]
        raise RuntimeError("%s did not happen (%s %s)\n%s" % (
            what, name, "exited %d" % daemon.returncode if daemon.poll() is not None
            else "still running", self.tail(name)))

    def start(self):
        db = self.path("conf.db")
        self.run(["ovsdb-tool", "create", db, SCHEMA])
        ovsdb = self.spawn("ovsdb-server", [
            "ovsdb-server", db, "--remote=punix:" + self.db_sock,
            "--unixctl=" + self.path("ovsdb-server.ctl"),
            "--pidfile=" + self.path("ovsdb-server.pid"),
            "--log-file=" + self.path("ovsdb-server.log"), "--no-chdir", "-vconsole:off"])
        self.wait_for("ovsdb-server socket", lambda: os.path.exists(self.db_sock), ovsdb)
        vsctl = ["ovs-vsctl", "--db=unix:" + self.db_sock, "--timeout=20"]
        br, p1, p2 = self.bridge, self.port1, self.port2
        self.run(vsctl + [
            "--no-wait", "init", "--",
            "add-br", br, "--",
            "set", "Bridge", br, "datapath_type=netdev", "fail_mode=secure",
            "protocols=OpenFlow13", "other_config:datapath-id=0000000000000001",
            "other_config:hwaddr=02:00:00:00:00:fe", "--",
            "add-port", br, p1, "--",
            "set", "Interface", p1, "type=internal", "ofport_request=1",
            "mac=\"02:00:00:00:00:01\"", "--",
            "add-port", br, p2, "--",
            "set", "Interface", p2, "type=internal", "ofport_request=2",
            "mac=\"02:00:00:00:00:02\""])
        # Own network namespace: the datapath's taps (the bridge, both ports and ovs-netdev)
        # never appear on the host and vanish with ovs-vswitchd; IPv6 off so no router
        # solicitations reach the port counters.
        script = ("for f in all default; do echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6;"
                  " done 2>/dev/null; exec \"$@\"")
        vswitchd = self.spawn("ovs-vswitchd", [
            "unshare", "--net", "--", "sh", "-c", script, "sh",
            "ovs-vswitchd", "unix:" + self.db_sock, "--no-chdir", "--disable-system",
            "--disable-system-route", "--unixctl=" + self.path("ovs-vswitchd.ctl"),
            "--pidfile=" + self.path("ovs-vswitchd.pid"),
            "--log-file=" + self.path("ovs-vswitchd.log"), "-vconsole:off"])
        self.wait_for("bridge management socket " + self.mgmt,
                      lambda: os.path.exists(self.mgmt), vswitchd)
        for port, num in ((p1, 1), (p2, 2)):
            self.run(vsctl + ["wait-until", "Interface", port, "ofport=%d" % num])

    def stop(self):
        if self.child is not None and self.child.poll() is None:
            self.child.kill()
            self.child.wait()
        for name, p in reversed(self.daemons):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.daemons = []
        if self.keep_logs:
            print("logs kept in %s" % self.dir, file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def client_hello_first(messages):
    """Both peers send HELLO on connect, so the two cross on the wire and the proxy sees them
    in either order. List the client's first, which is a valid order, so that runs agree."""
    msgs = list(messages)
    for conn in sorted({c for c, _, _ in msgs}):
        idx = [i for i, (c, _, _) in enumerate(msgs) if c == conn]
        first_switch = next((i for i in idx if msgs[i][1]), None)
        first_client = next((i for i in idx if not msgs[i][1]), None)
        if first_switch is None or first_client is None or first_switch > first_client:
            continue
        between = [i for i in idx if first_switch < i < first_client]
        if any(msgs[i][1] for i in between):
            continue  # the switch said more before the client spoke: keep what was seen
        msgs.insert(first_client, msgs.pop(first_switch))
    return msgs


def run_case(env, proxy, sock, case):
    cid, desc, args, opts = case
    if "steps" in opts:
        return run_monitor_case(env, proxy, sock, case)
    proto = opts.get("proto", "OpenFlow13")
    # --no-names: otherwise ovs-ofctl first fetches port descriptions and all table features
    # (about 1.2 MB) on extra connections to resolve names in flows it parses or prints.
    prefix = ["ovs-ofctl", "-O", proto, "--no-names"]
    argv = prefix + [sock if a is BR else a for a in args]
    shown = shlex.join(prefix + ["BR" if a is BR else a for a in args])
    proxy.start_case()
    env.child = subprocess.Popen(argv, env=env.env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
    timed_out = False
    try:
        out, err = env.child.communicate(timeout=CMD_TIMEOUT)
    except subprocess.TimeoutExpired:
        env.child.kill()
        out, err = env.child.communicate()
        timed_out = True
    rc = env.child.returncode
    env.child = None
    rec = proxy.finish_case()
    return {
        "id": cid, "description": desc, "command": shown, "rc": rc, "timed_out": timed_out,
        "stdout": out.decode(errors="replace"), "stderr": err.decode(errors="replace"),
        "messages": client_hello_first(rec.messages), "notes": rec.notes,
        "connections": rec.connections,
        "expect_error": opts.get("expect_error", False),
    }


def run_monitor_case(env, proxy, sock, case):
    """Runs `ovs-ofctl monitor` through the proxy and, once it is set up, the case's steps:
    ("send", hex) and ("packet-out", spec) go out on the monitor's own connection (ofctl/send,
    ofctl/packet-out), ("ofctl", args) runs straight against the switch, unrecorded, to make it
    send something, and ("wait", OFPT name, n) waits for the n-th such message from the switch.
    A barrier before `exit` makes sure every reply was recorded."""
    cid, desc, args, opts = case
    prefix = ["ovs-ofctl", "-O", "OpenFlow13", "--no-names"]
    ctl = env.path(cid + ".ctl")
    argv = prefix + [sock if a is BR else a for a in args] + ["--unixctl=" + ctl]
    shown = [shlex.join(prefix + ["BR" if a is BR else a for a in args])]
    for step in opts["steps"]:
        if step[0] in ("send", "packet-out"):
            shown.append("ofctl/%s %s" % (step[0], step[1].replace(" ", "")))
        elif step[0] == "ofctl":
            shown.append("(unrecorded) " + shlex.join(
                ["ovs-ofctl"] + ["BR" if a is BR else a for a in step[1]]))
        else:
            shown.append("until %d %s" % (step[2], step[1]))

    def appctl(*command):
        env.run(["ovs-appctl", "-t", ctl] + list(command), timeout=CMD_TIMEOUT)

    def received(name):
        with proxy.recorder.lock:
            return sum(1 for _, from_switch, m in proxy.recorder.messages
                       if from_switch and len(m) > 1 and m[1] == OFPT.index(name))

    proxy.start_case()
    notes, timed_out = [], False
    with open(env.path(cid + ".out"), "w+b") as out:
        env.child = subprocess.Popen(argv, env=env.env, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + CMD_TIMEOUT
            while not os.path.exists(ctl):
                if env.child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("monitor did not start")
                time.sleep(0.05)
            appctl("ofctl/barrier")  # the monitor's own set-up is done
            for step in opts["steps"]:
                if step[0] in ("send", "packet-out"):
                    appctl("ofctl/" + step[0], step[1].replace(" ", ""))
                elif step[0] == "ofctl":
                    env.run(prefix + ["unix:" + env.mgmt if a is BR else a for a in step[1]],
                            timeout=CMD_TIMEOUT)
                else:
                    deadline = time.monotonic() + CMD_TIMEOUT
                    while received(step[1]) < step[2] and time.monotonic() < deadline:
                        time.sleep(0.05)
                    if received(step[1]) < step[2]:
                        notes.append("waited in vain for %d %s" % (step[2], step[1]))
            appctl("ofctl/barrier")
            appctl("exit")
            env.child.wait(CMD_TIMEOUT)
        except (RuntimeError, subprocess.SubprocessError) as e:
            notes.append("monitor case stopped early: %s" % first_line(str(e)))
            timed_out = isinstance(e, subprocess.TimeoutExpired)
        finally:
            if env.child.poll() is None:
                env.child.kill()
                env.child.wait()
        rc = env.child.returncode
        env.child = None
        out.seek(0)
        output = out.read().decode(errors="replace")
    rec = proxy.finish_case()
    return {
        "id": cid, "description": desc, "command": "; ".join(shown), "rc": rc,
        "timed_out": timed_out, "stdout": output, "stderr": "",
        "messages": client_hello_first(rec.messages), "notes": notes + rec.notes,
        "connections": rec.connections, "expect_error": opts.get("expect_error", False),
    }


def cxx_name(cid):
    return "k" + "".join(w.capitalize() for w in cid.split("_"))


def cxx_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_comment(text, indent="// ", width=100):
    """Comment lines of at most `width` columns; words longer than a line are cut."""
    room = width - len(indent)
    words = []
    for w in text.split():
        words += [w[i:i + room] for i in range(0, len(w), room)]
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > room:
            lines.append(indent + cur)
            cur = ""
        cur = cur + " " + w if cur else w
    lines.append(indent + cur)
    return lines


def cxx_literal_lines(text, indent, width=100, tail=","):
    """Adjacent string literals, each line within `width` columns, the last followed by tail."""
    room = width - len(indent) - 2 - len(tail)
    pieces, cur = [], ""
    for ch in text:
        esc = "\\" + ch if ch in '"\\' else ch
        if len(cur) + len(esc) > room:
            pieces.append(cur)
            cur = ""
        cur += esc
    pieces.append(cur)
    return [indent + '"' + p + '"' + (tail if i == len(pieces) - 1 else "")
            for i, p in enumerate(pieces)]


def first_line(text, limit=150):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def render(results, skipped, env_info):
    out = [
        "// Golden OpenFlow 1.3 bytes: every message, HELLOs included, of `ovs-ofctl -O "
        "OpenFlow13`",
        "// runs against Open vSwitch %s (netdev datapath, datapath-id 1, internal ports 1, 2)." %
        env_info["version"],
        "// Generated by tests/controller/ofp_golden_capture.py; do not edit. Regenerate as root:",
        "//   python3 tests/controller/ofp_golden_capture.py",
        "// Differ per run: stats durations, bridge and port names. Crossing HELLOs: "
        "client's first.",
        "// A command with `;` is one `ovs-ofctl monitor` connection and what was done while it "
        "ran.",
        "#pragma once",
        "",
        "#include <span>",
        "#include <string_view>",
        "",
        "namespace vs::controller::golden {",
        "",
        "struct Message {",
        "  bool from_switch;",
        "  std::string_view hex;  // one whole OpenFlow message, lowercase, no spaces",
        "};",
        "",
        "struct Case {",
        "  std::string_view command;  // as given to ovs-ofctl, socket shown as BR",
        "  std::string_view description;",
        "  std::span<const Message> messages;  // in the order the proxy saw them",
        "};",
        "",
        "// Names the capture gave the bridge and its two internal ports (in port descriptions).",
        "inline constexpr std::string_view kBridgeName = %s;" % cxx_str(env_info["bridge"]),
        "inline constexpr std::string_view kPort1Name = %s;" % cxx_str(env_info["port1"]),
        "inline constexpr std::string_view kPort2Name = %s;" % cxx_str(env_info["port2"]),
        "",
    ]
    if skipped:
        out.append("// Skipped cases, and why:")
        for r, why in skipped:
            out += wrap_comment("%s: %s" % (r["command"], why), indent="//     ")
        out.append("")
    for r in results:
        out += wrap_comment(r["command"])
        info = []
        if r["rc"] != 0:
            info.append("ovs-ofctl exited %d: %s" % (r["rc"], first_line(r["stderr"])))
        if r["connections"] > 1:
            info.append("%d connections, in order" % r["connections"])
        info += r["notes"]
        for line in info:
            out += wrap_comment(line, indent="//   ")
        out.append("inline constexpr Message %s[] = {" % cxx_name(r["id"]))
        for _, from_switch, data in r["messages"]:
            hexs = data.hex()
            flag = "true" if from_switch else "false"
            comment = "  // " + describe(data)
            one = "    {%s, \"%s\"}," % (flag, hexs)
            if len(one) + len(comment) <= 100:
                out.append(one + comment)
                continue
            out.append("    // " + describe(data))
            out.append("    {%s," % flag)
            chunks = [hexs[i:i + 88] for i in range(0, len(hexs), 88)]
            for i, c in enumerate(chunks):
                out.append("     \"%s\"%s" % (c, "}," if i == len(chunks) - 1 else ""))
        out.append("};")
        out.append("")
    out.append("inline constexpr Case kCases[] = {")
    for r in results:
        cmd = cxx_literal_lines(r["command"], "     ")
        cmd[0] = "    {" + cmd[0][5:]
        out += cmd
        out += cxx_literal_lines(r["description"], "     ", tail=", %s}," % cxx_name(r["id"]))
    out.append("};")
    out.append("")
    out.append("}  // namespace vs::controller::golden")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="header to write (default: %(default)s)")
    ap.add_argument("--keep-logs", action="store_true",
                    help="keep the private directory (database, logs) for inspection")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each case's output")
    ap.add_argument("--max-case-kib", type=int, default=256,
                    help="skip a case whose messages add up to more than this (0: no limit; "
                    "dump-table-features is about 1.2 MiB)")
    ap.add_argument("--only", help="regex: run only the cases whose id matches (for debugging)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("must run as root (network namespace, tap devices)")

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in background
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    env = Env(args.keep_logs)
    proxy = None
    results, skipped = [], []
    try:
        version = env.run(["ovs-vswitchd", "--version"]).split()[-1]
        env.start()
        proxy = Proxy(env.path("proxy.sock"), env.mgmt)
        sock = "unix:" + env.path("proxy.sock")
        for case in CASES:
            if args.only and not re.search(args.only, case[0]):
                continue
            r = run_case(env, proxy, sock, case)
            status = "ok"
            total = sum(len(m) for _, _, m in r["messages"])
            if r["timed_out"]:
                status = "timed out"
                skipped.append((r, "timed out after %.0f s" % CMD_TIMEOUT))
            elif args.max_case_kib and total > args.max_case_kib * 1024:
                status = "too big"
                skipped.append((r, "%d messages, %d bytes: over --max-case-kib=%d" %
                                (len(r["messages"]), total, args.max_case_kib)))
            elif not r["messages"]:
                status = "no messages"
                skipped.append((r, "no messages (ovs-ofctl exit %d: %s)" %
                                (r["rc"], first_line(r["stderr"]))))
            else:
                results.append(r)
                if r["rc"] != 0:
                    status = "exit %d%s" % (r["rc"], " (expected)" if r["expect_error"] else "")
                elif r["expect_error"]:
                    status = "no error?!"
            print("%-32s %-14s %3d msgs %s" % (r["id"], status, len(r["messages"]),
                                               first_line(r["stderr"], 60)), file=sys.stderr)
            if args.verbose:
                print(r["stdout"], file=sys.stderr)
            if r["rc"] != 0 and not r["expect_error"] and env.daemons[-1][1].poll() is not None:
                raise RuntimeError("ovs-vswitchd died:\n" + env.tail("ovs-vswitchd"))
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if proxy is not None:
            proxy.close()
        env.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not results:
        sys.exit("nothing captured")
    info = {"version": version, "bridge": env.bridge, "port1": env.port1, "port2": env.port2}
    text = render(results, skipped, info)
    with open(args.out, "w") as f:
        f.write(text)
    print("wrote %s: %d cases, %d skipped" % (args.out, len(results), len(skipped)),
          file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("ofp_golden_capture: interrupted; everything it started is stopped")
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        sys.exit("ofp_golden_capture: %s" % e)
