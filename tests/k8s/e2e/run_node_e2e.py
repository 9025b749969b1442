#!/usr/bin/env python3
"""The end-to-end suite on a real node: the control plane of run_e2e.py plus a
kubelet (built from the same source) over containerd and runc from Debian,
with the pause and aqueduct images built locally and imported (no registry),
pod networking from Debian's CNI bridge plugin, and the cluster DNS of
cluster_dns.py. On that node:

  1. an AqueductRuntime's worker pod, started by the kubelet and Ready;
  2. a DataLoad Job that warms the worker from the dataset's local:// folder;
  3. an app pod with the FUSE sidecar injected by the webhook, which reads
     every file of the dataset through the mount and checks every byte,
     while the worker pod is killed between two passes; the sidecar ends by
     the controller's rule when the app ends, and the pod Succeeds.

Prints the pod-start-to-first-byte time of the sidecar path. Exit 77
(skipped) with the reason when the node cannot run here (not root, no
cgroups, no /dev/fuse, kubelet not built).

usage: run_node_e2e.py SOURCE_DIR AQUEDUCT_BINARY
"""
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_e2e import stop_processes, wait_for, webhook  # noqa: E402

IMAGE = "aqueduct/aqueduct:0.1.0"
TIER_DIR = "/dev/shm/aqueduct-node-e2e"  # the worker's MEM tier, a hostPath on the node


def uptime():
    """Seconds since boot: the clock the node's containers read too."""
    return float(open("/proc/uptime").read().split()[0])


def make_dataset(root):
    """A few files of seeded random bytes; their SHA-256 by path."""
    rng = random.Random(20261207)
    sizes = {"train/part-0000.bin": 6 << 20, "train/part-0001.bin": (3 << 20) + 7,
             "train/nested/part-0002.bin": 65537, "README": 300}
    digests = {}
    for rel, size in sizes.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = rng.randbytes(size)
        with open(path, "wb") as f:
            f.write(data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    return digests


def dataset_yaml(name, data_dir, quota="256Mi", tier_dir=TIER_DIR, placement="Exclusive"):
    """A Dataset over the local folder and its one-worker AqueductRuntime.
    Several datasets' workers share the one node only with placement Shared
    (an Exclusive dataset's worker keeps every other dataset off its node)."""
    return f"""---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {{name: {name}}}
spec:
  placement: {placement}
  mounts: [{{mountPoint: "local://{data_dir}", name: {name}}}]
---
apiVersion: data.fluid.io/v1alpha1
kind: AqueductRuntime
metadata: {{name: {name}}}
spec:
  replicas: 1
  tieredstore: {{levels: [{{mediumtype: MEM, path: {tier_dir}, quota: {quota}}}]}}
"""


def reader_script(digests, between):
    """An app's shell: the first byte (timed), every file's SHA-256 as
    PASS1 lines, `between`, then PASS2. Absolute paths: a shell whose cwd is
    in the mount would keep the old FUSE's directory after a restart."""
    files = " ".join("/data/" + f for f in sorted(digests))
    return ("set -e -o pipefail; head -c 1 /data/train/part-0000.bin >/dev/null; "
            "echo FIRST $(cut -d' ' -f1 /proc/uptime); "
            f"sha256sum {files} | sed 's,^,PASS1 ,; s, /data/, ,'; echo PASS1-DONE; "
            f"{between}; "
            f"sha256sum {files} | sed 's,^,PASS2 ,; s, /data/, ,'; echo PASS2-DONE")


def pod_yaml(name, script, labels=None, annotations=None, claim="shards", propagation=None, sub_path=None):
    """A one-shot pod running `script` in the aqueduct image, with the claim
    (if any) mounted at /data, and its folder `sub_path` (if given) at /sub."""
    meta = f"\n  labels: {json.dumps(labels)}" if labels else ""
    if annotations:
        meta += f"\n  annotations: {json.dumps(annotations)}"
    mounts = vols = ""
    if claim:
        prop = f", mountPropagation: {propagation}" if propagation else ""
        mounts = f"\n      volumeMounts: [{{name: data, mountPath: /data{prop}}}"
        if sub_path:
            mounts += f", {{name: data, mountPath: /sub, subPath: {sub_path}{prop}}}"
        mounts += "]"
        vols = f"\n  volumes:\n    - name: data\n      persistentVolumeClaim: {{claimName: {claim}}}"
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}{meta}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  containers:
    - name: app
      image: {IMAGE}
      imagePullPolicy: Never
      command: [sh, -c, "{script}"]{mounts}{vols}
"""


def check_passes(out, digests):
    """Both passes of reader_script read every file with the right SHA-256."""
    for n in ("PASS1", "PASS2"):
        got = {line.split()[2]: line.split()[1] for line in out.splitlines() if line.startswith(n + " ")
               and len(line.split()) == 3}
        if got != digests:
            print(out)
            raise SystemExit(f"{n}: read {got}, expected {digests}")


def start_csi(aqueduct, work, env, kubectl, node_env, recover_period="5s"):
    """The CSIDriver object and `aqueduct csi` on the node, registering itself
    with the kubelet; returns the process."""
    root = node_env["KUBELET_ROOT"]
    kubectl("apply", "-f", "-", stdin="""apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: fuse.csi.fluid.io}
spec: {attachRequired: false, podInfoOnMount: false, volumeLifecycleModes: [Persistent]}
""")
    log = open(os.path.join(work, "csi.log"), "w")
    return subprocess.Popen([aqueduct, "csi", "--endpoint", f"unix://{root}/plugins/fuse.csi.fluid.io/csi.sock",
                             "--node-id", node_env["NODE_NAME"], "--kubelet-dir", root, "--registration-dir",
                             f"{root}/plugins_registry", "--recover-period", recover_period],
                            env=env, stderr=log, stdout=log)


def node_scenario(src, aqueduct, work, env, kubectl, node_env, digests, data_dir):
    def get(*args):
        return kubectl("get", *args, ok=False).stdout.strip()

    def dump(*names):
        print(get("pods", "-A", "-o", "wide"))
        print(kubectl("describe", "pods", ok=False).stdout[-6000:])
        for name in names:
            path = os.path.join(work, name)
            if os.path.exists(path):
                print(f"--- {name}\n" + open(path, errors="replace").read()[-4000:])

    node = node_env["NODE_NAME"]
    procs = []
    try:
        log = open(os.path.join(work, "controller.log"), "w")
        procs.append(subprocess.Popen([aqueduct, "controller", "--identity", "node-e2e"], env=env,
                                      stderr=log, stdout=log))
        kubectl("apply", "-f", "-", stdin=dataset_yaml("shards", data_dir))
        started = time.monotonic()
        try:
            wait_for("dataset shards Bound", lambda: get("dataset", "shards", "-o", "jsonpath={.status.phase}") == "Bound")
            wait_for("the worker pod Ready on the node", lambda: get(
                "pod", "shards-worker-0", "-o",
                "jsonpath={.spec.nodeName} {.status.conditions[?(@.type==\"Ready\")].status}") == f"{node} True",
                timeout=120)
        except SystemExit:
            dump("controller.log", "node/kubelet.log")
            raise
        print(f"node e2e: AqueductRuntime shards: worker pod shards-worker-0 started by the kubelet on "
              f"{node} and Ready {time.monotonic() - started:.1f} s after apply")

        kubectl("apply", "-f", "-", stdin="""apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: shards-warmup}
spec:
  dataset: {name: shards, namespace: default}
""")
        started = time.monotonic()
        try:
            wait_for("the DataLoad Complete", lambda: get(
                "dataload", "shards-warmup", "-o", "jsonpath={.status.phase}") in ("Complete", "Failed"), timeout=120)
        except SystemExit:
            dump("controller.log")
            raise
        phase = get("dataload", "shards-warmup", "-o", "jsonpath={.status.phase}")
        if phase != "Complete":
            dump("controller.log")
            raise SystemExit(f"DataLoad shards-warmup ended {phase}")
        port = json.loads(get("pod", "shards-worker-0", "-o", "json"))["spec"]["containers"][0]["ports"][1]["containerPort"]
        metrics = urllib.request.urlopen(f"http://{node_env['NODE_IP']}:{port}/metrics", timeout=10).read().decode()
        puts = next(float(line.split()[-1]) for line in metrics.splitlines()
                    if line.startswith("aqueduct_worker_puts_total"))
        assert puts > 0, metrics
        print(f"node e2e: DataLoad shards-warmup Complete in {time.monotonic() - started:.1f} s; "
              f"the worker holds {puts:.0f} blocks")

        script = reader_script(digests, "sleep 8")
        with webhook(aqueduct, work, env, kubectl):
            t0 = uptime()
            kubectl("apply", "-f", "-", stdin=pod_yaml("reader", script, labels={"serverless.fluid.io/inject": "true"}))
            logs = lambda: kubectl("logs", "reader", "-c", "app", ok=False).stdout  # noqa: E731
            try:
                wait_for("the app's first pass", lambda: "PASS1-DONE" in logs(), timeout=120)
            except SystemExit:
                dump("controller.log", "webhook.log", "node/kubelet.log")
                print(kubectl("logs", "reader", "--all-containers", ok=False).stdout[-4000:])
                raise
            kubectl("delete", "pod", "shards-worker-0", "--grace-period=0", "--force", ok=False)
            killed = True
            try:
                wait_for("the pod Succeeded", lambda: get("pod", "reader", "-o", "jsonpath={.status.phase}")
                         in ("Succeeded", "Failed"), timeout=120)
            except SystemExit:
                dump("controller.log", "webhook.log")
                print(kubectl("logs", "reader", "--all-containers", ok=False).stdout[-4000:])
                raise
        out = logs()
        pod = json.loads(get("pod", "reader", "-o", "json"))
        states = {c["name"]: c["state"] for c in pod["status"]["containerStatuses"]}
        if pod["status"]["phase"] != "Succeeded":
            print(out)
            print(kubectl("logs", "reader", "--all-containers", ok=False).stdout[-4000:])
            raise SystemExit(f"pod reader ended {pod['status']['phase']}: {states}")
        first = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("FIRST "))
        check_passes(out, digests)
        sidecars = [c for c in pod["spec"]["containers"] if c["name"] != "app"]
        assert sidecars and all(states[c["name"]]["terminated"]["exitCode"] == 0 for c in sidecars), states
        total = sum(os.path.getsize(os.path.join(data_dir, f)) for f in digests)
        print(f"node e2e: pod reader (FUSE sidecar {sidecars[0]['name']} injected by the webhook) read all "
              f"{len(digests)} files ({total} bytes) twice with every byte right, the worker pod "
              f"{'killed' if killed else 'kept'} between the passes; the sidecar exited 0 and the pod Succeeded")
        print(f"node e2e: pod start to first byte (sidecar path): {first - t0:.2f} s")
        return csi_scenario(aqueduct, work, env, kubectl, node_env, digests, data_dir, get, dump)
    finally:
        stop_processes(procs)


def csi_scenario(aqueduct, work, env, kubectl, node_env, digests, data_dir, get, dump):
    """An ordinary pod mounts the dataset's PVC: the kubelet calls `aqueduct
    csi` (registered through the plugin-registration socket), NodeStage labels
    the node, the lazy FUSE DaemonSet starts there, NodePublish binds the
    mount into the pod. The FUSE pod is then killed between two passes; the
    plugin's recovery binds the restarted mount again."""
    node, root = node_env["NODE_NAME"], node_env["KUBELET_ROOT"]
    csi = start_csi(aqueduct, work, env, kubectl, node_env, "1s")
    try:
        try:
            wait_for("the kubelet to register the CSI driver", lambda: "fuse.csi.fluid.io" in get(
                "csinode", node, "-o", "jsonpath={.spec.drivers[*].name}"), timeout=60)
        except SystemExit:
            dump("csi.log")
            raise
        print(f"node e2e: the kubelet registered fuse.csi.fluid.io through {root}/plugins_registry "
              f"(CSINode {node})")
        # A second mount of the volume's train/ folder by subPath: the
        # kubelet's own bind, which recovery must bind again too.
        script = (reader_script(digests, "while [ ! -e /tmp/go ]; do sleep 0.5; done")
                  + "; sha256sum /sub/part-0000.bin | sed 's,^,SUB ,'")
        t0 = uptime()
        kubectl("apply", "-f", "-", stdin=pod_yaml("csi-reader", script, propagation="HostToContainer",
                                                    sub_path="train"))
        logs = lambda: kubectl("logs", "csi-reader", ok=False).stdout  # noqa: E731
        try:
            wait_for("the CSI pod's first pass", lambda: "PASS1-DONE" in logs(), timeout=120)
        except SystemExit:
            dump("controller.log", "csi.log", "node/kubelet.log")
            raise
        first = next(float(line.split()[1]) for line in logs().splitlines() if line.startswith("FIRST "))
        label = get("node", node, "-o", "jsonpath={.metadata.labels}")
        assert '"fluid.io/f-default-shards":"true"' in label, label
        # The FUSE restarts: its pod is deleted and the DaemonSet starts another.
        fuse_pods = [p for p in get("pods", "-o", "jsonpath={.items[*].metadata.name}").split()
                     if p.startswith("shards-fuse-")]
        assert len(fuse_pods) == 1, fuse_pods
        kubectl("delete", "pod", fuse_pods[0], "--grace-period=0", "--force", ok=False)
        wait_for("a new FUSE pod Running", lambda: any(
            p.startswith("shards-fuse-") and p != fuse_pods[0] for p in get(
                "pods", "--field-selector", "status.phase=Running", "-o",
                "jsonpath={.items[*].metadata.name}").split()), timeout=60)
        try:
            wait_for("the plugin's FuseRecoverSucceed event", lambda: "FuseRecoverSucceed" in get(
                "events", "-o", "jsonpath={.items[*].reason}"), timeout=60)
        except SystemExit:
            dump("csi.log")
            raise
        kubectl("exec", "csi-reader", "--", "touch", "/tmp/go")  # the second pass may start
        try:
            wait_for("the CSI pod Succeeded", lambda: get("pod", "csi-reader", "-o", "jsonpath={.status.phase}")
                     in ("Succeeded", "Failed"), timeout=120)
        except SystemExit:
            dump("csi.log")
            raise
        out = logs()
        phase = get("pod", "csi-reader", "-o", "jsonpath={.status.phase}")
        if phase != "Succeeded":
            print(out)
            dump("csi.log")
            raise SystemExit(f"pod csi-reader ended {phase}")
        check_passes(out, digests)
        sub_sum = next((line.split()[1] for line in out.splitlines() if line.startswith("SUB ")), None)
        if sub_sum != digests["train/part-0000.bin"]:
            print(out)
            raise SystemExit(f"the subPath mount read {sub_sum} after the FUSE restart, expected "
                             f"{digests['train/part-0000.bin']}")
        print("node e2e: pod csi-reader read the dataset through the CSI volume twice with every byte right, "
              "the FUSE pod restarted between the passes and its mount bound again by the plugin; its subPath "
              "mount (the kubelet's bind of train/) read right after the restart too")
        print(f"node e2e: pod start to first byte (CSI path, FUSE started lazily): {first - t0:.2f} s")
        kubectl("delete", "pod", "csi-reader", "--wait=true", "--timeout=60s", ok=False)
        wait_for("the pod's volume unpublished", lambda: not any(
            line.split()[4].startswith(root + "/pods/") and "kubernetes.io~csi" in line.split()[4]
            for line in open("/proc/self/mountinfo")), timeout=60)
        print("node e2e: pod csi-reader deleted; the kubelet unpublished its volume (no mount left)")
        return thin_scenario(kubectl, digests, data_dir, get, dump)
    finally:
        stop_processes([csi])


# A ThinRuntimeProfile whose FUSE client is `aqueduct fuse mount`, told what to
# mount by the config.json Fluid's Thin engine writes (its one mount's
# mountPoint) and where by MOUNT_POINT, as any Thin FUSE image is.
THIN_CLIENT = r"""set -e
src=$(sed -n 's/.*"mountPoint":"\([^"]*\)".*/\1/p' /etc/fluid/config/config.json)
echo "mounting $src at $MOUNT_POINT"
mkdir -p "$MOUNT_POINT"
exec aqueduct fuse mount "$MOUNT_POINT" --source "$src" --dataset default/thin-local --mem 64Mi --allow-other
"""


def thin_yaml(data_dir):
    """The profile, a Dataset over the local folder (handed to the FUSE by
    Fluid's fluid.fuse.hostvolume option) and its ThinRuntime."""
    return f"""---
apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntimeProfile
metadata: {{name: aqueduct-local}}
spec:
  fileSystemType: fuse.aqueduct
  fuse:
    image: {IMAGE}
    imagePullPolicy: Never
    command: {json.dumps(["sh", "-c", THIN_CLIENT])}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {{name: thin-local}}
spec:
  mounts:
    - mountPoint: "local://{data_dir}"
      name: thin-local
      options: {{fluid.fuse.hostvolume: "{data_dir}"}}
---
apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntime
metadata: {{name: thin-local}}
spec:
  profileName: aqueduct-local
"""


def thin_scenario(kubectl, digests, data_dir, get, dump):
    """A ThinRuntime on the real node: the controller renders its FUSE from
    the ThinRuntimeProfile with config.json in a ConfigMap; a pod mounting the
    dataset's PVC gets the FUSE started lazily by the CSI plugin and reads every
    byte through it."""
    kubectl("apply", "-f", "-", stdin=thin_yaml(data_dir))
    try:
        wait_for("dataset thin-local Bound",
                 lambda: get("dataset", "thin-local", "-o", "jsonpath={.status.phase}") == "Bound", timeout=60)
        wait_for("the Thin FUSE's config.json", lambda: "targetPath" in get(
            "configmap", "thin-local-fuse-conf", "-o", "jsonpath={.data.config\\.json}"), timeout=60)
    except SystemExit:
        dump("controller.log")
        print(get("thinruntime", "thin-local", "-o", "yaml"))
        raise
    t0 = uptime()
    kubectl("apply", "-f", "-", stdin=pod_yaml("thin-reader", reader_script(digests, "true"), claim="thin-local",
                                                propagation="HostToContainer"))
    try:
        wait_for("the Thin pod Succeeded", lambda: get("pod", "thin-reader", "-o", "jsonpath={.status.phase}")
                 in ("Succeeded", "Failed"), timeout=120)
    except SystemExit:
        dump("controller.log", "csi.log", "node/kubelet.log")
        fuse = [p for p in get("pods", "-o", "jsonpath={.items[*].metadata.name}").split()
                if p.startswith("thin-local-fuse-")]
        for p in fuse:
            print(kubectl("logs", p, ok=False).stdout[-3000:])
        raise
    out = kubectl("logs", "thin-reader", ok=False).stdout
    phase = get("pod", "thin-reader", "-o", "jsonpath={.status.phase}")
    if phase != "Succeeded":
        print(out)
        dump("csi.log")
        raise SystemExit(f"pod thin-reader ended {phase}")
    check_passes(out, digests)
    first = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("FIRST "))
    print("node e2e: ThinRuntime thin-local (its FUSE from ThinRuntimeProfile aqueduct-local, told what to "
          "mount by config.json) served pod thin-reader every byte right through the CSI volume")
    print(f"node e2e: pod start to first byte (Thin over CSI, FUSE started lazily): {first - t0:.2f} s")
    kubectl("delete", "pod", "thin-reader", "--wait=true", "--timeout=60s", ok=False)
    return 0


class NodeUnavailable(Exception):
    """The node cannot run on this machine; the message says why."""


def skip_reason(src):
    """Why a real node cannot run here, or None."""
    if shutil.which("kubectl") is None:
        return "kubectl is not installed"
    if subprocess.run(["bash", os.path.join(src, "scripts", "control-plane.sh"), "path"],
                      capture_output=True).returncode != 0:
        return "the control plane and kubelet are not built; run: bash scripts/control-plane.sh build"
    why = subprocess.run(["bash", os.path.join(src, "scripts", "node.sh"), "check"], capture_output=True, text=True)
    if why.returncode != 0:
        return f"no real node on this machine: {why.stdout.strip() or why.stderr.strip()}"
    return None


@contextlib.contextmanager
def real_node(src, aqueduct, prefix="aqueduct-node-e2e-"):
    """The control plane, a real node with the images imported, the cluster
    DNS, Aqueduct's CRDs and the aqueduct-system namespace; yields (work,
    env, kubectl, node_env). Everything is stopped and removed afterwards."""
    cp = os.path.join(src, "scripts", "control-plane.sh")
    node_sh = os.path.join(src, "scripts", "node.sh")
    work = tempfile.mkdtemp(prefix=prefix)
    node_dir = os.path.join(work, "node")
    procs = []
    try:
        # With the node lifecycle controller, which lifts the kubelet's not-ready taint.
        subprocess.run(["bash", cp, "start", work], check=True, env=dict(
            os.environ, KCM_CONTROLLERS="*,-nodeipam,-attachdetach,-persistentvolume-expander,-csrsigning,-csrapproving"))
        kc = os.path.join(work, "kubeconfig")
        env = dict(os.environ, KUBECONFIG=kc)

        def kubectl(*args, ok=True, stdin=None):
            r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin)
            if ok and r.returncode != 0:
                raise SystemExit(f"kubectl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
            return r

        subprocess.run(["bash", node_sh, "images", node_dir, aqueduct], check=True)
        if subprocess.run(["bash", node_sh, "start", node_dir, kc]).returncode != 0:
            log = os.path.join(node_dir, "kubelet.log")
            print(open(log, errors="replace").read()[-5000:] if os.path.exists(log) else "")
            raise SystemExit("the node did not start")
        node_env = dict(line.strip().split("=", 1) for line in open(os.path.join(node_dir, "env")))
        wait_for("the node's not-ready taint lifted", lambda: kubectl(
            "get", "node", node_env["NODE_NAME"], "-o", "jsonpath={.spec.taints}", ok=False).stdout.strip() == "",
            timeout=60)
        dns_log = open(os.path.join(work, "dns.log"), "w")
        procs.append(subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_dns.py"),
             "--listen", f"{node_env['NODE_IP']}:53", "--kubeconfig", kc], stderr=dns_log, stdout=dns_log))
        kubectl("apply", "-f", os.path.join(src, "k8s", "manifests", "crds"))
        kubectl("create", "namespace", "aqueduct-system")  # the controller's lease
        kubectl("wait", "--for", "condition=Established", "--timeout=60s",
                "crd/datasets.data.fluid.io", "crd/aqueductruntimes.data.fluid.io", "crd/dataloads.data.fluid.io")
        # The default ServiceAccount the pods run as (created by the controller manager).
        wait_for("the default ServiceAccount", lambda: kubectl("get", "serviceaccount", "default",
                                                              ok=False).returncode == 0)
        yield work, env, kubectl, node_env
    finally:
        stop_processes(procs)
        subprocess.run(["bash", node_sh, "stop", node_dir])
        subprocess.run(["bash", cp, "stop", work])
        if os.environ.get("AQ_KEEP_E2E"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(TIER_DIR, ignore_errors=True)


def stop_on_sigterm():
    """SIGTERM (ctest's timeout, a killed run) unwinds like an exception, so
    the node and the control plane are stopped and the machine put back."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main() -> int:
    stop_on_sigterm()
    src, aqueduct = sys.argv[1], sys.argv[2]
    why = skip_reason(src)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    with real_node(src, aqueduct) as (work, env, kubectl, node_env):
        data_dir = os.path.join(work, "data")
        digests = make_dataset(data_dir)
        return node_scenario(src, aqueduct, work, env, kubectl, node_env, digests, data_dir)


if __name__ == "__main__":
    sys.exit(main())
