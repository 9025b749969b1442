#!/usr/bin/env bash
# Webhook latency and throughput on loopback with `wrk` (Debian package wrk):
# 100 concurrent keep-alive connections, first paced to about 1,000 requests/s
# in total (bench/webhook_load.lua), then 2,000/s, then unlimited. Each request is a real AdmissionReview
# whose pod gets a JuiceFS FUSE sidecar (about 20 patch operations).
#
#   bash bench/webhook_load.sh [AQUEDUCT_BINARY] [SECONDS]
# THREADS=N passes --threads N (default 2, the event loop's; a build from
# before the event-driven server needs one thread per connection: 128).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build/cli/aqueduct}"
secs="${2:-20}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

/usr/bin/python3 - "$work/review.json" <<'PY'
import json, sys
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "train-x7k2p", "labels": {"serverless.fluid.io/inject": "true", "app": "train"}},
       "spec": {"restartPolicy": "Never",
                "containers": [{"name": "train", "image": "pytorch/pytorch:2.1",
                                "resources": {"requests": {"cpu": "4", "memory": "16Gi"}},
                                "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "imagenet"}}]}}
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
          "request": {"uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                      "resource": {"group": "", "version": "v1", "resource": "pods"},
                      "namespace": "default", "operation": "CREATE", "object": pod}}
json.dump(review, open(sys.argv[1], "w"))
PY

"$bin" webhook --self-signed --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
  --listen 127.0.0.1:0 --ready-file "$work/ready" --threads "${THREADS:-2}" -q \
  --objects "$here/tests/data/injection/objects.yaml" 2>"$work/webhook.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
url="https://$(cat "$work/ready")/mutate-fluid-pods"

run() {  # $1 label, $2 pace in ms (0: as fast as possible)
  local out
  out=$(REVIEW_FILE="$work/review.json" PACE_MS="$2" \
        wrk -t 2 -c 100 -d "${secs}s" -s "$here/bench/webhook_load.lua" "$url" | grep '^RESULT')
  printf '%-36s %s\n' "$1" "${out#RESULT }"
}
echo "webhook over HTTPS on loopback: wrk, 100 connections, ${secs}s each, $(nproc) cores; latencies in ms"
run "~1,000 req/s offered (90 ms pace)" 90
run "~2,000 req/s offered (50 ms pace)" 50
run "as fast as possible" 0
# The server's CPU time over the three runs (it shares the cores with wrk).
ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
echo "webhook CPU: $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t/hz}') s"
