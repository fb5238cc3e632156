#!/bin/bash
# Hook for ../shared/bench/forward.sh (its "Switch hooks" contract: up|down|show, the same
# environment) that puts TWO vswitchd instances, i.e. two hosts, in the forwarding path and joins
# them by a GRE tunnel, or by a plain link for comparison. Run through tools/bench/gre-forward.
#
#   netns ba-sw (host A: the harness's switch namespace)     netns ba-gre (host B: made here)
#   ba-srcp -- [vswitchd A  ba-br] -- gre0 ...... gre0 -- [vswitchd B  ba-br] -- ba-dstp
#                         ba-ula 198.18.251.1/24 ===== veth ===== ba-ulb 198.18.251.2/24
#
# up: creates netns ba-gre (lo up, IPv6 off as the harness's namespaces), moves the harness's
# destination port ba-dstp (its peer ba-dst0 stays in ba-dst) from ba-sw into ba-gre, adds the
# underlay veth ba-ula (ba-sw, 02:ba:00:00:fb:01) <-> ba-ulb (ba-gre, 02:ba:00:00:fb:02) with the
# addresses above, static neighbour entries (no ARP during a run) and RPS to the switch CPU, and
# starts one vswitchd per host, each with a private database, run directory and log under
# $BA_STATE/gre-a and $BA_STATE/gre-b, one bridge ba-br each and no controller (NORMAL learning,
# as tools/bench/vswitch-hook.sh). The hosts are joined by what VS_LINK says:
#   gre (default)  port gre0 type=gre options:remote_ip=<the other host> options:key=1 on each
#                  side. The underlay veth is no switch port: the outer IPv4 packets go through
#                  the host's IP stack (sent on a raw socket, received by gre_sys). Frames of
#                  more than 1458 bytes (1500 - 20 IPv4 - 8 GRE with key - 14 Ethernet) of
#                  payload, e.g. forward.sh's 1518-byte frames, are fragmented by A's kernel and
#                  reassembled by B's.
#   veth           ba-ula and ba-ulb themselves are switch ports: the same two switches joined
#                  by a plain link, the baseline of the tunnel's cost.
# ba-srcp, ba-dstp and (veth) the underlay ports are of the type VS_XDP_MODE says, as in
# vswitch-hook.sh: empty = `system` (AF_PACKET), else type=afxdp options:xdp-mode=$VS_XDP_MODE.
# Only BA_DST_KIND=veth is supported (exit 2 otherwise). up returns once every port of both
# daemons has an ofport (the GRE ports a live link too) and a probe frame sent with packet-out
# out of each host's link has arrived at the other host's link port (both directions).
# show: dpif/show and fdb/show of both daemons and the gre_* drop counters of B's coverage/show.
# down: prints both daemons' CPU time and (gre) B's GRE counters and the kernels'
# fragmentation/reassembly counters (after the traffic, for the harness's log), stops both
# daemons by their pid files (TERM, 5 s, KILL), moves ba-dstp back into ba-sw, deletes ba-ula
# (ba-ulb goes with it) and ba-gre and removes the state; it does what it can after a failed or
# partial up too.
#
# Departures from the contract, on purpose. The contract asks every process the hook leaves
# running to stay inside ba-sw (the harness's cleanup kills what is left there). vswitchd B runs
# in ba-gre instead, because two hosts need two network namespaces: with both daemons in ba-sw
# the outer packets to the other daemon's address would be local, routed over lo, and the
# kernel hands a copy of every GRE packet to every raw GRE socket of the namespace, so both
# daemons' gre_sys would receive every packet. Hence this hook stops B itself in down (and up
# first clears a ba-gre left by a crashed run; tools/bench/gre-forward does so after the passes
# too). Both daemons still run on the switch CPU: the harness starts the hook under
# `taskset -c $BA_SW_CPU`, and B is started with `ip netns exec ba-gre`, inheriting that mask.
# Because `ip netns exec` gives the hook a private mount namespace, a namespace added from it
# would be invisible outside: ba-gre is added and deleted in the mount namespace of the hook's
# parent (the harness's, since `ip netns exec` execs the hook in place).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${VS_BUILD_DIR:-$repo/build}
state=${BA_STATE:?BA_STATE must be set (see forward.sh, "Switch hooks")}
NSB=ba-gre
NSA=${BA_NS:-ba-sw}
BR=ba-br
ULA=ba-ula ULB=ba-ulb
ULA_IP=198.18.251.1 ULB_IP=198.18.251.2
ULA_MAC=02:ba:00:00:fb:01 ULB_MAC=02:ba:00:00:fb:02
link=${VS_LINK:-gre}
cpu=${BA_SW_CPU:-1}
read -r -a ports <<<"${BA_PORTS:-ba-srcp ba-dstp}"
SRC=${ports[0]} DST=${ports[-1]}

msg() { echo "vswitch-gre: $*" >&2; }

# The mount namespace where ba-gre is to be visible (see the header); ours if unreadable.
outer_mnt=/proc/$PPID/ns/mnt
[[ -r $outer_mnt ]] || outer_mnt=/proc/self/ns/mnt
outer() { nsenter --mount="$outer_mnt" -- "$@"; }
ns_b() { ip netns exec "$NSB" "$@"; }
nsb_exists() { [[ -e /run/netns/$NSB ]] && ip -n "$NSB" link show lo >/dev/null 2>&1; }

# on HOST CMD...: CMD with HOST's (a or b) database and run directory, B's inside ba-gre.
on() {
  local h=$1
  shift
  if [[ $h == b ]]; then
    VSWITCH_DB=$state/gre-b/conf.db VSWITCH_RUNDIR=$state/gre-b/run ns_b "$@"
  else
    VSWITCH_DB=$state/gre-a/conf.db VSWITCH_RUNDIR=$state/gre-a/run "$@"
  fi
}
vsctl() { local h=$1; shift; on "$h" "$build/vsctl/vsctl" --timeout=20 "$@"; }
appctl() { local h=$1; shift; on "$h" "$build/tools/vsappctl" --timeout=10 "$@"; }
ofctl() { local h=$1; shift; on "$h" "$build/tools/vsofctl" --timeout=10 "$@"; }

# port_type_args PORT: the `set interface` arguments of a harness or underlay port.
port_type_args() {
  [[ -n ${VS_XDP_MODE:-} ]] && printf '%s\n' -- set interface "$1" type=afxdp "options:xdp-mode=$VS_XDP_MODE"
}

# start HOST: vswitchd with its own database, run directory and log. It gets no descriptor of
# ours beyond 0-2: the harness holds its lock (forward.lock) on one, and a daemon left running
# by a killed harness would otherwise keep every later forward.sh from starting.
start() {
  local h=$1 dir=$state/gre-$1
  mkdir -p "$dir/run"
  (
    for fd in "/proc/$BASHPID"/fd/*; do
      fd=${fd##*/}
      if ((fd > 2 && fd != 255)); then eval "exec $fd>&-"; fi
    done 2>/dev/null
    on "$h" "$build/vswitchd/vswitchd" --db="$dir/conf.db" --rundir="$dir/run" --detach --pidfile \
      --log-file="$dir/vswitchd.log"
  ) || { msg "vswitchd $h did not start, see $dir/vswitchd.log"; return 1; }
}

# configure HOST LINKPORT HARNESSPORT REMOTE_IP: bridge ba-br with the harness's port and the link
# to the other host (REMOTE_IP: its underlay address), in one transaction; then every port must
# have an ofport, and a GRE port a live link (a route to REMOTE_IP).
configure() {
  local h=$1 lp=$2 hp=$3 remote=$4 p
  local -a args=(add-br "$BR" -- add-port "$BR" "$hp")
  mapfile -t -O ${#args[@]} args < <(port_type_args "$hp")
  args+=(-- add-port "$BR" "$lp")
  if [[ $link == gre ]]; then
    args+=(-- set interface "$lp" type=gre "options:remote_ip=$remote" options:key=1)
  else
    mapfile -t -O ${#args[@]} args < <(port_type_args "$lp")
  fi
  vsctl "$h" "${args[@]}" || { msg "host $h: vsctl failed"; return 1; }
  for p in "$hp" "$lp"; do
    if ! [[ $(vsctl "$h" get interface "$p" ofport) -gt 0 ]]; then
      msg "host $h: port $p has no ofport"
      vsctl "$h" list interface "$p" >&2
      return 1
    fi
  done
  if [[ $link == gre ]]; then
    for _ in $(seq 50); do
      [[ $(vsctl "$h" get interface "$lp" link_state) == *up* ]] && return 0
      sleep 0.1
    done
    msg "host $h: $lp link_state is not up"; vsctl "$h" list interface "$lp" >&2; return 1
  fi
}

# rx_of HOST PORT: the port's received packets, from dpif/show ("NAME n/m: (...) rx:N pkts").
rx_of() {
  appctl "$1" dpif/show | awk -v p="$2" '$1 == p {
    for (i = 2; i <= NF; i++) if ($i ~ /^rx:/) { sub(/^rx:/, "", $i); print $i; exit } }'
}

# probe FROM TO: a broadcast frame (EtherType 0x88b5, source 02:ba:00:00:fb:0a or :0b) put out
# of FROM's link port with packet-out must show up in the rx count of TO's link port.
probe() {
  local from=$1 to=$2 lp_from=$3 lp_to=$4 before now out try
  out=$(vsctl "$from" get interface "$lp_from" ofport) || return 1
  local frame  # host names a and b are hex digits: source 02:ba:00:00:fb:0a or :0b
  frame=ffffffffffff02ba0000fb0${from}88b5$(printf '%092d' 0)
  before=$(rx_of "$to" "$lp_to")
  [[ $before =~ ^[0-9]+$ ]] || { msg "host $to: no rx count for $lp_to in dpif/show"; return 1; }
  for try in 1 2 3 4 5; do
    ofctl "$from" packet-out "$BR" LOCAL "output:$out" "$frame" || return 1
    for _ in $(seq 10); do
      sleep 0.1
      now=$(rx_of "$to" "$lp_to")
      if [[ $now =~ ^[0-9]+$ ]] && ((now > before)); then
        echo "vswitch-gre: probe $from -> $to crossed ($lp_from -> $lp_to, try $try)"
        return 0
      fi
    done
  done
  msg "a probe frame from host $from did not reach host $to's $lp_to"
  return 1
}

# stop HOST: the daemon of the pid file, TERM, up to 5 s, KILL (as vswitch-hook.sh).
stop() {
  local pid
  pid=$(cat "$state/gre-$1/run/vswitchd.pid" 2>/dev/null)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  msg "vswitchd $1 (pid $pid) ignored TERM, killing it"
  kill -KILL "$pid" 2>/dev/null
  sleep 0.1
}

# clear_b: what is left of host B: processes still in ba-gre (ours: only this hook starts any
# there, e.g. a daemon whose pid file was never written), by PID; ba-dstp back into ba-sw; then
# the namespace (ba-ulb goes with it).
clear_b() {
  local -a pids
  nsb_exists || { [[ -e /run/netns/$NSB ]] && outer ip netns del "$NSB" 2>/dev/null; return 0; }
  mapfile -t pids < <(ip netns pids "$NSB" 2>/dev/null)
  if ((${#pids[@]})); then
    msg "stopping processes left in $NSB: ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 30); do
      mapfile -t pids < <(ip netns pids "$NSB" 2>/dev/null)
      ((${#pids[@]})) || break
      sleep 0.1
    done
    if ((${#pids[@]})); then kill -KILL "${pids[@]}" 2>/dev/null; sleep 0.2; fi
  fi
  if ip -n "$NSB" link show "$DST" >/dev/null 2>&1; then
    if ip -n "$NSB" link set "$DST" netns "$NSA"; then
      ip link set "$DST" up
    else
      msg "could not move $DST back into $NSA"
    fi
  fi
  outer ip netns del "$NSB" || msg "could not delete netns $NSB"
}

# cpu_times: each daemon's CPU time so far (user and system, from /proc/PID/stat), for the log:
# both share the switch CPU, and how they split it tells which host limits the rate.
cpu_times() {
  local h pid line hz
  hz=$(getconf CLK_TCK)
  for h in a b; do
    pid=$(cat "$state/gre-$h/run/vswitchd.pid" 2>/dev/null)
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! read -r line 2>/dev/null <"/proc/$pid/stat"; then continue; fi
    line=${line##*) }  # the fields after "(comm)": field 3 (state) first
    awk -v h="$h" -v hz="$hz" '{ printf "vswitch-gre: vswitchd %s cpu time: user %.2f s, system %.2f s\n",
      toupper(h), $12 / hz, $13 / hz }' <<<"$line"
  done
}

# gre_counters WHEN: B's GRE drops and both kernels' fragmentation counters (gre mode).
gre_counters() {
  [[ $link == gre ]] || return 0
  echo "vswitch-gre $1: host B gre_sys and drop counters:"
  appctl b dpif/show 2>/dev/null | grep -E '^ *(gre0|gre_sys) ' | sed 's/^ */  /'
  appctl b coverage/show 2>/dev/null | grep -E '^ *(gre_|rx_packets |no_buffer |flow_drops )' | sed 's/^ */  /'
  # /proc/net/snmp "Ip:" header and value lines -> name=value for the counters that matter.
  snmp() { awk -v k="$1" '/^Ip:/ { if (!h) { split($0, n); h = 1 } else for (i = 2; i <= NF; i++) v[n[i]] = $i }
    END { c = split(k, ks, " "); for (i = 1; i <= c; i++) printf " %s=%s", ks[i], v[ks[i]]; print "" }'; }
  echo "  host A kernel (ba-sw):$(snmp 'OutRequests FragOKs FragCreates FragFails OutDiscards OutNoRoutes' </proc/net/snmp)"
  echo "  host B kernel (ba-gre):$(ns_b cat /proc/net/snmp | snmp 'InReceives InDelivers InDiscards ReasmReqds ReasmOKs ReasmFails ReasmTimeout')"
  # shellcheck disable=SC2016
  echo "  host B raw GRE sockets, drops per socket (receive buffer full):$(ns_b awk 'NR > 1 && $2 ~ /:002F$/ { d = d " " $NF } END { print (d == "" ? " none" : d) }' /proc/net/raw)"
}

case ${1:-} in
  up)
    if [[ ${BA_DST_KIND:-veth} != veth ]]; then
      msg "only BA_DST_KIND=veth is supported (got $BA_DST_KIND)"; exit 2
    fi
    [[ $link =~ ^(gre|veth)$ ]] || { msg "VS_LINK must be gre or veth (got $link)"; exit 1; }
    command -v nsenter >/dev/null || { msg "needs nsenter (util-linux)"; exit 1; }
    echo "vswitch-gre: link $link, ports ${VS_XDP_MODE:+afxdp xdp-mode=}${VS_XDP_MODE:-system}, cpus $(taskset -pc $$ | sed 's/.*: //')"
    mkdir -p "$state"
    if [[ -e /run/netns/$NSB ]]; then msg "$NSB exists (left by an earlier run): clearing it"; clear_b; fi
    ip link del "$ULA" 2>/dev/null
    # Host B's namespace, then the harness's destination port moved into it.
    outer ip netns add "$NSB" || exit 1
    ns_b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$NSB" link set lo up || exit 1
    ip link set "$DST" netns "$NSB" || exit 1
    ip -n "$NSB" link set "$DST" up || exit 1
    # The underlay.
    ip link add "$ULA" address "$ULA_MAC" type veth peer name "$ULB" address "$ULB_MAC" netns "$NSB" || exit 1
    ip addr add "$ULA_IP/24" dev "$ULA" && ip link set "$ULA" up || exit 1
    ip -n "$NSB" addr add "$ULB_IP/24" dev "$ULB" && ip -n "$NSB" link set "$ULB" up || exit 1
    ip neigh replace "$ULB_IP" lladdr "$ULB_MAC" dev "$ULA" nud permanent || exit 1
    ip -n "$NSB" neigh replace "$ULA_IP" lladdr "$ULA_MAC" dev "$ULB" nud permanent || exit 1
    rps=$(printf '%x' $((1 << cpu)))
    echo "$rps" >"/sys/class/net/$ULA/queues/rx-0/rps_cpus"
    ns_b sh -c "echo $rps >/sys/class/net/$ULB/queues/rx-0/rps_cpus"
    # The hosts.
    start a || exit 1
    start b || exit 1
    if [[ $link == gre ]]; then lpa=gre0 lpb=gre0; else lpa=$ULA lpb=$ULB; fi
    configure a "$lpa" "$SRC" "$ULB_IP" || exit 1
    configure b "$lpb" "$DST" "$ULA_IP" || exit 1
    probe a b "$lpa" "$lpb" || exit 1
    probe b a "$lpb" "$lpa" || exit 1
    appctl a dpif/show
    appctl b dpif/show
    ;;
  down)
    cpu_times
    if [[ -d $state/gre-b/run ]] && nsb_exists; then gre_counters "after the traffic"; fi
    stop a
    stop b
    clear_b
    ip link del "$ULA" 2>/dev/null
    if ! ip link show "$DST" >/dev/null 2>&1; then msg "$DST is not in $NSA"; fi
    rm -rf "$state/gre-a" "$state/gre-b"
    exit 0
    ;;
  show)
    echo "--- host A (ba-sw)"
    appctl a dpif/show
    appctl a fdb/show "$BR"
    echo "--- host B (ba-gre)"
    appctl b dpif/show
    appctl b fdb/show "$BR"
    appctl b coverage/show | grep -E '^ *gre_'
    ;;
  *) echo "usage: $0 up|down|show" >&2; exit 2 ;;
esac
