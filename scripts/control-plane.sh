#!/usr/bin/env bash
# A real Kubernetes control plane (etcd, kube-apiserver, kube-scheduler,
# kube-controller-manager v1.20) on 127.0.0.1, for the end-to-end suite.
#
#   scripts/control-plane.sh build            build the binaries once into the cache
#   scripts/control-plane.sh start DIR        start etcd + control plane, state in DIR
#   scripts/control-plane.sh stop DIR         stop what `start DIR` started
#   scripts/control-plane.sh path             print the binary directory (exit 1 if not built)
#
# The binaries come from Debian's own `kubernetes` source package, built with
# Debian's Go. The cache lives in $AQUEDUCT_CACHE (default ~/.cache/aqueduct).
# `start` writes DIR/kubeconfig (token auth, admin) and DIR/env; extra
# kube-apiserver flags can be passed in $APISERVER_EXTRA_FLAGS and extra
# kube-scheduler flags in $SCHEDULER_EXTRA_FLAGS; $KCM_CONTROLLERS replaces the
# controller manager's --controllers list (the node lifecycle controller is
# off unless a real kubelet runs: it would taint simulated nodes).
set -euo pipefail

CACHE="${AQUEDUCT_CACHE:-$HOME/.cache/aqueduct}"
BIN="$CACHE/kube-1.20/bin"
SRC="$CACHE/kube-1.20/src"

LOG_NAME=control-plane
# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "$0")/cluster-lib.sh"

ensure_packages() { install_missing golang-go rsync jq etcd-server golang-github-modern-go-reflect2-dev dpkg-dev; }

ensure_deb_src() {
  if apt-get source --print-uris kubernetes >/dev/null 2>&1; then return; fi
  log "adding a deb-src entry for Debian bookworm"
  as_root tee /etc/apt/sources.list.d/aqueduct-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  as_root apt-get update -qq
}

# The node's kubelet and pause binary come from the same source tree.
COMPONENTS="kube-apiserver kube-scheduler kube-controller-manager kubelet"

missing_components() {
  local c out=()
  for c in $COMPONENTS; do [ -x "$BIN/$c" ] || out+=("$c"); done
  [ -x "$BIN/pause" ] || out+=(pause)
  echo "${out[*]}"
}

built() { [ -z "$(missing_components)" ]; }

build() {
  if built; then
    log "already built in $BIN"
    return
  fi
  ensure_packages
  ensure_deb_src
  rm -rf "$SRC"
  mkdir -p "$SRC" "$BIN"
  (cd "$SRC" && apt-get source -qq kubernetes >/dev/null)
  local tree
  tree="$(find "$SRC" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -1)"
  [ -n "$tree" ] || die "apt-get source kubernetes produced no source tree in $SRC"
  # The vendored reflect2 1.0.1 crashes the apiserver under Go >= 1.18 on the
  # first custom-resource create; Debian's 1.0.2 does not.
  local vend="$tree/vendor/github.com/modern-go/reflect2"
  local deb=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -d "$vend" ] || die "no vendored reflect2 in $tree"
  [ -d "$deb" ] || die "Debian's reflect2 sources are missing at $deb"
  rm -f "$vend"/*.go
  cp "$deb"/*.go "$vend"/
  rm -f "$vend"/*_test.go
  local missing what="" c
  missing="$(missing_components)"
  for c in $missing; do [ "$c" = pause ] || what="$what cmd/$c"; done
  if [ -n "$what" ]; then
    log "building$what (about 7 minutes on 2 cores)"
    # shellcheck disable=SC2086
    (cd "$tree" && make WHAT="${what# }" >"$CACHE/kube-1.20/build.log" 2>&1) ||
      die "build failed; see $CACHE/kube-1.20/build.log"
    local out="$tree/_output/bin"
    [ -d "$out" ] || out="$(find "$tree/_output" -type d -name bin | head -1)"
    for c in $missing; do [ "$c" = pause ] || cp "$out/$c" "$BIN/"; done
  fi
  # The pod sandbox's pause process, from the tree's own pause.c, static so
  # that its image needs no libraries.
  if [ ! -x "$BIN/pause" ]; then
    local pause_c="$tree/build/pause/linux/pause.c"
    [ -f "$pause_c" ] || pause_c="$(find "$tree/build/pause" -name pause.c | head -1)"
    [ -f "$pause_c" ] || die "no pause.c in $tree/build/pause"
    gcc -Os -static -DVERSION=v3.4.1-aqueduct -o "$BIN/pause" "$pause_c" ||
      die "could not build the pause binary from $pause_c"
  fi
  # The source tree is 2.7 GB; only the binaries are kept.
  rm -rf "$SRC"
  log "built into $BIN"
}

start() {
  local dir="$1"
  built || die "control plane not built; run: $0 build"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local etcd_port peer_port api_port
  etcd_port="$(free_port)"
  peer_port="$(free_port)"
  api_port="$(free_port)"
  local token
  token="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$token,admin,admin,system:masters" >"$dir/tokens.csv"
  # Service-account signing key and a serving certificate for the apiserver.
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/apiserver.key" -out "$dir/apiserver.crt" 2>/dev/null

  etcd --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" \
    >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"

  # shellcheck disable=SC2086
  "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$dir/apiserver.crt" --tls-private-key-file "$dir/apiserver.key" \
    --token-auth-file "$dir/tokens.csv" --authorization-mode RBAC \
    --service-account-key-file "$dir/sa.pub" --service-account-signing-key-file "$dir/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --enable-admission-plugins NamespaceLifecycle,ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
    ${APISERVER_EXTRA_FLAGS:-} >"$dir/apiserver.log" 2>&1 &
  echo $! >"$dir/apiserver.pid"

  cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $dir/apiserver.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
  wait_for 60 kubectl --kubeconfig "$dir/kubeconfig" get --raw /readyz ||
    die "kube-apiserver did not become ready; see $dir/apiserver.log"

  # shellcheck disable=SC2086
  "$BIN/kube-scheduler" --kubeconfig "$dir/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 --port 0 ${SCHEDULER_EXTRA_FLAGS:-} \
    >"$dir/scheduler.log" 2>&1 &
  echo $! >"$dir/scheduler.pid"
  "$BIN/kube-controller-manager" --kubeconfig "$dir/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 --port 0 \
    --service-account-private-key-file "$dir/sa.key" --use-service-account-credentials=false \
    --controllers "${KCM_CONTROLLERS:-*,-nodeipam,-nodelifecycle,-attachdetach,-persistentvolume-expander,-csrsigning,-csrapproving}" \
    >"$dir/controller-manager.log" 2>&1 &
  echo $! >"$dir/controller-manager.pid"
  {
    echo "KUBECONFIG=$dir/kubeconfig"
    echo "APISERVER=https://127.0.0.1:$api_port"
    echo "TOKEN=$token"
  } >"$dir/env"
  log "ready: KUBECONFIG=$dir/kubeconfig"
}

stop() {
  local dir="$1"
  for c in controller-manager scheduler apiserver etcd; do
    if [ -f "$dir/$c.pid" ]; then
      kill "$(cat "$dir/$c.pid")" 2>/dev/null || true
      rm -f "$dir/$c.pid"
    fi
  done
  sleep 0.5
}

case "${1:-}" in
build) build ;;
start)
  [ $# -eq 2 ] || die "usage: $0 start DIR"
  start "$2"
  ;;
stop)
  [ $# -eq 2 ] || die "usage: $0 stop DIR"
  stop "$2"
  ;;
path)
  built || exit 1
  echo "$BIN"
  ;;
*) die "usage: $0 build | start DIR | stop DIR | path" ;;
esac
