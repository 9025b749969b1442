#!/usr/bin/env python3
"""Aqueduct's scheduler framework against the real kube-scheduler 1.20.

The same nodes are written once as an Aqueduct cluster file (for `aqueduct
schedule`, profile kube-1.20) and registered as Node objects with the e2e
control plane (no kubelet: the pods stay where the scheduler binds them). A
sequence of pods using pod affinity, anti-affinity and topology spread
constraints (required and preferred, across namespaces, with node affinity
limiting the domains) is then scheduled one pod at a time by kube-scheduler.
Before each pod is created, `aqueduct schedule` is asked about the same pod
on the same state (the earlier pods bound where kube-scheduler put them,
through spec.nodeName). The two must agree:
  - a pod kube-scheduler cannot place, Aqueduct cannot place either, with
    the same FitError message ("0/6 nodes are available: ...");
  - a pod kube-scheduler places goes to one of the nodes Aqueduct scores
    highest (kube-scheduler breaks ties at random; so may we).
Usage: kube_scheduler_agreement.py SRC AQUEDUCT   (exit 77: no control plane)
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from e2e_support import control_plane_script, skip_reason

# name, zone (None: no zone label), cores, memory GiB
NODES = [("n1", "a", 8, 32), ("n2", "a", 8, 32), ("n3", "b", 8, 32),
         ("n4", "b", 16, 64), ("n5", "c", 8, 32), ("n6", None, 8, 32)]


def sel(**labels):
    return {"matchLabels": labels}


def term(selector, key, namespaces=None):
    t = {"topologyKey": key}
    if selector is not None:
        t["labelSelector"] = selector
    if namespaces:
        t["namespaces"] = namespaces
    return t


ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def pod(name, labels=None, ns="default", cpu="500m", affinity=None, spread=None, node_selector=None):
    spec = {"containers": [{"name": "main", "image": "registry.invalid/pause:3.4.1",
                            "resources": {"requests": {"cpu": cpu, "memory": "512Mi"}}}]}
    if affinity:
        spec["affinity"] = affinity
    if spread:
        spec["topologySpreadConstraints"] = spread
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": spec}


def required(kind, *terms):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def preferred(kind, *weighted):
    return {kind: {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": w, "podAffinityTerm": t} for w, t in weighted]}}


def spread(key, when, max_skew=1, **labels):
    return [{"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
             "labelSelector": sel(**labels)}]


def scenario():
    """The pods, in creation order."""
    pods = []
    # A database, then its clients: required affinity to the db's zone.
    pods.append(pod("db-0", {"app": "db"}, cpu="2"))
    for i in range(3):
        pods.append(pod(f"client-{i}", {"app": "client"},
                        affinity=required("podAffinity", term(sel(app="db"), ZONE))))
    # Web replicas, one per node (required anti-affinity by hostname) ...
    for i in range(7):
        pods.append(pod(f"web-{i}", {"app": "web"},
                        affinity=required("podAntiAffinity", term(sel(app="web"), HOST))))
    # ... and one per zone: the fourth has no zone left (n6 has no zone label,
    # so it is in no domain of the term and stays open).
    for i in range(5):
        pods.append(pod(f"zonal-{i}", {"app": "zonal"},
                        affinity=required("podAntiAffinity", term(sel(app="zonal"), ZONE))))
    # A guard in namespace team that keeps batch pods of team out of its zone;
    # batch pods in default are not covered.
    pods.append(pod("guard", {"app": "guard"}, ns="team",
                    affinity=required("podAntiAffinity", term(sel(app="batch"), ZONE))))
    for i in range(2):
        pods.append(pod(f"batch-{i}", {"app": "batch"}, ns="team"))
        pods.append(pod(f"batch-{i}", {"app": "batch"}, ns="default"))
    # Cross-namespace affinity through namespaces: [team].
    pods.append(pod("follower", {"app": "follower"},
                    affinity=required("podAffinity", term(sel(app="guard"), HOST, ["team"]))))
    # Affinity to nothing that exists, by a pod that does not match itself.
    pods.append(pod("orphan", {"app": "orphan"},
                    affinity=required("podAffinity", term(sel(app="nobody"), ZONE))))
    # Hard spreading by zone, then by host; the node selector limits the domains.
    for i in range(6):
        pods.append(pod(f"spread-{i}", {"app": "spread"}, spread=spread(ZONE, "DoNotSchedule", 1, app="spread")))
    for i in range(3):
        pods.append(pod(f"pinned-{i}", {"app": "pinned"}, node_selector={ZONE: "b"},
                        spread=spread(HOST, "DoNotSchedule", 1, app="pinned")))
    # Soft spreading and preferences (the scores decide).
    for i in range(4):
        pods.append(pod(f"soft-{i}", {"app": "soft"}, spread=spread(ZONE, "ScheduleAnyway", 1, app="soft")))
    for i in range(4):
        pods.append(pod(f"host-soft-{i}", {"app": "hs"}, spread=spread(HOST, "ScheduleAnyway", 1, app="hs")))
    pods.append(pod("near-db", {"app": "near"}, affinity=preferred("podAffinity", (50, term(sel(app="db"), HOST)))))
    pods.append(pod("away-from-web", {"app": "away"},
                    affinity=preferred("podAntiAffinity", (30, term(sel(app="web"), HOST)),
                                       (10, term(sel(app="client"), ZONE)))))
    # A running pod's required affinity attracts the pods it names
    # (hardPodAffinityWeight); a running pod's preference does too.
    pods.append(pod("anchor-0", {"app": "anchor"}))
    pods.append(pod("leaf", {"app": "leaf"}, affinity=required("podAffinity", term(sel(app="anchor"), HOST))))
    pods.append(pod("anchor-1", {"app": "anchor"}))
    pods.append(pod("lover", {"app": "lover"},
                    affinity=preferred("podAffinity", (100, term(sel(app="beloved"), ZONE)))))
    pods.append(pod("beloved", {"app": "beloved"}))
    # Too big for any node together with its anti-affinity.
    pods.append(pod("huge", {"app": "web"}, cpu="15",
                    affinity=required("podAntiAffinity", term(sel(app="web"), HOST))))
    return pods


def cluster_yaml():
    lines = ["apiVersion: aqueduct.io/v1alpha1", "kind: Cluster", "metadata: {name: agreement}",
             "spec:", "  scheduler: kube-1.20", "  nodes:"]
    for name, zone, cpu, mem in NODES:
        z = f", zone: {zone}" if zone else ""
        lines.append(f"    - {{name: {name}, cpu: \"{cpu}\", memory: {mem}Gi{z}}}")
    return "\n".join(lines) + "\n"


def node_object(name, zone, cpu, mem):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    labels = {HOST: name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    if zone:
        labels[ZONE] = zone
    res = {"cpu": str(cpu), "memory": f"{mem}Gi", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"capacity": res, "allocatable": res,
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "agreement test", "lastHeartbeatTime": now,
                                       "lastTransitionTime": now}]}}


def main() -> int:
    src, aqueduct = sys.argv[1], sys.argv[2]
    script = control_plane_script(src)
    why = skip_reason(src)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    work = tempfile.mkdtemp(prefix="aqueduct-agreement-")
    try:
        subprocess.run(["bash", script, "start", work], check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, KUBECONFIG=os.path.join(work, "kubeconfig"))

        def kubectl(*args, stdin=None, ok=True):
            r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin)
            if ok and r.returncode != 0:
                raise SystemExit(f"kubectl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
            return r

        cluster = os.path.join(work, "cluster.yaml")
        with open(cluster, "w") as f:
            f.write(cluster_yaml())
        for n in NODES:
            kubectl("create", "-f", "-", stdin=json.dumps(node_object(*n)))
            # The apiserver taints new nodes not-ready; with no node lifecycle
            # controller running, the test lifts it as that controller would.
            kubectl("taint", "node", n[0], "node.kubernetes.io/not-ready:NoSchedule-", ok=False)
        kubectl("create", "namespace", "team")
        # The default ServiceAccount must exist before pods are admitted.
        for ns in ("default", "team"):
            deadline = time.monotonic() + 30
            while kubectl("get", "serviceaccount", "default", "-n", ns, ok=False).returncode != 0:
                if time.monotonic() > deadline:
                    raise SystemExit(f"no default ServiceAccount in {ns}")
                time.sleep(0.2)
        alloc = kubectl("get", "node", "n4", "-o", "jsonpath={.status.allocatable.cpu}").stdout
        assert alloc == "16", f"node status was not kept on create: {alloc!r}"
        taints = kubectl("get", "nodes", "-o", "jsonpath={.items[*].spec.taints}").stdout.strip()
        assert not taints, f"nodes still tainted: {taints}"

        placed = []  # pods kube-scheduler bound, with spec.nodeName set
        agreed = placed_by_both = unschedulable_by_both = 0
        failures = []
        for p in scenario():
            key = f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            # Aqueduct's answer on the same state.
            pods_file = os.path.join(work, "pods.yaml")
            with open(pods_file, "w") as f:
                f.write("\n---\n".join(json.dumps(x) for x in placed + [p]) + "\n")
            r = subprocess.run([aqueduct, "schedule", "--cluster", cluster, "-f", pods_file,
                                "--explain", "--top", "100", "-o", "json"],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):
                raise SystemExit(f"aqueduct schedule failed ({r.returncode}) for {key}:\n{r.stderr}")
            ours = json.loads(r.stdout)[-1]
            assert ours["pod"] == key, ours
            best = set()
            if ours["placed"]:
                top = max(s["total"] for s in ours["scores"])
                best = {s["node"] for s in ours["scores"] if s["total"] == top}
            # kube-scheduler's answer.
            kubectl("create", "-f", "-", stdin=json.dumps(p))
            ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
            node, message = "", ""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                got = json.loads(kubectl("get", "pod", name, "-n", ns, "-o", "json").stdout)
                node = got["spec"].get("nodeName", "")
                if node:
                    break
                cond = [c for c in got.get("status", {}).get("conditions", [])
                        if c["type"] == "PodScheduled" and c["status"] == "False"]
                if cond and cond[0].get("reason") == "Unschedulable":
                    message = cond[0].get("message", "")
                    break
                time.sleep(0.1)
            else:
                raise SystemExit(f"kube-scheduler decided nothing about {key} in 30 s")
            if node:
                bound = json.loads(json.dumps(p))
                bound["spec"]["nodeName"] = node
                placed.append(bound)
                ok = ours["placed"] and node in best
                placed_by_both += ok
                line = f"{key}: kube-scheduler -> {node}; Aqueduct best {sorted(best) or ours['reason']}"
            else:
                kubectl("delete", "pod", name, "-n", ns, "--wait=false")
                ok = not ours["placed"] and ours["reason"] == message
                unschedulable_by_both += ok
                line = f"{key}: kube-scheduler: {message!r}; Aqueduct: {ours['reason'] or sorted(best)!r}"
            print(("agree     " if ok else "DISAGREE  ") + line)
            if ok:
                agreed += 1
            else:
                failures.append(line)
        total = agreed + len(failures)
        print(f"kube-scheduler agreement: {agreed}/{total} pods "
              f"({placed_by_both} placed on a node Aqueduct scores best, "
              f"{unschedulable_by_both} unschedulable with the same message)")
        if failures:
            print("disagreements:\n  " + "\n  ".join(failures))
            return 1
        return 0
    finally:
        subprocess.run(["bash", script, "stop", work], stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
