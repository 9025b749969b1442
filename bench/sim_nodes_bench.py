#!/usr/bin/env python3
"""Replaying pods on simulated nodes against a real control plane
(scripts/control-plane.sh + `aqueduct sim nodes`): N batch pods, each
described to the job model as a few virtual seconds of work, are created at
once; the real kube-scheduler binds them to the simulated nodes, which run
them to Succeeded. Reports the time until every pod Succeeded (pods/s through
scheduler + simulated kubelets) and, per pod, creation -> Running latency
(p50/p99), measured from the pods' own status times.

usage: /usr/bin/python3 bench/sim_nodes_bench.py [AQUEDUCT_BINARY] [PODS] [NODES]
"""
import datetime
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from controller_bench import control_plane, wait_all  # noqa: E402

PODS = "/api/v1/namespaces/default/pods"


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"bench": "sim-nodes"},
                         "annotations": {"sim.aqueduct.io/duration": "2s"}},
            "spec": {"restartPolicy": "Never", "automountServiceAccountToken": False,
                     "containers": [{"name": "app", "image": "busybox",
                                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}


def when(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def main():
    aqueduct = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "aqueduct")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    nodes = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    sim = None
    with control_plane() as (work, env, api):
        try:
            cluster = os.path.join(work, "cluster.yaml")
            with open(cluster, "w") as f:
                f.write("apiVersion: aqueduct.io/v1alpha1\nkind: Cluster\nmetadata: {name: bench}\n"
                        "spec:\n  nodePools:\n"
                        f"    - {{name: node, count: {nodes}, cpu: \"32\", memory: 128Gi}}\n")
            log = open(os.path.join(work, "sim-nodes.log"), "w")
            sim = subprocess.Popen([aqueduct, "sim", "nodes", "--cluster", cluster], env=env, stderr=log)
            while True:
                items = api.call("GET", "/api/v1/nodes")["items"]
                if sum(1 for i in items if i["metadata"].get("labels", {}).get("aqueduct.io/simulated")) == nodes:
                    break
                if sim.poll() is not None:
                    raise SystemExit("aqueduct sim nodes exited; see " + log.name)
                time.sleep(0.2)
            t0 = time.monotonic()
            for i in range(n):
                api.call("POST", PODS, pod(f"p{i:05d}"))
            created = time.monotonic() - t0
            items = []

            def succeeded():
                items[:] = api.call("GET", PODS + "?labelSelector=bench%3Dsim-nodes")["items"]
                return sum(1 for p in items if p.get("status", {}).get("phase") == "Succeeded")

            took = wait_all(succeeded, n, t0, "Succeeded", 0.2)
            starts = []
            for p in items:
                st = p["status"]["containerStatuses"][0]["state"]["terminated"]["startedAt"]
                starts.append((when(st) - when(p["metadata"]["creationTimestamp"])).total_seconds())
            starts.sort()
            print(f"{n} pods (2 s of simulated work each) on {nodes} simulated nodes: created in {created:.1f} s, "
                  f"all Succeeded {took:.1f} s after the first create = {n / took:.1f} pods/s through the real "
                  f"kube-scheduler and the simulated kubelets")
            print(f"create -> container running (1 s resolution): p50 {statistics.median(starts):.0f} s, "
                  f"p99 {starts[min(len(starts) - 1, int(0.99 * len(starts)))]:.0f} s")
            return 0
        finally:
            if sim:
                sim.terminate()
                sim.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
