#!/usr/bin/env bash
# Builds the aqueduct container image with buildah (Debian's package), from
# this machine's build, without a registry or a base image:
#
#   scripts/image-build.sh [--aqueduct BIN] [--tag REF] [--output DEST] [--storage DIR]
#
#   --aqueduct  the binary (default build/cli/aqueduct)
#   --tag       the image's name (default aqueduct/aqueduct:0.1.0, as the manifests use)
#   --output    where buildah pushes it (default docker-archive:build/aqueduct-image.tar):
#               any buildah destination: docker://registry/repo:tag, oci-archive:PATH,
#               docker-archive:PATH
#   --storage   buildah's storage folder (default: a temporary one, removed afterwards)
#
# One layer: the stripped binary with every library ldd names, Debian's static
# busybox with its applets, bash and fusermount3 (what the FUSE sidecar's hooks
# run), /etc/passwd, /etc/group; entrypoint /usr/local/bin/aqueduct; the
# architecture of this machine (build on an arm64 machine for arm64).
# With registry access, `buildah bud -f k8s/Containerfile .` builds the same
# command set from source inside Debian 12 images instead.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
LOG_NAME=image-build
# shellcheck source=scripts/cluster-lib.sh
source "$HERE/cluster-lib.sh"

aq="$ROOT/build/cli/aqueduct"
tag="aqueduct/aqueduct:0.1.0"
output=""
storage=""
while [ $# -gt 0 ]; do
  case "$1" in
    --aqueduct) aq="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --storage) storage="$2"; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$output" ] || output="docker-archive:$ROOT/build/aqueduct-image.tar"
[ -x "$aq" ] || die "no aqueduct binary at $aq (build it: ninja -C build aqueduct)"
install_missing buildah busybox-static binutils

work="$(mktemp -d /tmp/aqueduct-image-XXXXXX)"
own_storage=0
if [ -z "$storage" ]; then
  storage="$work/storage"
  own_storage=1
fi
B=(buildah --root "$storage/root" --runroot "$storage/run" --storage-driver vfs)
container=""
cleanup() {
  [ -n "$container" ] && "${B[@]}" rm "$container" >/dev/null 2>&1 || true
  if [ "$own_storage" = 1 ]; then
    "${B[@]}" rmi --all --force >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The root file system, as the node's image has it.
strip --strip-debug -o "$work/aqueduct" "$aq" || die "could not strip $aq"
extra=(--with-libs "/bin/bash=$(command -v bash)")
fusermount="$(command -v fusermount3 || true)"
[ -n "$fusermount" ] && extra+=(--with-libs "/usr/bin/fusermount3=$fusermount")
/usr/bin/python3 "$HERE/node-image.py" --layer-only --name "$tag" --out "$work/rootfs.tar" \
  --busybox --with-libs "/usr/local/bin/aqueduct=$work/aqueduct" "${extra[@]}"

# A short name is Docker Hub's, as Kubernetes reads "aqueduct/aqueduct:0.1.0"
# (buildah would otherwise file it under localhost/).
ref="$tag"
first="${tag%%/*}"
if [ "$first" = "$tag" ] || { [[ "$first" != *.* ]] && [[ "$first" != *:* ]] && [ "$first" != localhost ]; }; then
  ref="docker.io/$tag"
fi

arch="$(dpkg --print-architecture)"
container="$("${B[@]}" from --arch "$arch" scratch)"
"${B[@]}" add "$container" "$work/rootfs.tar" / >/dev/null
"${B[@]}" config --arch "$arch" --os linux \
  --entrypoint '["/usr/local/bin/aqueduct"]' \
  --env PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  --label org.opencontainers.image.title=aqueduct \
  --label "org.opencontainers.image.version=$("$aq" version 2>/dev/null | head -1 | awk '{print $NF}')" \
  "$container"
"${B[@]}" commit --quiet --format docker "$container" "$ref" >/dev/null
"${B[@]}" push --quiet "$ref" "$output"
log "built $tag ($arch) with buildah and pushed it to $output"
