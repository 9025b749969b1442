#!/usr/bin/env python3
"""Pod anti-affinity scheduling at 5,000 nodes: the real kube-scheduler 1.20
and Aqueduct's framework, in one run.

kube-scheduler: the e2e control plane (scripts/control-plane.sh, built once),
5,000 Node objects, 1,000 running pods with required anti-affinity to
color=green by hostname (namespace sched-0), then 1,000 more such pods in
sched-1 created while the scheduler is stopped (SIGSTOP); the clock runs
from SIGCONT until every one is bound. Its client rate limits are lifted
(--kube-api-qps/burst 5000), so the figure is the scheduler's, binding
round trips included. Its CPU seconds are read from /proc.
Aqueduct: BM_KubePerfPodAntiAffinity/5000 of build/bench/aqueduct_bench (the
same shape, one thread, no API round trips), right after.

Usage: kube_scheduler_compare.py [--nodes 5000] [--aqueduct-bench PATH]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pods(ns, n):
    term = {"labelSelector": {"matchLabels": {"color": "green"}}, "topologyKey": "kubernetes.io/hostname"}
    return {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": f"p-{i}", "namespace": ns, "labels": {"color": "green", "name": "test"}},
         "spec": {"automountServiceAccountToken": False,
                  "containers": [{"name": "pause", "image": "pause",
                                  "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}}}],
                  "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}}}
        for i in range(n)]}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kube_run(nodes):
    script = os.path.join(SRC, "scripts", "control-plane.sh")
    if subprocess.run(["bash", script, "path"], capture_output=True).returncode != 0:
        sys.exit("the control plane is not built; run: bash scripts/control-plane.sh build")
    work = tempfile.mkdtemp(prefix="aqueduct-kube-compare-")
    env0 = dict(os.environ, SCHEDULER_EXTRA_FLAGS="--kube-api-qps=5000 --kube-api-burst=5000",
                APISERVER_EXTRA_FLAGS="--disable-admission-plugins=TaintNodesByCondition "
                                      "--max-requests-inflight=2000",
                KCM_CONTROLLERS="serviceaccount,serviceaccount-token,namespace")
    subprocess.run(["bash", script, "start", work], check=True, env=env0, stdout=subprocess.DEVNULL)
    env = dict(os.environ, KUBECONFIG=os.path.join(work, "kubeconfig"))

    def kubectl(*args, stdin=None):
        r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin)
        return r

    def bound(ns):
        out = kubectl("get", "pods", "-n", ns, "-o",
                      "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}").stdout
        return sum(1 for line in out.splitlines() if line.strip())

    try:
        res = {"cpu": "64", "memory": "512Gi", "pods": "110"}
        items = [{"apiVersion": "v1", "kind": "Node",
                  "metadata": {"name": f"node-{i:05d}", "labels": {"kubernetes.io/hostname": f"node-{i:05d}"}},
                  "status": {"capacity": res, "allocatable": res,
                             "conditions": [{"type": "Ready", "status": "True"}]}} for i in range(nodes)]
        r = kubectl("create", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        if r.returncode != 0:
            sys.exit(f"creating the nodes failed: {r.stderr[-500:]}")
        for ns in ("sched-0", "sched-1"):
            kubectl("create", "namespace", ns)
        deadline = time.monotonic() + 60
        while kubectl("get", "serviceaccount", "default", "-n", "sched-1").returncode != 0:
            if time.monotonic() > deadline:
                sys.exit("no default ServiceAccount in sched-1")
            time.sleep(0.2)
        sched = int(open(os.path.join(work, "scheduler.pid")).read())
        kubectl("create", "-f", "-", stdin=json.dumps(pods("sched-0", 1000)))
        while bound("sched-0") < 1000:
            time.sleep(0.5)
        os.kill(sched, signal.SIGSTOP)
        kubectl("create", "-f", "-", stdin=json.dumps(pods("sched-1", 1000)))
        cpu0, t0 = cpu_seconds(sched), time.monotonic()
        os.kill(sched, signal.SIGCONT)
        while bound("sched-1") < 1000:
            time.sleep(0.2)
        wall = time.monotonic() - t0
        return wall, cpu_seconds(sched) - cpu0
    finally:
        subprocess.run(["bash", script, "stop", work], stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--aqueduct-bench", default=os.path.join(SRC, "build", "bench", "aqueduct_bench"))
    a = ap.parse_args()
    wall, cpu = kube_run(a.nodes)
    print(f"kube-scheduler 1.20: 1,000 anti-affinity pods on {a.nodes} nodes in {wall:.2f} s: "
          f"{1000 / wall:.0f} pods/s, {cpu:.1f} scheduler CPU s ({1000 / cpu:.0f} pods per CPU s)", flush=True)
    r = subprocess.run([a.aqueduct_bench, f"--benchmark_filter=BM_KubePerfPodAntiAffinity/{a.nodes}$",
                        "--benchmark_min_time=2", "--benchmark_format=json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{a.aqueduct_bench} failed:\n{r.stderr}")
    b = json.loads(r.stdout)["benchmarks"][0]
    per_s = b["pods_per_s"]
    cpu_per_pod = b["cpu_time"] / 1e6 if b.get("time_unit") == "us" else b["cpu_time"] / 1e9
    print(f"Aqueduct (one thread, no API round trips): {per_s:.0f} pods/s, "
          f"{1 / cpu_per_pod:.0f} pods per CPU s", flush=True)


if __name__ == "__main__":
    main()
