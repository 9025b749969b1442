#!/usr/bin/env bash
# Data-plane throughput with fio (Debian's fio) on a 2 GiB file set (8 x 256 MiB):
# sequential 1 MiB reads and 4 KiB random reads
#   - the source folder itself: O_DIRECT (the disk) and through the page cache;
#   - through `aqueduct fuse mount`: cold (empty workers: from the source),
#     warm (a fresh mount, every block on the workers, put there by
#     `aqueduct load`) both over gRPC as from
#     remote workers and short-circuit (the workers' tmpfs block files read
#     directly, as on one node), hot (the same mount again: its memory tier
#     and the kernel's page cache);
#   - through `rclone mount --vfs-cache-mode full` (Debian's rclone), second pass (cached).
# fio runs with --invalidate=0: by default it drops its files' page cache
# before each job, and "page cache" and "hot" would not mean what they say.
# Each row also gives CPU seconds per GiB read: fio's own CPU plus that of
# the processes serving it (the mount and both workers, or rclone), so that
# rows compare on a busy machine where MiB/s moves 2x. With PIN=1 the workers
# run on core 1 and the mount and fio on core 0 (taskset), so they do not
# compete for one core. When the binary has `worker-tls`, a row reads from
# workers over mutual TLS (as the live renderers run them).
# Needs root (FUSE). Usage: [PIN=1] bash bench/fuse_bench.sh [AQUEDUCT_BINARY] [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build/cli/aqueduct}"
work="${2:-$(mktemp -d /var/tmp/aqueduct-fuse-bench.XXXXXX)}"
for tool in fio rclone fusermount3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: apt-get install fio rclone fuse3" >&2; exit 2; }
done
mkdir -p "$work/data" "$work/mnt" "$work/rc" "$work/rc-cache"
pids=() worker_pids=()
cleanup() {
  fusermount3 -u -z "$work/mnt" 2>/dev/null || true
  fusermount3 -u -z "$work/rc" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
if [ ! -f "$work/data/f7" ]; then
  for i in 0 1 2 3 4 5 6 7; do head -c 268435456 /dev/urandom > "$work/data/f$i"; done
fi

pin_workers=() pin_client=()
if [ "${PIN:-0}" = 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "PIN=1 needs two cores" >&2; exit 2; }
  pin_workers=(taskset -c 1) pin_client=(taskset -c 0)
fi

cpu_of() {  # user + system seconds of the live processes among $@
  local tick total=0 p
  tick=$(getconf CLK_TCK)
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$(awk -v t="$total" -v hz="$tick" '{ sub(/^.*\) /, ""); print t + ($12 + $13) / hz }' "/proc/$p/stat")
  done
  echo "$total"
}

# $1 dir, $2 seq|rand, [$3 direct]; the processes serving the reads are
# ${serving[@]}. Prints "MiB/s CPU-s/GiB".
serving=()
fio_bw() {
  local dir="$1" mode="$2" direct="${3:-0}" names before after
  names=$(for i in 0 1 2 3 4 5 6 7; do printf '%s/f%d:' "$dir" "$i"; done)
  local args=(--invalidate=0 --ioengine=psync --direct="$direct" --filename="${names%:}" --output-format=json)
  if [ "$mode" = seq ]; then
    args+=(--name=seq --rw=read --bs=1M)
  else
    args+=(--name=rand --rw=randread --bs=4k --runtime=10 --time_based --numjobs=4 --group_reporting)
  fi
  before=$(cpu_of "${serving[@]}")
  # fio's own CPU (it and its job processes) from the rusage of its children.
  read -r bw gib fio_cpu < <(/usr/bin/python3 - "$work/fio.json" "${pin_client[@]}" fio "${args[@]}" <<'PY'
import json, resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    subprocess.run(sys.argv[2:], stdout=out, check=True)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
read = json.load(open(sys.argv[1]))["jobs"][0]["read"]
print("%.0f %.6f %.3f" % (read["bw"] / 1024, read["io_bytes"] / 2**30, ru.ru_utime + ru.ru_stime))
PY
)
  after=$(cpu_of "${serving[@]}")
  /usr/bin/python3 -c "print('$bw %.2f' % (($fio_cpu + $after - $before) / max($gib, 1e-9)))"
}

shm="/dev/shm/aqueduct-bench-$$"
start_workers() {  # memory tiers on a tmpfs: co-located mounts can read them directly; $@: TLS flags
  for n in 0 1; do
    rm -rf "$shm-w$n" "$work/w$n"  # a ready file left by an earlier run would name a dead worker
    "${pin_workers[@]}" "$bin" worker --listen 127.0.0.1:0 --tier "mem:$shm-w$n:2Gi" \
      --ready-file "$work/w$n" "$@" 2>/dev/null &
    pids+=($!)
    worker_pids+=($!)
  done
  for n in 0 1; do for _ in $(seq 100); do [ -s "$work/w$n" ] && break; sleep 0.05; done; done
  workers="$(cat "$work/w0"),$(cat "$work/w1")"
}
stop_workers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=() worker_pids=()
  sleep 0.5
  rm -rf "$work/w0" "$work/w1" "$shm-w0" "$shm-w1"
}
mount_aq() {  # extra flags for the mount
  rm -f "$work/ready"
  "${pin_client[@]}" "$bin" fuse mount --source "local://$work/data" --workers "$workers" \
    --ready-file "$work/ready" "$@" "$work/mnt" 2>/dev/null &
  pids+=($!)
  serving=("${worker_pids[@]}" $!)
  for _ in $(seq 200); do [ -s "$work/ready" ] && break; sleep 0.05; done
}
umount_aq() { fusermount3 -u "$work/mnt"; sleep 0.5; }
trap 'cleanup; rm -rf "$shm-w0" "$shm-w1"' EXIT

printf '%-52s %10s %9s %14s %9s\n' "2 GiB, $(nproc) cores${PIN:+, pinned}" "seq MiB/s" "CPU s/GiB" \
  "4K rand MiB/s" "CPU s/GiB"
row() { printf '%-52s %10s %9s %14s %9s\n' "$1" $2 $3; }
row "source, O_DIRECT (the disk)" "$(fio_bw "$work/data" seq 1)" "$(fio_bw "$work/data" rand 1)"
fio_bw "$work/data" seq >/dev/null  # into the page cache
row "source, page cache" "$(fio_bw "$work/data" seq)" "$(fio_bw "$work/data" rand)"

fill_workers() {  # every block onto the workers: a mount's cache is best effort (it drops puts
  # it cannot send fast enough), `load` stores every block ($@: credentials)
  if ! "$bin" load --source "local://$work/data" --workers "$workers" "$@" >"$work/load.log" 2>&1; then
    echo "aqueduct load failed:" >&2
    cat "$work/load.log" >&2
    exit 1
  fi
}
start_workers
mount_aq --no-short-circuit
cold=$(fio_bw "$work/mnt" seq)
umount_aq
fill_workers
mount_aq --no-short-circuit
warm=$(fio_bw "$work/mnt" seq)
umount_aq
mount_aq --no-short-circuit
warm_rand=$(fio_bw "$work/mnt" rand)
umount_aq
mount_aq
sc=$(fio_bw "$work/mnt" seq)
hot=$(fio_bw "$work/mnt" seq)
# A third pass: the second touch of a page moves it to the kernel's active
# list (extra work the source's long-resident pages no longer pay).
hot3=$(fio_bw "$work/mnt" seq)
umount_aq
mount_aq
sc_rand=$(fio_bw "$work/mnt" rand)
hot_rand=$(fio_bw "$work/mnt" rand)
umount_aq
stop_workers
# No workers at all: what this machine's FUSE path gives a read-through with
# nothing to cache into (the ceiling of the cold rows).
workers=""
mount_aq
thru=$(fio_bw "$work/mnt" seq)
umount_aq
mount_aq
thru_rand=$(fio_bw "$work/mnt" rand)
umount_aq
start_workers  # cold random: fresh, empty workers
mount_aq
cold_rand=$(fio_bw "$work/mnt" rand)
umount_aq
stop_workers
tls_warm="- -" tls_rand="- -"
if "$bin" worker-tls --out "$work/certs" --ip 127.0.0.1 >/dev/null 2>&1; then
  tls=(--tls-ca "$work/certs/ca.crt" --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key")
  start_workers "${tls[@]}"
  client_tls=(--worker-tls-ca "$work/certs/ca.crt" --worker-tls-cert "$work/certs/tls.crt"
              --worker-tls-key "$work/certs/tls.key" --no-short-circuit)
  fill_workers "${client_tls[@]:0:6}"
  mount_aq "${client_tls[@]}"
  tls_warm=$(fio_bw "$work/mnt" seq)
  umount_aq
  mount_aq "${client_tls[@]}"
  tls_rand=$(fio_bw "$work/mnt" rand)
  umount_aq
  stop_workers
fi
row "aqueduct mount, no workers (read-through)" "$thru" "$thru_rand"
row "aqueduct mount, cold (from the source)" "$cold" "$cold_rand"
row "aqueduct mount, warm over gRPC (remote workers)" "$warm" "$warm_rand"
row "aqueduct mount, warm over gRPC with mutual TLS" "$tls_warm" "$tls_rand"
row "aqueduct mount, warm short-circuit (worker on node)" "$sc" "$sc_rand"
row "aqueduct mount, hot (memory tier, page cache)" "$hot" "$hot_rand"
row "aqueduct mount, hot, third pass" "$hot3" "- -"

"${pin_client[@]}" rclone mount "$work/data" "$work/rc" --vfs-cache-mode full --cache-dir "$work/rc-cache" \
  --read-only --daemon 2>/dev/null
sleep 1
serving=($(pgrep -f "rclone mount $work/data" || true))
rc_cold=$(fio_bw "$work/rc" seq)
rc_cached=$(fio_bw "$work/rc" seq)
rc_rand=$(fio_bw "$work/rc" rand)
fusermount3 -u "$work/rc"
sleep 0.5
"${pin_client[@]}" rclone mount "$work/data" "$work/rc" --vfs-cache-mode off --read-only --daemon 2>/dev/null
sleep 1
serving=($(pgrep -f "rclone mount $work/data" || true))
rc_off=$(fio_bw "$work/rc" seq)
rc_off_rand=$(fio_bw "$work/rc" rand)
fusermount3 -u "$work/rc"
row "rclone mount --vfs-cache-mode off (read-through)" "$rc_off" "$rc_off_rand"
row "rclone mount --vfs-cache-mode full, 1st pass" "$rc_cold" "- -"
row "rclone mount --vfs-cache-mode full, cached" "$rc_cached" "$rc_rand"
