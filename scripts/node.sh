#!/usr/bin/env bash
# A real Kubernetes node for the end-to-end suite: containerd and runc from
# Debian's packages, the kubelet built by scripts/control-plane.sh from the
# same source as the control plane, and images built locally (no registry).
#
#   scripts/node.sh check                     say why a node cannot run here (exit 1), or nothing
#   scripts/node.sh images DIR AQUEDUCT_BIN   build the pause and aqueduct images into DIR/images
#   scripts/node.sh start DIR KUBECONFIG      start containerd + kubelet (node aq-node), import images
#   scripts/node.sh stop DIR                  stop them, remove every container and unmount DIR
#
# Everything the node keeps (containerd's root, the kubelet's root, CNI
# configuration, pod logs' links) lives in DIR. `start` writes DIR/env with
# NODE_NAME, NODE_IP, CONTAINERD_SOCK and KUBELET_ROOT.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${AQUEDUCT_CACHE:-$HOME/.cache/aqueduct}"
BIN="$CACHE/kube-1.20/bin"
NODE_NAME="${NODE_NAME:-aq-node}"
PAUSE_IMAGE="aqueduct.local/pause:3.4.1"
AQUEDUCT_IMAGE="aqueduct/aqueduct:0.1.0"
# Kernel flags the kubelet rewrites at start (container_manager_linux.go).
TUNABLES="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"

LOG_NAME=node
# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "$0")/cluster-lib.sh"

ensure_packages() { install_missing containerd runc containernetworking-plugins busybox-static iptables jq; }

# The reason a node cannot run on this machine, or nothing.
why_not() {
  [ "$(id -u)" = 0 ] || {
    echo "the node needs root (containerd, runc, mounts); running as uid $(id -u)"
    return
  }
  [ -x "$BIN/kubelet" ] || {
    echo "the kubelet is not built; run: scripts/control-plane.sh build"
    return
  }
  [ -x "$BIN/pause" ] || {
    echo "the pause binary is not built; run: scripts/control-plane.sh build"
    return
  }
  [ -d /sys/fs/cgroup ] && [ -n "$(ls /sys/fs/cgroup 2>/dev/null)" ] || {
    echo "no cgroup file system at /sys/fs/cgroup"
    return
  }
  [ -c /dev/fuse ] || {
    echo "no /dev/fuse on this machine"
    return
  }
  node_ip >/dev/null || {
    echo "no non-loopback IPv4 address to give the node (the kubelet refuses 127.0.0.1)"
    return
  }
}

node_ip() {
  local ip
  ip="$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)"
  [ -n "$ip" ] || return 1
  echo "$ip"
}

images() {
  local dir="$1" aq="$2"
  [ -x "$aq" ] || die "no aqueduct binary at $aq"
  ensure_packages  # busybox-static goes into the image
  mkdir -p "$dir/images"
  /usr/bin/python3 "$HERE/node-image.py" --name "$PAUSE_IMAGE" --out "$dir/images/pause.tar" \
    --file /pause="$BIN/pause" --entrypoint /pause
  # Without debug information: the layer is 10x smaller.
  strip --strip-debug -o "$dir/images/aqueduct.bin" "$aq" || die "could not strip $aq"
  local fusermount
  fusermount="$(command -v fusermount3 || true)"
  # bash too: Fluid's check-mount script and postStart hooks run under it.
  local extra=(--with-libs "/bin/bash=$(command -v bash)")
  [ -n "$fusermount" ] && extra+=(--with-libs "/usr/bin/fusermount3=$fusermount")
  /usr/bin/python3 "$HERE/node-image.py" --name "$AQUEDUCT_IMAGE" --out "$dir/images/aqueduct.tar" \
    --busybox --with-libs "/usr/local/bin/aqueduct=$dir/images/aqueduct.bin" "${extra[@]}" --entrypoint /usr/local/bin/aqueduct
}

# Whether this process may lower OOM scores (CAP_SYS_RESOURCE, bit 24).
has_sys_resource() {
  local eff
  eff="$(awk '/^CapEff:/ {print $2}' /proc/self/status)"
  (((0x$eff >> 24) & 1))
}

# runc, or where the machine lacks CAP_SYS_RESOURCE (some sandboxes drop it)
# a wrapper that raises negative oomScoreAdj values (the kubelet gives pod
# sandboxes -998 and Guaranteed pods -997) to 0 before runc reads them: the
# kernel refuses a lower score without that capability, and every pod would
# fail to start. Pods then keep the OOM score of the node's own processes.
runc_binary() {
  local dir="$1"
  if has_sys_resource; then
    command -v runc
    return
  fi
  cat >"$dir/runc-oom-wrapper" <<'EOF'
#!/bin/sh
bundle=""
prev=""
for a in "$@"; do
  case "$prev" in --bundle | -b) bundle="$a" ;; esac
  case "$a" in --bundle=*) bundle="${a#--bundle=}" ;; esac
  prev="$a"
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  jq -c 'if (.process.oomScoreAdj // 0) < 0 then .process.oomScoreAdj = 0 else . end' \
    "$bundle/config.json" >"$bundle/config.json.oom" && mv "$bundle/config.json.oom" "$bundle/config.json"
fi
exec runc "$@"
EOF
  chmod +x "$dir/runc-oom-wrapper"
  log "no CAP_SYS_RESOURCE here: pods' negative OOM scores are raised to 0 ($dir/runc-oom-wrapper)"
  echo "$dir/runc-oom-wrapper"
}

start() {
  local dir="$1" kubeconfig="$2"
  local why
  why="$(why_not)"
  [ -z "$why" ] || die "$why"
  ensure_packages
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local ip
  ip="$(node_ip)"
  local sock="$dir/containerd.sock"
  mkdir -p "$dir/containerd" "$dir/cni" "$dir/kubelet" "$dir/pki" "$dir/volume-plugins"

  # FUSE pods mount with Bidirectional propagation under /runtime-mnt, which
  # the runtime allows only on a shared mount (systemd makes / shared on a
  # usual node; here it may be private). A shared bind of the folder itself
  # leaves the rest of the machine as it is.
  mkdir -p /runtime-mnt
  if ! findmnt -n -o PROPAGATION /runtime-mnt 2>/dev/null | grep -q shared; then
    mount --bind /runtime-mnt /runtime-mnt && mount --make-rshared /runtime-mnt ||
      die "could not make /runtime-mnt a shared mount"
    touch "$dir/runtime-mnt.bound"
  fi
  # The same for the kubelet's folder: CSI volumes mounted into pods with
  # HostToContainer propagation (to see a restarted FUSE) need it shared.
  mount --bind "$dir/kubelet" "$dir/kubelet" && mount --make-rshared "$dir/kubelet" ||
    die "could not make $dir/kubelet a shared mount"
  local runc
  runc="$(runc_binary "$dir")"
  cat >"$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
EOF
  # Pods on the node's own bridge; no masquerading (nothing leaves the machine).
  cat >"$dir/cni/10-aqueduct.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "aqueduct-node",
 "plugins": [
  {"type": "bridge", "bridge": "aqcni0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]],
            "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$dir/cni/ipam"}},
  {"type": "loopback"}]}
EOF
  containerd --config "$dir/containerd/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  wait_for 30 ctr --address "$sock" version || die "containerd did not start; see $dir/containerd.log"

  for img in pause aqueduct; do
    [ -f "$dir/images/$img.tar" ] || die "no $dir/images/$img.tar; run: $0 images $dir AQUEDUCT_BIN"
    ctr --address "$sock" -n k8s.io images import "$dir/images/$img.tar" >/dev/null ||
      die "ctr could not import $dir/images/$img.tar"
  done

  local port healthz
  port="$(free_port)"
  healthz="$(free_port)"
  cat >"$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
evictionHard: {memory.available: "1Mi", nodefs.available: "1Mi", imagefs.available: "1Mi"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
clusterDomain: cluster.local
clusterDNS: [${CLUSTER_DNS:-$ip}]
volumePluginDir: $dir/volume-plugins
serializeImagePulls: false
syncFrequency: 5s
fileCheckFrequency: 5s
nodeStatusUpdateFrequency: 5s
EOF
  # The kubelet sets these kernel flags to its own values; `stop` puts the
  # machine's back.
  # ... and adds iptables chains (KUBE-FIREWALL and others); `stop` restores
  # the tables as they were, and removes the pod log folders it added.
  local t
  for t in $TUNABLES; do cat "/proc/sys/$t" >"$dir/sysctl.$(echo "$t" | tr / _)"; done
  iptables-save >"$dir/iptables.before" 2>/dev/null || true
  ls /var/log/pods 2>/dev/null >"$dir/pod-logs.before" || true
  "$BIN/kubelet" --kubeconfig "$kubeconfig" --config "$dir/kubelet.yaml" \
    --root-dir "$dir/kubelet" --cert-dir "$dir/pki" \
    --container-runtime remote --container-runtime-endpoint "unix://$sock" \
    --runtime-request-timeout 2m \
    --hostname-override "$NODE_NAME" --node-ip "$ip" -v 2 >"$dir/kubelet.log" 2>&1 &
  echo $! >"$dir/kubelet.pid"
  wait_for 90 bash -c "kubectl --kubeconfig '$kubeconfig' get node '$NODE_NAME' \
      -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True" ||
    die "node $NODE_NAME did not become Ready; see $dir/kubelet.log"
  {
    echo "NODE_NAME=$NODE_NAME"
    echo "NODE_IP=$ip"
    echo "CONTAINERD_SOCK=$sock"
    echo "KUBELET_ROOT=$dir/kubelet"
  } >"$dir/env"
  log "ready: node $NODE_NAME ($ip)"
}

stop() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/kubelet.pid" ]; then
    kill "$(cat "$dir/kubelet.pid")" 2>/dev/null || true
    rm -f "$dir/kubelet.pid"
  fi
  local t saved
  for t in $TUNABLES; do
    saved="$dir/sysctl.$(echo "$t" | tr / _)"
    if [ -f "$saved" ]; then cat "$saved" >"/proc/sys/$t" 2>/dev/null || true; fi
  done
  local sock="$dir/containerd.sock"
  if [ -S "$sock" ]; then
    # Every pod's containers and sandboxes, so that no shim or FUSE outlives the node.
    local ids
    ids="$(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null || true)"
    for id in $ids; do ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $ids; do ctr --address "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true; done
  fi
  if [ -f "$dir/containerd.pid" ]; then
    kill "$(cat "$dir/containerd.pid")" 2>/dev/null || true
    rm -f "$dir/containerd.pid"
  fi
  sleep 0.5
  # Mounts left under DIR (pod volumes, FUSE, overlay snapshots), deepest first.
  local m
  for m in $(awk -v d="$dir" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  ip link del aqcni0 2>/dev/null || true
  if [ -f "$dir/iptables.before" ]; then
    iptables-restore <"$dir/iptables.before" 2>/dev/null || true
    rm -f "$dir/iptables.before"
  fi
  if [ -f "$dir/pod-logs.before" ]; then
    local p
    for p in $(ls /var/log/pods 2>/dev/null); do
      grep -qxF "$p" "$dir/pod-logs.before" || rm -rf "/var/log/pods/${p:?}"
    done
    find /var/log/containers -xtype l -delete 2>/dev/null || true
    rm -f "$dir/pod-logs.before"
  fi
  if [ -f "$dir/runtime-mnt.bound" ]; then
    for m in $(awk '$5 ~ "^/runtime-mnt/" {print $5}' /proc/self/mountinfo | sort -r); do
      umount -l "$m" 2>/dev/null || true
    done
    umount -l /runtime-mnt 2>/dev/null || true
    rm -f "$dir/runtime-mnt.bound"
  fi
}

case "${1:-}" in
check)
  why="$(why_not)"
  if [ -n "$why" ]; then
    echo "$why"
    exit 1
  fi
  ;;
images)
  [ $# -eq 3 ] || die "usage: $0 images DIR AQUEDUCT_BIN"
  images "$2" "$3"
  ;;
start)
  [ $# -eq 3 ] || die "usage: $0 start DIR KUBECONFIG"
  start "$2" "$3"
  ;;
stop)
  [ $# -eq 2 ] || die "usage: $0 stop DIR"
  stop "$2"
  ;;
*) die "usage: $0 check | images DIR AQUEDUCT_BIN | start DIR KUBECONFIG | stop DIR" ;;
esac
