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
# Run through tools/bench/forward, which also builds vswitch first.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${VS_BUILD_DIR:-$repo/build}
dir=$BA_STATE/vswitch
export VSWITCH_DB=$dir/conf.db VSWITCH_RUNDIR=$dir/run
BR=ba-br
read -r -a ports <<<"$BA_PORTS"
vsctl() { "$build/vsctl/vsctl" --timeout=20 "$@"; }

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
    ;;
  down)
    pid=$(cat "$VSWITCH_RUNDIR/vswitchd.pid" 2>/dev/null)
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
    ;;
  *) echo "usage: $0 up|down|show" >&2; exit 2 ;;
esac
