#!/usr/bin/env python3
"""Controller speed against a real kube-apiserver (scripts/control-plane.sh):

  - reconcile throughput: N Datasets with their JuiceFSRuntimes exist before
    the controller starts; the time until every Dataset is Bound and every
    runtime has its workloads gives datasets/s (a fresh leader's full list);
  - watch-to-action latency: with the controller running, one Dataset (its
    runtime already there) is created at a time; the time from the create
    returning to the Dataset's status reading Bound (through a watch) is the
    latency, p50/p99 over the samples.

usage: /usr/bin/python3 bench/controller_bench.py [AQUEDUCT_BINARY] [N] [SAMPLES]
"""
import contextlib
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Api:
    def __init__(self, env_file):
        env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)
        self.server, self.token = env["APISERVER"], env["TOKEN"]
        self.ctx = ssl.create_default_context(cafile=os.path.join(os.path.dirname(env_file), "apiserver.crt"))

    def call(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, context=self.ctx) as r:
            return json.loads(r.read() or b"null")


def dataset(name):
    return {"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset", "metadata": {"name": name},
            "spec": {"mounts": [{"mountPoint": f"oss://bench/{name}", "name": name, "encryptOptions": [
                {"name": "metaurl", "valueFrom": {"secretKeyRef": {"name": "jfs", "key": "metaurl"}}}]}]}}


def runtime(name):
    return {"apiVersion": "data.fluid.io/v1alpha1", "kind": "JuiceFSRuntime", "metadata": {"name": name},
            "spec": {"replicas": 1, "tieredstore": {"levels": [{"mediumtype": "MEM", "path": "/dev/shm", "quota": "1Gi"}]}}}


@contextlib.contextmanager
def control_plane():
    """Builds (once) and starts the real control plane in a temporary folder;
    yields (work folder, env with KUBECONFIG, Api); stops it afterwards."""
    script = os.path.join(ROOT, "scripts", "control-plane.sh")
    subprocess.run(["bash", script, "build"], check=True)
    work = tempfile.mkdtemp(prefix="aqueduct-bench-")
    try:
        subprocess.run(["bash", script, "start", work], check=True, capture_output=True)
        env = dict(os.environ, KUBECONFIG=os.path.join(work, "kubeconfig"))
        yield work, env, Api(os.path.join(work, "env"))
    finally:
        subprocess.run(["bash", script, "stop", work])
        shutil.rmtree(work, ignore_errors=True)


def wait_all(count_done, n, t0, what, every, limit=600):
    """Polls count_done() until it returns n (a progress line on a TTY);
    returns the seconds since t0. Gives up after `limit` seconds."""
    while True:
        done = count_done()
        if done == n:
            break
        if time.monotonic() - t0 > limit:
            raise SystemExit(f"only {done}/{n} {what} after {limit} s")
        if sys.stderr.isatty():
            print(f"\r{done}/{n} {what}", end="", file=sys.stderr)
        time.sleep(every)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return time.monotonic() - t0


DS = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets"
RT = "/apis/data.fluid.io/v1alpha1/namespaces/default/juicefsruntimes"


def main():
    aqueduct = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "aqueduct")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    ctl = None
    with control_plane() as (work, env, api):
        try:
            subprocess.run(["kubectl", "apply", "-f", os.path.join(ROOT, "k8s", "manifests", "crds")], env=env,
                           check=True, capture_output=True)
            subprocess.run(["kubectl", "wait", "--for", "condition=Established", "--timeout=60s",
                            "crd/datasets.data.fluid.io", "crd/juicefsruntimes.data.fluid.io"], env=env, check=True,
                           capture_output=True)
            subprocess.run(["kubectl", "create", "namespace", "aqueduct-system"], env=env, check=True,
                           capture_output=True)
            log = open(os.path.join(work, "controller.log"), "w")

            def start_controller():
                return subprocess.Popen([aqueduct, "controller", "--retry-period", "200ms", "--renew-deadline", "1s",
                                         "--lease-duration", "2s", "--workers", "4"], env=env, stderr=log)

            # Latency first, on an otherwise idle cluster and controller.
            ctl = start_controller()
            api.call("POST", RT, runtime("warmup"))
            api.call("POST", DS, dataset("warmup"))
            while api.call("GET", f"{DS}/warmup").get("status", {}).get("phase") != "Bound":
                time.sleep(0.05)
            lat = []
            for i in range(samples):
                name = f"l{i:04d}"
                api.call("POST", RT, runtime(name))
                time.sleep(0.2)  # the runtime's own reconcile is done
                start = time.monotonic()
                api.call("POST", DS, dataset(name))
                while True:
                    d = api.call("GET", f"{DS}/{name}")
                    if d.get("status", {}).get("phase") == "Bound":
                        break
                    time.sleep(0.002)
                lat.append((time.monotonic() - start) * 1000)
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
            print(f"watch-to-action latency: create Dataset -> status Bound (its PV and PVC made first), "
                  f"{samples} samples on an idle controller: p50 {statistics.median(lat):.1f} ms, "
                  f"p99 {p99:.1f} ms, max {lat[-1]:.1f} ms")
            ctl.terminate()
            ctl.wait(timeout=10)

            # Throughput: N datasets waiting when a fresh controller starts.
            for i in range(n):
                api.call("POST", DS, dataset(f"d{i:04d}"))
                api.call("POST", RT, runtime(f"d{i:04d}"))
            t0 = time.monotonic()
            ctl = start_controller()
            took = wait_all(lambda: sum(1 for d in api.call("GET", DS)["items"]
                                        if d["metadata"]["name"].startswith("d")
                                        and d.get("status", {}).get("phase") == "Bound"),
                            n, t0, "bound", 0.05)
            print(f"reconcile throughput: {n} datasets (+ their runtimes' StatefulSets, DaemonSets, PVs, PVCs, "
                  f"status) bound in {took:.2f} s from a fresh controller's start = {n / took:.1f} datasets/s")
            return 0
        finally:
            if ctl:
                ctl.terminate()
                ctl.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
