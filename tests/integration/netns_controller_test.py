#!/usr/bin/env python3
"""An SDN controller drives vswitchd: os-ken (Debian's python3-os-ken) over TCP.

Run as root: python3 netns_controller_test.py --vswitchd PATH --vsctl PATH --vsappctl PATH

One bridge, three hosts in namespaces on veth ports, and a learning switch written as an os-ken
application (osken_learning_switch.py) listening on 127.0.0.1:
  1. `vsctl set-controller`: vswitchd connects, and writes back Controller.is_connected, role
     and status, and Bridge.datapath_id.
  2. The hosts ping each other through packet-ins, flow-mods and packet-outs: the controller's
     table-miss flow and the flows it learned appear in dump-flows, NORMAL's flow is gone.
  3. fail_mode standalone: with the controller stopped and the flows deleted, the bridge fails
     open after three inactivity probes and NORMAL carries the pings.
  4. The controller comes back: it is connected again and its flows steer the traffic again.
  5. fail_mode secure: with the controller stopped, the flows it installed keep forwarding;
     once they are deleted nothing forwards, however long the controller stays away.

Same rules as netns_forwarding_test.py, whose topology, daemon and clean-up this reuses; the
controller is a child process of this test, stopped by its PID.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import netns_forwarding_test as netns
from netns_forwarding_test import fmt, ping_until, pings_in_parallel, poll, run

OFCTL = "ovs-ofctl"
OSKEN = "osken-manager"
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "osken_learning_switch.py")
PROBE_MS = 1000  # Controller.inactivity_probe: fail-open comes after three of them


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CtlLab:
    def __init__(self, lab):
        self.lab, self.res, self.sw, self.topo = lab, lab.res, lab.sw, lab.topo
        self.bridge = self.topo.dev("ct")
        self.target = f"unix:{self.sw.rundir}/{self.bridge}.mgmt"
        self.port = free_tcp_port()
        self.log = os.path.join(os.path.dirname(self.sw.db), "osken.log")
        self.controller = None
        self.h = {}

    # --- the controller process ---------------------------------------------------------
    def start_controller(self):
        log = open(self.log, "a")
        self.controller = subprocess.Popen(
            [OSKEN, "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", str(self.port),
             APP], stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def stop_controller(self):
        if self.controller is None:
            return
        self.controller.terminate()
        try:
            self.controller.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.controller.kill()
            self.controller.wait()
        self.controller = None

    def controller_log(self):
        try:
            with open(self.log) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    # --- the switch side ----------------------------------------------------------------
    def ofctl(self, *args):
        return run([OFCTL, "-O", "OpenFlow13", args[0], self.target] + list(args[1:]), timeout=30)

    def flows(self):
        """dump-flows lines without durations and counters."""
        _, out, _ = self.ofctl("dump-flows")
        return [re.sub(r"(duration=[^,]*|n_packets=\d+|n_bytes=\d+), ", "", line.strip())
                for line in out.splitlines()[1:] if "actions=" in line]

    def controller_column(self, column):
        status, out, _ = self.sw.vsctl("get", "Controller", self.bridge, column)
        return out.strip() if status == 0 else None

    def wait_connected(self, connected, timeout=20):
        want = "true" if connected else "false"
        return poll(lambda: self.controller_column("is_connected") == want, timeout)

    def all_pairs(self):
        hosts = list(self.h.values())
        return [(a, b.ip) for a in hosts for b in hosts if a is not b]

    def all_ping(self, what):
        ok = ping_until(self.h["h1"], self.h["h2"].ip, timeout=20)
        results = pings_in_parallel(self.all_pairs())
        return self.res.check(ok and all(results.values()), what,
                              f"{results}\nflows:\n" + "\n".join(self.flows()) +
                              "\ncontroller log:\n" + self.controller_log())

    def build(self):
        self.h = self.lab.bridge_with_hosts(self.bridge, 40)  # NORMAL before any controller
        return self.h is not None


def case_connect(cl):
    what = "connect"
    cl.start_controller()
    ok, _ = cl.lab.vsctl_ok(f"{what}: set-controller", "set-controller", cl.bridge,
                            f"tcp:127.0.0.1:{cl.port}", "--", "set", "Controller", cl.bridge,
                            f"inactivity_probe={PROBE_MS}", "max_backoff=1000")
    if not ok:
        return
    cl.res.check(cl.wait_connected(True), f"{what}: Controller.is_connected becomes true",
                 cl.controller_log())
    cl.res.check(cl.controller_column("role") == "other", f"{what}: role is other (equal)",
                 str(cl.controller_column("role")))
    status = cl.controller_column("status") or ""
    cl.res.check("state=ACTIVE" in status, f"{what}: status says state=ACTIVE", status)
    _, dpid, _ = cl.sw.vsctl("get", "Bridge", cl.bridge, "datapath_id")
    cl.res.check(re.fullmatch(r'"?[0-9a-f]{16}"?', dpid.strip()) is not None,
                 f"{what}: Bridge.datapath_id holds 16 hex digits", dpid)
    cl.res.check(poll(lambda: "switch " + dpid.strip().strip('"') in cl.controller_log()),
                 f"{what}: the controller saw that datapath id in the features reply",
                 cl.controller_log())


def case_learning_switch(cl):
    what = "learning switch"
    cl.all_ping(f"{what}: every host pings every other through the controller")
    flows = cl.flows()
    cl.res.check(any("priority=0 actions=CONTROLLER:65535" in f for f in flows),
                 f"{what}: the controller's table-miss flow is in dump-flows", "\n".join(flows))
    cl.res.check(not any("actions=NORMAL" in f for f in flows),
                 f"{what}: the NORMAL flow went when the controller came", "\n".join(flows))
    for host in cl.h.values():
        cl.res.check(any(f"dl_dst={host.mac}" in f for f in flows),
                     f"{what}: a learned flow to {host.name} ({host.mac}) is in dump-flows",
                     "\n".join(flows))


def case_standalone(cl):
    what = "standalone"
    cl.stop_controller()
    cl.res.check(cl.wait_connected(False), f"{what}: is_connected becomes false")
    status, out, err = cl.ofctl("del-flows")
    cl.res.check(status == 0, f"{what}: del-flows", fmt(status, out, err))
    # Three probes (3 s) after the loss, NORMAL takes over; the flows' table stays empty.
    cl.all_ping(f"{what}: the bridge fails open and NORMAL carries every ping")
    cl.res.check(cl.flows() == [], f"{what}: fail-open adds no visible flow", "\n".join(cl.flows()))


def case_reconnect(cl):
    what = "reconnect"
    cl.start_controller()
    cl.res.check(cl.wait_connected(True, timeout=30), f"{what}: the controller is back",
                 cl.controller_log())
    cl.all_ping(f"{what}: the controller steers the pings again")
    flows = cl.flows()
    cl.res.check(any("CONTROLLER" in f for f in flows) and
                 sum("priority=1," in f for f in flows) >= 3,
                 f"{what}: its flows are back in dump-flows", "\n".join(flows))


def case_secure(cl):
    what = "secure"
    ok, _ = cl.lab.vsctl_ok(f"{what}: set-fail-mode secure", "set-fail-mode", cl.bridge, "secure")
    if not ok:
        return
    learned = [f for f in cl.flows() if "priority=1," in f]
    cl.stop_controller()
    cl.res.check(cl.wait_connected(False), f"{what}: is_connected becomes false")
    time.sleep(3 * PROBE_MS / 1000 + 1)  # longer than standalone waits before failing open
    kept = [f for f in cl.flows() if "priority=1," in f]
    cl.res.check(kept == learned and learned, f"{what}: the learned flows stay installed",
                 f"before: {learned}\nafter: {kept}")
    cl.all_ping(f"{what}: the learned flows keep forwarding without the controller")
    status, out, err = cl.ofctl("del-flows")
    cl.res.check(status == 0, f"{what}: del-flows", fmt(status, out, err))
    results = pings_in_parallel(cl.all_pairs())
    cl.res.check(not any(results.values()), f"{what}: without flows nothing forwards",
                 str(results))
    time.sleep(3 * PROBE_MS / 1000 + 1)
    results = pings_in_parallel(cl.all_pairs())
    cl.res.check(not any(results.values()), f"{what}: ... and the bridge never fails open",
                 str(results))


def case_port_status(cl):
    """ovs-ofctl monitor asks for asynchronous messages on the management socket and prints
    the port-status messages of a port that is plugged in late, loses its carrier and goes."""
    what = "port-status"
    # Its own control socket goes to OVS_RUNDIR: our work directory, not OVS's.
    env = dict(os.environ, OVS_RUNDIR=os.path.dirname(cl.sw.db))
    # A miss_send_len (65534) is what subscribes a monitor to asynchronous messages.
    monitor = subprocess.Popen([OFCTL, "-O", "OpenFlow13", "monitor", cl.target, "65534"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    try:
        time.sleep(1)  # connected and subscribed
        host = cl.topo.new_host("h4", 44, "h4n")
        host.port = cl.topo.dev("h4s")
        ok, _ = cl.lab.vsctl_ok(f"{what}: add-port before the device exists", "add-port",
                                cl.bridge, host.port, "--", "set", "Interface", host.port,
                                "ofport_request=4")
        cl.topo.add_veth(host.port, host.dev, host.ns)  # hotplug: the device appears
        cl.topo.configure_host_device(host)
        cl.lab.wait_attached([host.port], what)
        time.sleep(1)
        cl.topo.ns_sh(host.ns, ["ip", "link", "set", host.dev, "down"], "peer down")
        time.sleep(1)
        cl.lab.vsctl_ok(f"{what}: del-port", "del-port", cl.bridge, host.port)
        time.sleep(1)
    finally:
        monitor.terminate()
        out, _ = monitor.communicate(timeout=10)
    events = [line for line in out.splitlines() if "OFPT_PORT_STATUS" in line]
    detail = out[-3000:]
    cl.res.check(any("ADD" in e for e in events) and f"4({host.port})" in out,
                 f"{what}: ADD for the hot-plugged port", detail)
    cl.res.check(any("MOD" in e for e in events) and "LINK_DOWN" in out,
                 f"{what}: MOD with LINK_DOWN when its peer goes down", detail)
    cl.res.check(any("DEL" in e for e in events), f"{what}: DEL when the port is deleted",
                 detail)


CTL_CASES = (case_connect, case_learning_switch, case_standalone, case_reconnect, case_secure,
             case_port_status)


def controller_suite(lab):
    """The one case netns.main() runs: builds the bridge, then every controller case."""
    cl = CtlLab(lab)
    try:
        if not cl.build():
            return
        for case in CTL_CASES:
            try:
                case(cl)
            except Exception as e:  # a crash in one case is a failure, not an abort
                lab.res.check(False, f"{case.__name__} raised", f"{type(e).__name__}: {e}")
    finally:
        cl.stop_controller()


if __name__ == "__main__":
    for tool, package in ((OFCTL, "openvswitch-common"), (OSKEN, "python3-os-ken")):
        if shutil.which(tool) is None:
            print(f"{tool} not found (package {package})", file=sys.stderr)
            print("0 passed, 1 failed")
            sys.exit(1)
    sys.exit(netns.main((controller_suite,), __doc__))
