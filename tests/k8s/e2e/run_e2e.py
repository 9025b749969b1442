#!/usr/bin/env python3
"""The end-to-end suite against a real control plane (etcd, kube-apiserver,
kube-scheduler, kube-controller-manager v1.20 built from Debian's source by
scripts/control-plane.sh). Starts it in a temporary folder on 127.0.0.1,
applies the CRDs and Fluid's own YAML with kubectl, runs the C++ e2e tests
against it, and stops it. Exit 77 (skipped) with the reason when the control
plane is not built or kubectl is missing.

usage: run_e2e.py SOURCE_DIR E2E_TEST_BINARY AQUEDUCT_BINARY
"""
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

from e2e_support import control_plane_script, skip_reason


def wait_for(what, fn, timeout=30.0, every=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


def stop_processes(procs):
    """SIGTERM to each process still running; SIGKILL after 10 s."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


@contextlib.contextmanager
def webhook(aqueduct, work, env, kubectl):
    """`aqueduct webhook`, its datasets from informers, registered with the real
    apiserver for pods labelled serverless.fluid.io/inject=true."""
    import base64
    ready = os.path.join(work, "webhook.ready")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(os.path.join(work, "webhook.log"), "a")
    wh = subprocess.Popen([aqueduct, "webhook", "--self-signed", "--tls-cert", os.path.join(work, "wh.crt"),
                           "--tls-key", os.path.join(work, "wh.key"), "--listen", "127.0.0.1:0",
                           "--ready-file", ready, "--kubeconfig", env["KUBECONFIG"]], stderr=log, stdout=log)
    try:
        address = wait_for("the webhook", lambda: open(ready).read().strip() if os.path.exists(ready) else None)
        ca = base64.b64encode(open(os.path.join(work, "wh.crt"), "rb").read()).decode()
        kubectl("apply", "-f", "-", stdin=f"""apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {{name: aqueduct-e2e}}
webhooks:
- name: fluid-pods.aqueduct.io
  clientConfig: {{url: "https://{address}/mutate-fluid-pods", caBundle: "{ca}"}}
  rules: [{{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}}]
  objectSelector: {{matchLabels: {{serverless.fluid.io/inject: "true"}}}}
  sideEffects: None
  admissionReviewVersions: [v1]
  failurePolicy: Fail
  timeoutSeconds: 10
""")
        yield
        kubectl("delete", "mutatingwebhookconfiguration", "aqueduct-e2e")
    finally:
        wh.terminate()
        wh.wait(timeout=60)  # it first lets open keep-alive connections finish


def webhook_e2e(aqueduct, work, env, kubectl):
    """A Job labelled for serverless injection gets pods with the JuiceFS FUSE
    sidecar, injected on the way in through the apiserver."""
    with webhook(aqueduct, work, env, kubectl):
        kubectl("apply", "-f", "-", stdin="""apiVersion: batch/v1
kind: Job
metadata: {name: e2e-serverless}
spec:
  template:
    metadata:
      labels: {serverless.fluid.io/inject: "true"}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      containers:
        - name: train
          image: busybox
          command: [sh, -c, "ls /data"]
          volumeMounts: [{name: data, mountPath: /data}]
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: images}
""")
        names = wait_for("the Job's pod", lambda: kubectl(
            "get", "pods", "-l", "job-name=e2e-serverless", "-o",
            "jsonpath={.items[0].spec.containers[*].name}", ok=False).stdout.strip(), timeout=60)
        assert names.split()[0] == "fluid-fuse-0" and "train" in names.split(), names
        labels = kubectl("get", "pods", "-l", "job-name=e2e-serverless", "-o",
                         "jsonpath={.items[0].metadata.labels}", ok=False).stdout
        assert "done.sidecar.fluid.io/inject" in labels, labels
        print(f"webhook e2e: the Job's pod was injected through the apiserver: containers {names}")


def sim_nodes_e2e(src, aqueduct, work, env, kubectl):
    """`aqueduct sim nodes` registers a cluster's nodes; a serverless Job is
    injected by the webhook, placed on a simulated ECI node by kube-scheduler,
    run by the job model; when its app ends the controller's sidecar rule ends
    the FUSE sidecar and the real Job controller marks the Job Complete."""
    def get(*args):
        return kubectl("get", *args, ok=False).stdout.strip()

    procs = []
    try:
        for name, args in (("sim-nodes", ["sim", "nodes", "--cluster",
                                          os.path.join(src, "examples", "live", "sim-cluster.yaml"),
                                          "--time-scale", "10", "--heartbeat", "2s"]),
                           ("controller", ["controller", "--identity", "ctl-c", "--lease-duration", "4s",
                                           "--renew-deadline", "3s", "--retry-period", "500ms",
                                           "--elasticity-period", "1s"])):
            log = open(os.path.join(work, f"{name}.log"), "w")
            procs.append(subprocess.Popen([aqueduct, *args], env=env, stderr=log, stdout=log))
        wait_for("four simulated nodes Ready", lambda: get(
            "nodes", "-l", "aqueduct.io/simulated=true", "-o",
            "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}"
        ).split() == ["True"] * 4, timeout=30)
        taints = get("node", "eci-0000", "-o", "jsonpath={.spec.taints[*].key}")
        assert taints == "virtual-kubelet.io/provider", taints
        print("sim nodes e2e: ecs-0000, ecs-0001, eci-0000, eci-0001 registered and Ready")
        with webhook(aqueduct, work, env, kubectl):
            kubectl("apply", "-f", os.path.join(src, "examples", "live", "serverless-job.yaml"))
            started = time.monotonic()
            try:
                wait_for("the Job Complete", lambda: get(
                    "job", "train-serverless", "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Complete\")].status}") == "True", timeout=90)
            except SystemExit:
                print(get("pods", "-l", "job-name=train-serverless", "-o", "yaml"))
                for name in ("sim-nodes", "controller"):
                    print(f"--- {name}.log\n" + open(os.path.join(work, f"{name}.log")).read()[-3000:])
                raise
            took = time.monotonic() - started
        pod = get("pods", "-l", "job-name=train-serverless", "-o", "json")
        import json
        p = json.loads(pod)["items"][0]
        assert p["spec"]["nodeName"].startswith("eci-"), p["spec"]["nodeName"]
        assert p["status"]["phase"] == "Succeeded", p["status"]
        states = {c["name"]: c["state"] for c in p["status"]["containerStatuses"]}
        assert states["fluid-fuse-0"]["terminated"]["exitCode"] == 0, states
        assert states["train"]["terminated"]["exitCode"] == 0, states
        assert "aqueduct.io/sidecar-exit" in p["metadata"]["annotations"], p["metadata"]
        sidecar = next(c for c in p["spec"]["containers"] if c["name"] == "fluid-fuse-0")
        assert sidecar["command"][:2] == ["/bin/sh", "-c"] and "aqueduct.io/sidecar-exit" in sidecar["command"][2], sidecar
        print(f"sim nodes e2e: Job train-serverless injected, run on {p['spec']['nodeName']}, app exited 0, "
              f"sidecar ended by the rule, Job Complete {took:.1f} s after apply")

        # Aqueduct's own engine, scaled by a core autoscaler through the scale
        # subresource; its workers run on the simulated nodes and become Ready.
        kubectl("apply", "-f", "-", stdin="""apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: shards}
spec:
  mounts: [{mountPoint: "http://127.0.0.1:9/shards", name: shards}]
---
apiVersion: data.fluid.io/v1alpha1
kind: AqueductRuntime
metadata:
  name: shards
  annotations:
    aqueduct.io/autoscaler: schedule
    aqueduct.io/autoscaler-args: "cron.0=* * * * *;replicas.0=2"
spec:
  replicas: 1
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm/aqueduct, quota: 2Gi}]}
  worker: {nodeSelector: {aqueduct.io/simulated: "true"}}
""")
        wait_for("dataset shards Bound", lambda: get("dataset", "shards", "-o", "jsonpath={.status.phase}") == "Bound")
        wait_for("the autoscaler's 2 workers", lambda: get(
            "statefulset", "shards-worker", "-o", "jsonpath={.spec.replicas}") == "2", timeout=30)
        cmd = get("statefulset", "shards-worker", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
        assert '"worker"' in cmd and "mem:/dev/shm/aqueduct:" in cmd, cmd
        assert get("service", "shards-worker", "-o", "jsonpath={.spec.clusterIP}") == "None"
        fuse_cmd = get("daemonset", "shards-fuse", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
        assert "shards-worker-1.shards-worker.default.svc" in fuse_cmd, fuse_cmd
        wait_for("2 workers Ready on simulated nodes", lambda: get(
            "aqueductruntime", "shards", "-o", "jsonpath={.status.workerNumberReady}") == "2", timeout=60)
        scaled = get("events", "--field-selector", "reason=Scaled", "-o", "jsonpath={.items[*].message}")
        assert "schedule: 1 -> 2 workers" in scaled, scaled
        print("sim nodes e2e: AqueductRuntime shards scaled 1 -> 2 by the schedule autoscaler through the "
              "scale subresource; aqueduct worker pods Ready on simulated nodes, headless Service, FUSE "
              "DaemonSet naming both workers")
        return 0
    finally:
        stop_processes(procs)


def controllers_e2e(aqueduct, work, env, kubectl):
    """Two `aqueduct controller` replicas on a Lease: the leader binds Fluid's
    dataset; killing it hands over within the lease duration; the new leader
    resumes from a fresh list without repeating work; a dataset the loader
    cannot read is reported in its status."""
    lease_s = 4

    def start(name):
        log = open(os.path.join(work, f"{name}.log"), "w")
        return subprocess.Popen(
            [aqueduct, "controller", "--identity", name, "--lease-duration", f"{lease_s}s",
             "--renew-deadline", "3s", "--retry-period", "500ms"], env=env, stderr=log, stdout=log)

    def get(*args):
        return kubectl("get", *args, ok=False).stdout.strip()

    def holder():
        return get("lease", "-n", "aqueduct-system", "aqueduct-controller", "-o", "jsonpath={.spec.holderIdentity}")

    def created_events(dataset):
        out = get("events", "-o", "jsonpath={range .items[*]}{.involvedObject.name} {.reason}{\"\\n\"}{end}")
        return sum(1 for line in out.splitlines() if line == f"{dataset} Created")

    procs = {name: start(name) for name in ("ctl-a", "ctl-b")}
    try:
        leader = wait_for("a leader", lambda: holder() if holder() in procs else None)
        wait_for("dataset images Bound", lambda: get("dataset", "images", "-o", "jsonpath={.status.phase}") == "Bound")
        wait_for("the claim images Bound", lambda: get("pvc", "images", "-o", "jsonpath={.status.phase}") == "Bound")
        pv_path = get("pv", "default-images", "-o", "jsonpath={.spec.csi.volumeAttributes.fluid_path}")
        assert pv_path == "/runtime-mnt/juicefs/default/images/juicefs-fuse", pv_path
        assert created_events("images") == 2, created_events("images")
        print(f"controller e2e: {leader} leads; dataset images bound (PV + PVC)")
        # The runtime (scaled to 3 above) becomes cache workers and a lazy FUSE DaemonSet.
        wait_for("the worker StatefulSet", lambda: get("statefulset", "images-worker", "-o", "jsonpath={.spec.replicas}") == "3")
        fuse_selector = get("daemonset", "images-fuse", "-o", "jsonpath={.spec.template.spec.nodeSelector}")
        assert "fluid.io/f-default-images" in fuse_selector, fuse_selector
        wait_for("the runtime's status", lambda: get("juicefsruntime", "images", "-o", "jsonpath={.status.selector}"))
        kubectl("scale", "juicefsruntime", "images", "--replicas=2")
        wait_for("the workers scaled to 2", lambda: get("statefulset", "images-worker", "-o", "jsonpath={.spec.replicas}") == "2")
        scale = get("--raw", "/apis/data.fluid.io/v1alpha1/namespaces/default/juicefsruntimes/images/scale")
        assert '"selector":"' in scale and "fluid.io/dataset-id=default-images" in scale, scale
        # Worker pods bound by kube-scheduler mark their nodes as holding the cache.
        wait_for("nodes labelled as holding the cache",
                 lambda: get("nodes", "-l", "fluid.io/s-default-images=true", "-o", "name"), timeout=60)
        kubectl("apply", "-f", "-", stdin="""apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: images-warmup}
spec:
  dataset: {name: images, namespace: default}
  target: [{path: /train, replicas: 1}]
""")
        wait_for("the DataLoad Executing", lambda: get("dataload", "images-warmup", "-o", "jsonpath={.status.phase}") == "Executing")
        job_cmd = get("job", "images-warmup-loader-job", "-o", "jsonpath={.spec.template.spec.containers[0].command[2]}")
        assert "juicefs warmup" in job_cmd, job_cmd
        print("controller e2e: DataLoad images-warmup Executing through Job images-warmup-loader-job")
        print("controller e2e: runtime images -> worker StatefulSet (scaled 3 -> 2 through the scale "
              "subresource), lazy FUSE DaemonSet, status selector, cache node labels: " +
              get("nodes", "-l", "fluid.io/s-default-images=true", "-o", "name").replace("\n", " "))

        # The leader dies without handing the lease back.
        procs[leader].kill()
        procs[leader].wait()
        killed = time.monotonic()
        other = next(n for n in procs if n != leader)
        wait_for("the other replica to lead", lambda: holder() == other, timeout=3 * lease_s)
        took = time.monotonic() - killed
        assert took <= lease_s + 2.0, f"handover took {took:.1f} s, lease {lease_s} s"
        print(f"controller e2e: {other} took over {took:.1f} s after {leader} was killed (lease {lease_s} s)")

        kubectl("apply", "-f", "-", stdin="""apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: images2}
spec:
  mounts: [{mountPoint: "oss://datasets/images2/", name: images2}]
---
apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: images2}
spec:
  replicas: 2
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 2Gi}]}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: broken}
spec:
  mounts: [{mountPoint: "oss://datasets/broken/"}]
---
apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: broken}
spec:
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi, high: "0.5", low: "0.9"}]}
""")
        wait_for("dataset images2 Bound", lambda: get("dataset", "images2", "-o", "jsonpath={.status.phase}") == "Bound")
        wait_for("dataset broken Failed", lambda: get("dataset", "broken", "-o", "jsonpath={.status.phase}") == "Failed")
        why = get("dataset", "broken", "-o", "jsonpath={.status.conditions[0].message}")
        assert "expected low <= high" in why, why
        # The new leader listed everything afresh and repeated nothing.
        time.sleep(1.0)
        assert created_events("images") == 2, created_events("images")
        assert created_events("images2") == 2, created_events("images2")
        assert procs[other].poll() is None, "the leader exited"
        print("controller e2e: images2 bound by the new leader, nothing repeated; broken reported: " + why)
        return 0
    except (SystemExit, AssertionError):
        for name in procs:
            print(f"--- {name}.log\n" + open(os.path.join(work, f"{name}.log"), errors="replace").read()[-3000:])
        raise
    finally:
        stop_processes(procs.values())


def main() -> int:
    src, binary, aqueduct = sys.argv[1], sys.argv[2], sys.argv[3]
    script = control_plane_script(src)
    why = skip_reason(src)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    work = tempfile.mkdtemp(prefix="aqueduct-e2e-")
    try:
        subprocess.run(["bash", script, "start", work], check=True)
        kc = os.path.join(work, "kubeconfig")
        kube_bin = subprocess.run(["bash", script, "path"], capture_output=True, text=True).stdout.strip()
        env = dict(os.environ, KUBECONFIG=kc, AQ_E2E_KUBECONFIG=kc, AQ_E2E_BIN=kube_bin)

        def kubectl(*args, ok=True, stdin=None):
            r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin)
            if ok and r.returncode != 0:
                raise SystemExit(f"kubectl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
            return r

        kubectl("apply", "-f", os.path.join(src, "k8s", "manifests", "crds"))
        kubectl("wait", "--for", "condition=Established", "--timeout=60s",
                "crd/datasets.data.fluid.io", "crd/juicefsruntimes.data.fluid.io", "crd/dataloads.data.fluid.io")
        # Fluid's own YAML, unchanged: a JuiceFS dataset and runtime with 5 replicas.
        kubectl("apply", "-f", os.path.join(src, "examples", "serverless", "fluid-juicefs.yaml"))
        replicas = kubectl("get", "juicefsruntime", "images", "-o", "jsonpath={.spec.replicas}").stdout
        assert replicas == "5", replicas
        kubectl("scale", "juicefsruntime", "images", "--replicas=3")
        assert kubectl("get", "juicefsruntime", "images", "-o", "jsonpath={.spec.replicas}").stdout == "3"
        # Malformed custom resources are refused by the schema, with the field named.
        bad = kubectl("apply", "-f", "-", ok=False, stdin="""apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: bad}
spec:
  replicas: -1
  tieredstore: {levels: [{mediumtype: RAM, quota: 4Gi}]}
""")
        assert bad.returncode != 0 and "spec.replicas" in bad.stderr and "mediumtype" in bad.stderr, bad.stderr
        # The deploy manifests are accepted by the apiserver as they are.
        kubectl("create", "namespace", "aqueduct-system")
        for manifest in ("namespace.yaml", "webhook.yaml", "extender.yaml", "controller.yaml", "csi.yaml"):
            kubectl("apply", "--dry-run=server", "-f", os.path.join(src, "k8s", "manifests", manifest))
        # Both install profiles, as kustomize overlays, are accepted as they are.
        for overlay in ("instead", "alongside"):
            kubectl("apply", "--dry-run=server", "-k", os.path.join(src, "k8s", "overlays", overlay))
        # The controllers' RBAC grants every call they make (the tests below run them as admin).
        kubectl("apply", "-f", os.path.join(src, "k8s", "manifests", "controller.yaml"))
        kubectl("-n", "aqueduct-system", "scale", "deployment", "aqueduct-controller", "--replicas=0")
        sa = "--as=system:serviceaccount:aqueduct-system:aqueduct-controller"
        needed = [("list", "datasets.data.fluid.io", ""), ("watch", "datasets.data.fluid.io", ""),
                  ("patch", "datasets.data.fluid.io", "status"),
                  ("watch", "aqueductruntimes.data.fluid.io", ""),
                  ("patch", "juicefsruntimes.data.fluid.io", "status"),
                  ("patch", "juicefsruntimes.data.fluid.io", "scale"),
                  ("patch", "aqueductruntimes.data.fluid.io", "scale"),
                  ("create", "dataloads.data.fluid.io", ""), ("patch", "dataloads.data.fluid.io", "status"),
                  ("create", "persistentvolumes", ""), ("delete", "persistentvolumeclaims", ""),
                  ("create", "services", ""), ("create", "configmaps", ""), ("update", "configmaps", ""),
                  ("create", "statefulsets.apps", ""),
                  ("update", "statefulsets.apps", ""), ("patch", "statefulsets.apps", "scale"),
                  ("update", "daemonsets.apps", ""), ("create", "jobs.batch", ""), ("delete", "jobs.batch", ""),
                  ("watch", "jobs.batch", ""), ("patch", "nodes", ""), ("patch", "pods", ""),
                  ("list", "pods", ""), ("create", "events", ""), ("update", "leases.coordination.k8s.io", "")]
        denied = [f"{v} {r}{'/' + sub if sub else ''}" for v, r, sub in needed
                  if kubectl("auth", "can-i", v, r, *(["--subresource", sub] if sub else []), sa, "-A",
                             ok=False).stdout.strip() != "yes"]
        assert not denied, f"controller.yaml does not grant: {denied}"
        print(f"rbac e2e: the controller's ClusterRole grants all {len(needed)} calls checked")
        # The CSI node plugin's RBAC grants its calls too.
        kubectl("apply", "-f", os.path.join(src, "k8s", "manifests", "csi.yaml"))
        kubectl("-n", "aqueduct-system", "delete", "daemonset", "aqueduct-csi")  # RBAC only here
        csi_sa = "--as=system:serviceaccount:aqueduct-system:aqueduct-csi"
        csi_needed = [("patch", "nodes"), ("get", "nodes"), ("get", "persistentvolumes"),
                      ("get", "juicefsruntimes.data.fluid.io"), ("get", "aqueductruntimes.data.fluid.io"),
                      ("create", "events")]
        csi_denied = [f"{v} {r}" for v, r in csi_needed
                      if kubectl("auth", "can-i", v, r, csi_sa, "-A", ok=False).stdout.strip() != "yes"]
        assert not csi_denied, f"csi.yaml does not grant: {csi_denied}"
        print(f"rbac e2e: the CSI plugin's ClusterRole grants all {len(csi_needed)} calls checked")
        r = subprocess.run([binary], env=env)
        if r.returncode != 0:
            return r.returncode
        webhook_e2e(aqueduct, work, env, kubectl)
        rc = controllers_e2e(aqueduct, work, env, kubectl)
        if rc != 0:
            return rc
        return sim_nodes_e2e(src, aqueduct, work, env, kubectl)
    finally:
        subprocess.run(["bash", script, "stop", work])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
