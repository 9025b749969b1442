#!/usr/bin/env python3
"""The end-to-end suite against a real control plane (etcd, kube-apiserver,
kube-scheduler, kube-controller-manager v1.20 built from Debian's source by
scripts/control-plane.sh). Starts it in a temporary folder on 127.0.0.1,
applies the CRDs and Fluid's own YAML with kubectl, runs the C++ e2e tests
against it, and stops it. Exit 77 (skipped) with the reason when the control
plane is not built or kubectl is missing.

usage: run_e2e.py SOURCE_DIR E2E_TEST_BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    src, binary = sys.argv[1], sys.argv[2]
    script = os.path.join(src, "scripts", "control-plane.sh")
    if shutil.which("kubectl") is None:
        print("SKIPPED: kubectl is not installed")
        return 77
    if subprocess.run(["bash", script, "path"], capture_output=True).returncode != 0:
        print("SKIPPED: the control plane is not built; run: bash scripts/control-plane.sh build")
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
        for manifest in ("webhook.yaml", "extender.yaml"):
            kubectl("apply", "--dry-run=server", "-f", os.path.join(src, "k8s", "manifests", manifest))
        r = subprocess.run([binary], env=env)
        return r.returncode
    finally:
        subprocess.run(["bash", script, "stop", work])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
