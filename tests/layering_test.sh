#!/bin/bash
# Dependencies point one way (../shared/DESIGN.md, "Where things go"): each folder may include
# only itself and the layers listed for it here. Fails naming every #include that breaks this.
set -uo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [lib]="lib"
  [vlan]="lib vlan"
  [ovsdb]="lib ovsdb"
  [datapath]="lib vlan datapath"
  [tunnels]="lib vlan datapath tunnels"
  [controller]="lib vlan datapath controller"
  [vsctl]="lib ovsdb vsctl"
)

bad=0 checked=0
for folder in "${!allowed[@]}"; do
  [[ -d $folder ]] || continue
  while IFS=: read -r file line include; do
    target=$(sed -E 's/^#include "([^/"]+)\/.*/\1/' <<<"$include")
    checked=$((checked + 1))
    if [[ " ${allowed[$folder]} " != *" $target "* ]]; then
      echo "FAIL $file:$line: $folder/ may not include $target/ ($include)"
      bad=$((bad + 1))
    fi
  done < <(grep -HnE '^#include "[^/"]+/' "$folder"/*.cc "$folder"/*.h 2>/dev/null)
done
echo "$((checked - bad)) passed, $bad failed"
((bad == 0))
