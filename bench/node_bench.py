#!/usr/bin/env python3
"""Benchmarks on the real node of the e2e suite (scripts/node.sh: containerd,
runc, a kubelet from the control plane's source):

  * pod start to first byte: from a pod's creation (`kubectl apply` returned) to its first byte
    read from the dataset, for the FUSE sidecar path (webhook-injected) and
    the CSI path (aqueduct csi, the runtime's FUSE DaemonSet), interleaved
    round by round with a baseline pod that reads nothing (so the cost of the
    kubelet and containerd themselves shows); the first CSI pod also starts
    the lazy FUSE (reported apart, as "cold");
  * reconcile throughput with the kubelet in the loop: N Datasets and
    AqueductRuntimes applied at once, timed until every dataset is Bound and
    every worker pod Ready on the node, with the controller's CPU seconds.

usage: node_bench.py [--aqueduct build/cli/aqueduct] [--rounds 5] [--runtimes 8]
                     [--batches 2] [--out out/node-bench]
Writes results.json and first_byte.png to --out. Needs root (exit 77 with
the reason otherwise, as the e2e suite).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "k8s", "e2e"))
from run_e2e import stop_processes, wait_for, webhook  # noqa: E402
from run_node_e2e import (TIER_DIR, dataset_yaml, make_dataset, pod_yaml, real_node,  # noqa: E402
                           skip_reason, start_csi, stop_on_sigterm, uptime)


# The node also runs the dataset's DaemonSet FUSE (the CSI path): sidecars get
# their own host mount folder, or one exiting would unmount the DaemonSet's.
SIDECAR_BESIDE_DAEMONSET = {"default.fuse-sidecar.fluid.io/host-mount-path-mode": "random-suffix"}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_byte(kubectl, get, name, yaml):
    """Seconds from the pod's creation to its FIRST line (its clock is /proc/uptime too)."""
    before = uptime()
    kubectl("apply", "-f", "-", stdin=yaml)
    # From the pod's creation: kubectl has returned, so the object exists (the
    # client's own start-up and discovery, which can take seconds, are left out).
    t0 = uptime()
    if t0 - before > 1.0:
        print(f"node bench: (kubectl apply of {name} itself took {t0 - before:.2f} s)", flush=True)
    line = wait_for(f"pod {name}'s first byte", lambda: next(
        (ln for ln in kubectl("logs", name, "-c", "app", ok=False).stdout.splitlines() if ln.startswith("FIRST ")),
        None), timeout=120, every=0.2)
    took = float(line.split()[1]) - t0
    if took > 5.0:
        # Where a slow start went, from the API's own (1-second) timestamps.
        pod = json.loads(get("pod", name, "-o", "json"))
        stamps = {"created": pod["metadata"]["creationTimestamp"]}
        for c in pod["status"].get("conditions", []):
            stamps[c["type"]] = c.get("lastTransitionTime")
        for c in pod["status"].get("containerStatuses", []):
            stamps[c["name"] + " started"] = (c.get("state", {}).get("running") or {}).get("startedAt")
        print(f"node bench: (slow start of {name}: {took:.2f} s; API timestamps {stamps})", flush=True)
    kubectl("delete", "pod", name, "--grace-period=0", "--force", "--wait=false", ok=False)
    return took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqueduct", default=os.path.join(SRC, "build", "cli", "aqueduct"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runtimes", type=int, default=8)
    ap.add_argument("--batches", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(SRC, "out", "node-bench"))
    a = ap.parse_args()
    stop_on_sigterm()
    why = skip_reason(SRC)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    os.makedirs(a.out, exist_ok=True)
    results = {"first_byte_s": {"baseline": [], "sidecar": [], "csi": []}, "reconcile": []}
    with real_node(SRC, a.aqueduct, prefix="aqueduct-node-bench-") as (work, env, kubectl, node_env):
        def get(*args):
            return kubectl("get", *args, ok=False).stdout.strip()

        node = node_env["NODE_NAME"]
        data_dir = os.path.join(work, "data")
        make_dataset(data_dir)
        procs = []
        try:
            log = open(os.path.join(work, "controller.log"), "w")
            ctl = subprocess.Popen([a.aqueduct, "controller", "--identity", "bench"], env=env, stderr=log, stdout=log)
            procs.append(ctl)
            procs.append(start_csi(a.aqueduct, work, env, kubectl, node_env))
            applied = time.monotonic()
            kubectl("apply", "-f", "-", stdin=dataset_yaml("shards", data_dir, placement="Shared"))
            # Pods on the claim are unschedulable until the PV controller binds it.
            wait_for("the claim shards Bound", lambda: get("pvc", "shards", "-o", "jsonpath={.status.phase}") == "Bound",
                     timeout=120, every=0.2)
            results["pvc_bound_s"] = time.monotonic() - applied
            print(f"node bench: claim shards Bound {results['pvc_bound_s']:.2f} s after the dataset was applied",
                  flush=True)
            wait_for("the worker Ready", lambda: get("pod", "shards-worker-0", "-o",
                     "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}") == "True", timeout=120)
            wait_for("the CSI driver registered", lambda: "fuse.csi.fluid.io" in get(
                "csinode", node, "-o", "jsonpath={.spec.drivers[*].name}"), timeout=60)
            read = "head -c 1 /data/train/part-0000.bin >/dev/null; echo FIRST $(cut -d' ' -f1 /proc/uptime); sleep 3600"
            plain = "echo FIRST $(cut -d' ' -f1 /proc/uptime); sleep 3600"
            with webhook(a.aqueduct, work, env, kubectl):
                cold = first_byte(kubectl, get, "csi-cold", pod_yaml("csi-cold", read))
                print(f"node bench: CSI path, cold (lazy FUSE started by the first pod): {cold:.2f} s", flush=True)
                for r in range(a.rounds):
                    row = {}
                    for path, yaml in (
                            ("baseline", pod_yaml(f"plain-{r}", plain, claim=None)),
                            ("sidecar", pod_yaml(f"sidecar-{r}", read, labels={"serverless.fluid.io/inject": "true"},
                                                annotations=SIDECAR_BESIDE_DAEMONSET)),
                            ("csi", pod_yaml(f"csi-{r}", read))):
                        name = yaml.split("name: ", 1)[1].split()[0]
                        row[path] = first_byte(kubectl, get, name, yaml)
                        results["first_byte_s"][path].append(row[path])
                    print(f"node bench: round {r + 1}/{a.rounds}: " +
                          ", ".join(f"{k} {v:.2f} s" for k, v in row.items()), flush=True)
            results["first_byte_s"]["csi_cold"] = [cold]

            for b in range(a.batches):
                names = [f"rt-{b}-{i}" for i in range(a.runtimes)]
                docs = "".join(dataset_yaml(n, data_dir, quota="64Mi", tier_dir=f"{TIER_DIR}-{n}",
                                            placement="Shared") for n in names)
                cpu0, t0 = cpu_seconds(ctl.pid), time.monotonic()
                kubectl("apply", "-f", "-", stdin=docs)

                def ready():
                    bound = get("datasets", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}")
                    phases = dict(line.split("=", 1) for line in bound.splitlines() if "=" in line)
                    pods = get("pods", "-o", "jsonpath={range .items[*]}{.metadata.name}="
                               "{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}")
                    status = dict(line.split("=", 1) for line in pods.splitlines() if "=" in line)
                    return all(phases.get(n) == "Bound" and status.get(f"{n}-worker-0") == "True" for n in names)
                wait_for(f"{a.runtimes} runtimes bound with Ready workers", ready, timeout=600, every=0.2)
                took, cpu = time.monotonic() - t0, cpu_seconds(ctl.pid) - cpu0
                results["reconcile"].append({"runtimes": a.runtimes, "wall_s": took, "controller_cpu_s": cpu,
                                             "runtimes_per_s": a.runtimes / took})
                print(f"node bench: batch {b + 1}/{a.batches}: {a.runtimes} runtimes bound with their workers "
                      f"Ready on the node in {took:.2f} s ({a.runtimes / took:.2f}/s), controller CPU {cpu:.2f} s",
                      flush=True)
                for n in names:
                    subprocess.run(["rm", "-rf", f"{TIER_DIR}-{n}"])
        finally:
            stop_processes(procs)

    summary = {k: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
               for k, v in results["first_byte_s"].items() if v}
    results["summary"] = summary
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
    for k, v in summary.items():
        print(f"node bench: pod start to first byte, {k}: median {v['median']:.2f} s "
              f"(min {v['min']:.2f}, max {v['max']:.2f}, n={v['n']})")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5))
    keys = [k for k in ("baseline", "sidecar", "csi", "csi_cold") if results["first_byte_s"].get(k)]
    for i, k in enumerate(keys):
        ys = results["first_byte_s"][k]
        ax.scatter([i] * len(ys), ys, alpha=0.7)
        ax.hlines(statistics.median(ys), i - 0.25, i + 0.25, color="black")
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(["no dataset\n(baseline)", "FUSE sidecar", "CSI\n(FUSE running)", "CSI, cold\n(lazy FUSE)"][:len(keys)]
                       if keys == ["baseline", "sidecar", "csi", "csi_cold"] else keys)
    ax.set_ylabel("pod created to first byte (s)")
    ax.set_ylim(bottom=0)
    ax.set_title("Pod start to first byte on the real node (bar: median)")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "first_byte.png"), dpi=120)
    print(f"node bench: wrote {a.out}/results.json and first_byte.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
