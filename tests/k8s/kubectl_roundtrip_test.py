#!/usr/bin/python3
"""Workloads made by the real kubectl (offline) go through `aqueduct webhook`
over HTTPS as AdmissionReviews; the returned JSONPatch, applied with
`kubectl patch --local`, must give exactly the pod `aqueduct inject` prints.

usage: kubectl_roundtrip_test.py AQUEDUCT_BINARY OBJECTS_YAML
Exit 77 (skipped, with the reason printed) when kubectl is not installed.
"""
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


def kubectl(*args):
    return subprocess.run(["kubectl", *args], check=True, capture_output=True, text=True).stdout


def pod_from_template(obj, name, labels, claim, mount_path="/data", namespace=None):
    if obj["kind"] == "CronJob":
        tpl = obj["spec"]["jobTemplate"]["spec"]["template"]
    else:
        tpl = obj["spec"]["template"]
    meta = dict(tpl.get("metadata") or {})
    meta["name"] = name
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    if namespace:
        meta["namespace"] = namespace
    spec = json.loads(json.dumps(tpl["spec"]))
    spec["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": mount_path}]
    spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    aqueduct, objects = sys.argv[1], sys.argv[2]
    if shutil.which("kubectl") is None:
        print("SKIP: kubectl is not installed (apt-get install kubernetes-client)")
        return SKIP
    work = tempfile.mkdtemp(prefix="aqueduct-kubectl-")
    cert, key, ready = (os.path.join(work, n) for n in ("tls.crt", "tls.key", "ready"))
    server = subprocess.Popen(
        [aqueduct, "webhook", "--self-signed", "--tls-cert", cert, "--tls-key", key,
         "--listen", "127.0.0.1:0", "--ready-file", ready, "--objects", objects],
        stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):
            if os.path.exists(ready) and open(ready).read().strip():
                break
            if server.poll() is not None:
                print("webhook exited early:", server.stderr.read())
                return 1
            time.sleep(0.05)
        addr = open(ready).read().strip()
        ctx = ssl.create_default_context(cafile=cert)

        job = json.loads(kubectl("create", "job", "train", "--image=pytorch/pytorch:2.1",
                                 "--dry-run=client", "-o", "json"))
        deploy = json.loads(kubectl("create", "deployment", "web", "--image=nginx:1.25",
                                    "--replicas=2", "--dry-run=client", "-o", "json"))
        cron = json.loads(kubectl("create", "cronjob", "nightly", "--image=busybox",
                                  "--schedule=0 3 * * *", "--dry-run=client", "-o", "json"))
        cases = {
            "job-serverless-juicefs": pod_from_template(
                job, "train-abc12", {"serverless.fluid.io/inject": "true"}, "imagenet"),
            "job-eci-alluxio": pod_from_template(
                job, "train-eci", {"alibabacloud.com/fluid-sidecar-target": "eci",
                                   "alibabacloud.com/eci": "true"}, "logs", namespace="default"),
            "deployment-serverful": pod_from_template(deploy, "web-7d9f", {}, "logs"),
            "deployment-no-dataset": pod_from_template(deploy, "web-plain", {}, "ordinary-pvc"),
            "cronjob-serverless-two-mounts": pod_from_template(
                cron, "nightly-1", {"serverless.fluid.io/inject": "true"}, "imagenet"),
        }
        cases["cronjob-serverless-two-mounts"]["spec"]["volumes"].append(
            {"name": "logs", "persistentVolumeClaim": {"claimName": "logs"}})
        cases["cronjob-serverless-two-mounts"]["spec"]["containers"][0]["volumeMounts"].append(
            {"name": "logs", "mountPath": "/logs", "readOnly": True})

        failures = 0
        for i, (name, pod) in enumerate(cases.items()):
            pod_file = os.path.join(work, name + ".pod.json")
            with open(pod_file, "w") as f:
                json.dump(pod, f)
            review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                      "request": {"uid": "uid-%d" % i, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                  "resource": {"group": "", "version": "v1", "resource": "pods"},
                                  "namespace": "default", "operation": "CREATE", "object": pod}}
            req = urllib.request.Request("https://%s/mutate-fluid-pods" % addr,
                                         data=json.dumps(review).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                answer = json.load(r)
            resp = answer["response"]
            assert resp["uid"] == "uid-%d" % i, resp
            assert resp["allowed"] is True, resp
            expected = json.loads(subprocess.run(
                [aqueduct, "inject", "-q", "-f", pod_file, "--objects", objects, "-o", "json"],
                check=True, capture_output=True, text=True).stdout)
            if "patch" in resp:
                patch_file = os.path.join(work, name + ".patch.json")
                with open(patch_file, "wb") as f:
                    f.write(base64.b64decode(resp["patch"]))
                got = json.loads(kubectl("patch", "--local", "-f", pod_file, "--type=json",
                                         "--patch-file", patch_file, "-o", "json"))
            else:
                got = pod
            if got != expected:
                failures += 1
                print("FAIL %s: kubectl-patched pod differs from aqueduct inject" % name)
                print(" patched: ", json.dumps(got, sort_keys=True)[:2000])
                print(" expected:", json.dumps(expected, sort_keys=True)[:2000])
            else:
                ops = len(json.loads(base64.b64decode(resp["patch"]))) if "patch" in resp else 0
                print("ok %s (%d patch operations)" % (name, ops))
            if name == "job-serverless-juicefs":
                assert got["spec"]["containers"][0]["name"] == "fluid-fuse-0"
            if name == "deployment-no-dataset":
                assert "fluid.io/dataset-num" in json.dumps(got["spec"]["affinity"])
        return 1 if failures else 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
