#!/bin/bash
# Hook for ../shared/bench/forward.sh (its "Switch hooks" contract): puts vswitch in the
# forwarding harness beside the Linux bridge and Open vSwitch. A private vswitchd (database,
# run directory and log under $BA_STATE/vswitch) with one bridge and no controller, i.e. NORMAL
# learning, the same configuration as the OVS hooks. The ports are what VS_XDP_MODE says:
#   unset or empty     `system` ports: AF_PACKET, what `vsctl add-port br veth0` gives (the
#                      counterpart of ovs-netdev)
#   generic            type=afxdp options:xdp-mode=generic: AF_XDP, exactly as the ovs-afxdp
#                      hook configures Open vSwitch (native, best-effort: see port_factory.h)
# With BA_DST_KIND=tap-owned the destination is a `tap` port that vswitchd creates and holds.
# VS_OF_FLOWS=N (unset or 0: NORMAL only, as above) makes `up` replace the bridge's flow table,
# once the ports exist, by N OpenFlow flows "priority=100,udp,tp_src=<1024+k>,actions=output:<the
# destination port>" (k < N, N <= 64512) and "priority=0,actions=NORMAL" for everything else
# (the learning frames), installed with one `vsofctl add-flows`. forward.sh --flows F sends UDP
# source ports 1024..1023+F, so with F <= N its traffic hits F of the N flows and the rest are
# never hit (with the default single flow, source port 9, everything goes to NORMAL). `show` and
# `down` then print how many flows have counted packets (down: after the traffic, for the log).
# Run through tools/bench/forward (which also builds vswitch first) or tools/bench/openflow-forward.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${VS_BUILD_DIR:-$repo/build}
dir=$BA_STATE/vswitch
export VSWITCH_DB=$dir/conf.db VSWITCH_RUNDIR=$dir/run
BR=ba-br
read -r -a ports <<<"$BA_PORTS"
vsctl() { "$build/vsctl/vsctl" --timeout=20 "$@"; }
vsofctl() { "$build/tools/vsofctl" --timeout=60 "$@"; }
of_flows=${VS_OF_FLOWS:-0}
[[ $of_flows =~ ^0+$ ]] && of_flows=0

# install_flows: the VS_OF_FLOWS flows (see the header) instead of the default NORMAL flow.
install_flows() {
  local out file=$dir/of-flows.txt flows n
  if [[ ! $of_flows =~ ^[0-9]+$ ]] || ((10#$of_flows > 64512)); then
    echo "vswitch: VS_OF_FLOWS must be 0..64512 (UDP source ports 1024..65535)" >&2
    return 1
  fi
  out=$(vsctl get interface "${ports[-1]}" ofport) || return 1
  awk -v n="$of_flows" -v out="$out" 'BEGIN {
    for (k = 0; k < n; k++) printf "priority=100,udp,tp_src=%d,actions=output:%d\n", 1024 + k, out
    print "priority=0,actions=NORMAL" }' >"$file"
  vsofctl dump-flows "$BR"            # what the bridge had: its standalone NORMAL flow
  vsofctl del-flows "$BR" || return 1
  vsofctl add-flows "$BR" "$file" || return 1
  flows=$(vsofctl dump-flows "$BR") || return 1
  n=$(grep -c 'udp,tp_src=' <<<"$flows")
  ((n == 10#$of_flows)) || { echo "vswitch: $n udp flows installed, expected $of_flows" >&2; return 1; }
  grep -v -e 'udp,tp_src=' -e '^OFPST_FLOW' <<<"$flows"   # the NORMAL flow
  echo "vswitch: $of_flows udp,tp_src flows to port $out (tp_src 1024..$((1023 + of_flows))) and priority=0 NORMAL"
}

# flow_hits WHEN: how many of the udp flows have counted packets, and the NORMAL flow's counters.
flow_hits() {
  vsofctl dump-flows "$BR" | awk -v when="$1" '
    /udp,tp_src=/ { n++; if (match($0, /n_packets=[0-9]+/) && substr($0, RSTART + 10, RLENGTH - 10) + 0 > 0) hit++ }
    /actions=NORMAL/ { normal = $0 }
    END { printf "vswitch %s: %d of %d udp,tp_src flows hit (n_packets > 0)\n%s\n", when, hit, n, normal }'
}

case ${1:-} in
  up)
    mkdir -p "$dir"
    "$build/vswitchd/vswitchd" --detach --pidfile --log-file="$dir/vswitchd.log" \
      || { echo "vswitch: vswitchd did not start, see $dir/vswitchd.log" >&2; exit 1; }
    args=(add-br "$BR")
    for p in "${ports[@]}"; do
      args+=(-- add-port "$BR" "$p")
      if [[ $BA_DST_KIND == tap-owned && $p == "${ports[-1]}" ]]; then
        args+=(-- set interface "$p" type=tap)
      elif [[ -n ${VS_XDP_MODE:-} ]]; then
        args+=(-- set interface "$p" type=afxdp "options:xdp-mode=$VS_XDP_MODE")
      fi
    done
    vsctl "${args[@]}" || exit 1
    for p in "${ports[@]}"; do
      [[ $(vsctl get interface "$p" ofport) -gt 0 ]] || { vsctl list interface "$p" >&2; exit 1; }
    done
    if [[ $of_flows != 0 ]]; then install_flows || exit 1; fi
    ;;
  down)
    pid=$(cat "$VSWITCH_RUNDIR/vswitchd.pid" 2>/dev/null)
    if [[ -n $pid && $of_flows != 0 ]] && kill -0 "$pid" 2>/dev/null; then
      flow_hits "after the traffic"   # in the harness's log: the flows were used
    fi
    if [[ -n $pid ]]; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$dir"
    exit 0
    ;;
  show)
    "$build/tools/vsappctl" dpif/show
    "$build/tools/vsappctl" fdb/show "$BR"
    "$build/tools/vsappctl" coverage/show | head -8
    if [[ $of_flows != 0 ]]; then flow_hits "after learning"; fi
    ;;
  *) echo "usage: $0 up|down|show" >&2; exit 2 ;;
esac
