#!/usr/bin/env python3
"""The two install profiles as kustomize overlays (k8s/overlays/instead and
k8s/overlays/alongside over the base k8s/manifests), built with kubectl's
kustomize: what each installs and, for alongside, that nothing Fluid owns is
in it (its CRDs, the fuse.csi.fluid.io driver) and the controller and webhook
run --profile=alongside. Exit 77 (skipped) with the reason without kubectl.

usage: kustomize_test.py SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys

import yaml

FLUID_CRDS = {"datasets.data.fluid.io", "dataloads.data.fluid.io", "alluxioruntimes.data.fluid.io",
              "jindoruntimes.data.fluid.io", "juicefsruntimes.data.fluid.io", "thinruntimes.data.fluid.io",
              "thinruntimeprofiles.data.fluid.io"}


def build(src, overlay):
    r = subprocess.run(["kubectl", "kustomize", os.path.join(src, "k8s", "overlays", overlay)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"kubectl kustomize k8s/overlays/{overlay} failed:\n{r.stderr}")
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def args_of(docs, deployment):
    return by_kind(docs, "Deployment")[deployment]["spec"]["template"]["spec"]["containers"][0]["args"]


def manifest_docs(src):
    """Every object in the base's files, as (kind, name)."""
    out = set()
    base = os.path.join(src, "k8s", "manifests")
    listed = yaml.safe_load(open(os.path.join(base, "kustomization.yaml")))["resources"]
    for f in listed:
        for d in yaml.safe_load_all(open(os.path.join(base, f))):
            if d:
                out.add((d["kind"], d["metadata"]["name"]))
    return out, listed


def main():
    src = sys.argv[1]
    if shutil.which("kubectl") is None:
        print("SKIPPED: kubectl is not installed")
        return 77
    objects, listed = manifest_docs(src)
    # The base lists every manifest but the optional extender, each CRD included.
    crd_files = sorted("crds/" + f for f in os.listdir(os.path.join(src, "k8s", "manifests", "crds")))
    assert sorted(f for f in listed if f.startswith("crds/")) == crd_files, listed
    assert {"namespace.yaml", "controller.yaml", "webhook.yaml", "csi.yaml"} <= set(listed), listed

    instead = build(src, "instead")
    got = {(d["kind"], d["metadata"]["name"]) for d in instead}
    assert got == objects, f"instead differs from the base: {got ^ objects}"
    assert FLUID_CRDS <= set(by_kind(instead, "CustomResourceDefinition")), "instead defines Fluid's kinds"
    assert "fuse.csi.fluid.io" in by_kind(instead, "CSIDriver")
    for dep in ("aqueduct-controller", "aqueduct-webhook"):
        assert args_of(instead, dep)[-1] == "--profile=instead", args_of(instead, dep)

    alongside = build(src, "alongside")
    crds = set(by_kind(alongside, "CustomResourceDefinition"))
    assert crds == {"aqueductruntimes.data.fluid.io"}, f"alongside installs CRDs {crds}"
    assert not by_kind(alongside, "CSIDriver"), "alongside installs a CSI driver Fluid's plugin serves"
    leftovers = [(d["kind"], d["metadata"]["name"]) for d in alongside if "csi" in d["metadata"]["name"]]
    assert not leftovers, f"alongside keeps CSI objects: {leftovers}"
    for dep in ("aqueduct-controller", "aqueduct-webhook"):
        assert args_of(alongside, dep)[-1] == "--profile=alongside", args_of(alongside, dep)
        assert "--profile=instead" not in args_of(alongside, dep)
    # Everything else of the base is there unchanged in kind and name.
    removed = {(k, n) for k, n in objects if k in ("CustomResourceDefinition", "CSIDriver") or "csi" in n}
    got = {(d["kind"], d["metadata"]["name"]) for d in alongside}
    expect = (objects - removed) | {("CustomResourceDefinition", "aqueductruntimes.data.fluid.io")}
    assert got == expect, f"alongside differs: {got ^ expect}"
    print(f"kustomize: instead installs {len(instead)} objects (Fluid's {len(FLUID_CRDS)} CRDs, the CSI plugin); "
          f"alongside {len(alongside)} (AqueductRuntime's CRD only, no CSI driver, --profile=alongside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
