#!/usr/bin/env bash
# Data-plane throughput with fio (Debian's fio) on a 2 GiB file set (8 x 256 MiB):
# sequential 1 MiB reads and 4 KiB random reads
#   - the source folder itself: O_DIRECT (the disk) and through the page cache;
#   - through `aqueduct fuse mount`: cold (empty workers: from the source),
#     warm (a fresh mount, blocks on the workers), hot (the same mount again:
#     its memory tier and the kernel's page cache);
#   - through `rclone mount --vfs-cache-mode full` (Debian's rclone), second pass (cached).
# Needs root (FUSE). Usage: bash bench/fuse_bench.sh [AQUEDUCT_BINARY] [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build/cli/aqueduct}"
work="${2:-$(mktemp -d /var/tmp/aqueduct-fuse-bench.XXXXXX)}"
for tool in fio rclone fusermount3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: apt-get install fio rclone fuse3" >&2; exit 2; }
done
mkdir -p "$work/data" "$work/mnt" "$work/rc" "$work/rc-cache"
pids=()
cleanup() {
  fusermount3 -u -z "$work/mnt" 2>/dev/null || true
  fusermount3 -u -z "$work/rc" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
if [ ! -f "$work/data/f7" ]; then
  for i in 0 1 2 3 4 5 6 7; do head -c 268435456 /dev/urandom > "$work/data/f$i"; done
fi

fio_bw() {  # $1 dir, $2 seq|rand, [$3 direct] -> MiB/s
  local dir="$1" mode="$2" direct="${3:-0}" names
  names=$(for i in 0 1 2 3 4 5 6 7; do printf '%s/f%d:' "$dir" "$i"; done)
  if [ "$mode" = seq ]; then
    fio --name=seq --rw=read --bs=1M --ioengine=psync --direct="$direct" --filename="${names%:}" \
        --output-format=json > "$work/fio.json"
  else
    fio --name=rand --rw=randread --bs=4k --ioengine=psync --direct="$direct" --filename="${names%:}" \
        --runtime=10 --time_based --numjobs=4 --group_reporting --output-format=json > "$work/fio.json"
  fi
  /usr/bin/python3 -c "import json; j=json.load(open('$work/fio.json')); print('%.0f' % (j['jobs'][0]['read']['bw'] / 1024))"
}

start_workers() {
  for n in 0 1; do
    "$bin" worker --listen 127.0.0.1:0 --tier mem:2Gi --ready-file "$work/w$n" 2>/dev/null &
    pids+=($!)
  done
  for n in 0 1; do for _ in $(seq 100); do [ -s "$work/w$n" ] && break; sleep 0.05; done; done
  workers="$(cat "$work/w0"),$(cat "$work/w1")"
}
mount_aq() {
  rm -f "$work/ready"
  "$bin" fuse mount --source "local://$work/data" --workers "$workers" \
    --ready-file "$work/ready" "$work/mnt" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$work/ready" ] && break; sleep 0.05; done
}
umount_aq() { fusermount3 -u "$work/mnt"; sleep 0.5; }

printf '%-44s %12s %14s\n' "2 GiB, $(nproc) cores" "seq MiB/s" "4K rand MiB/s"
row() { printf '%-44s %12s %14s\n' "$1" "$2" "$3"; }
row "source, O_DIRECT (the disk)" "$(fio_bw "$work/data" seq 1)" "$(fio_bw "$work/data" rand 1)"
fio_bw "$work/data" seq >/dev/null  # into the page cache
row "source, page cache" "$(fio_bw "$work/data" seq)" "$(fio_bw "$work/data" rand)"

start_workers
mount_aq
cold=$(fio_bw "$work/mnt" seq)
umount_aq
mount_aq
warm=$(fio_bw "$work/mnt" seq)
hot=$(fio_bw "$work/mnt" seq)
umount_aq
mount_aq
warm_rand=$(fio_bw "$work/mnt" rand)
hot_rand=$(fio_bw "$work/mnt" rand)
umount_aq
# Cold random: fresh, empty workers.
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
pids=()
rm -f "$work/w0" "$work/w1"
start_workers
mount_aq
cold_rand=$(fio_bw "$work/mnt" rand)
umount_aq
row "aqueduct mount, cold (from the source)" "$cold" "$cold_rand"
row "aqueduct mount, warm (from the workers)" "$warm" "$warm_rand"
row "aqueduct mount, hot (memory tier, page cache)" "$hot" "$hot_rand"

rclone mount "$work/data" "$work/rc" --vfs-cache-mode full --cache-dir "$work/rc-cache" \
  --read-only --daemon 2>/dev/null
sleep 1
rc_cold=$(fio_bw "$work/rc" seq)
rc_cached=$(fio_bw "$work/rc" seq)
rc_rand=$(fio_bw "$work/rc" rand)
fusermount3 -u "$work/rc"
row "rclone mount --vfs-cache-mode full, 1st pass" "$rc_cold" "-"
row "rclone mount --vfs-cache-mode full, cached" "$rc_cached" "$rc_rand"
