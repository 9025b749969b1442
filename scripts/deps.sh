#!/usr/bin/env bash
# Installs the Debian packages Aqueduct builds with, if any are missing.
# As root it runs apt-get itself; otherwise it prints the one command to run.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev libzstd-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev libboost-dev libboost-graph-dev
  libxxhash-dev libglpk-dev
  libfuse3-dev fuse3 libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  clang libclang-rt-14-dev
  libssl-dev libcpp-httplib-dev nginx-light util-linux buildah
  pybind11-dev python3-pybind11 python3-dev python3-pip python3-venv python3-numpy python3-pandas python3-matplotlib
  python3-pytest python3-pytest-xdist python3-yaml python3-nbclient python3-ipykernel jupyter-nbconvert python3-dask python3-distributed)
# npm runs s3rver, the S3-compatible server the S3 source's tests start. A
# node from elsewhere (it brings its own npm) is kept: Debian's npm would clash.
if ! command -v npm > /dev/null 2>&1; then
  PKGS+=(npm)
fi
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  bash -c "$cmd"
else
  echo "deps: missing Debian packages. Run as root:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
