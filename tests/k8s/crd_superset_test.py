#!/usr/bin/python3
"""Aqueduct's CRDs (k8s/manifests/crds) are schema-compatible supersets of
Fluid's own (k8s/fluid-crds): the same group, kinds, names and scope; every
version Fluid serves; every field of Fluid's schema, with the same type,
format and int-or-string-ness, an enum at least as wide, bounds and patterns
no stricter, nothing required that Fluid does not require, unknown fields
kept wherever Fluid keeps them; Fluid's subresources and printer columns.
So every object Fluid's API accepts, Aqueduct's accepts and stores the same.
The committed files must also be what scripts/crd-gen.py writes, and the
checker must catch each kind of narrowing (it is run on mutated copies).

Usage: crd_superset_test.py SRC_ROOT"""
import copy
import glob
import importlib.util
import os
import sys

import yaml


def narrower(fluid, ours, path, out):
    """Appends to `out` every way `ours` accepts less than `fluid` at `path`."""
    if not isinstance(fluid, dict):
        return
    if not isinstance(ours, dict):
        out.append(f"{path}: missing")
        return
    for key in ("type", "format", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource"):
        if fluid.get(key) != ours.get(key):
            out.append(f"{path}: {key} is {ours.get(key)!r}, Fluid's {fluid.get(key)!r}")
    # Defaults are Fluid's, but for empty-string ones, which Kubernetes before
    # 1.22 refuses (scripts/crd-gen.py leaves them out; "" and absent read the same).
    if fluid.get("default", "") != ours.get("default", ""):
        out.append(f"{path}: default {ours.get('default')!r}, Fluid's {fluid.get('default')!r}")
    if fluid.get("x-kubernetes-preserve-unknown-fields") and not ours.get("x-kubernetes-preserve-unknown-fields"):
        out.append(f"{path}: drops unknown fields Fluid keeps")
    if "enum" in ours:
        missing = [v for v in fluid.get("enum", [None]) if v not in ours["enum"]]
        if "enum" not in fluid or missing:
            out.append(f"{path}: enum {ours['enum']} refuses {missing if 'enum' in fluid else 'values Fluid takes'}")
    for key, looser in (("minimum", lambda f, o: o <= f), ("minLength", lambda f, o: o <= f),
                        ("minItems", lambda f, o: o <= f), ("maximum", lambda f, o: o >= f),
                        ("maxLength", lambda f, o: o >= f), ("maxItems", lambda f, o: o >= f)):
        if key in ours and (key not in fluid or not looser(fluid[key], ours[key])):
            out.append(f"{path}: {key} {ours[key]} is stricter than Fluid's {fluid.get(key)}")
    if "pattern" in ours and ours["pattern"] != fluid.get("pattern"):
        out.append(f"{path}: pattern {ours['pattern']!r}, Fluid's {fluid.get('pattern')!r}")
    extra = set(ours.get("required", [])) - set(fluid.get("required", []))
    if extra:
        out.append(f"{path}: requires {sorted(extra)}, which Fluid does not")
    for name, sub in fluid.get("properties", {}).items():
        if name not in ours.get("properties", {}):
            if not ours.get("x-kubernetes-preserve-unknown-fields"):
                out.append(f"{path}.{name}: missing")
            continue
        narrower(sub, ours["properties"][name], f"{path}.{name}", out)
    if "items" in fluid:
        narrower(fluid["items"], ours.get("items"), f"{path}[]", out)
    if isinstance(fluid.get("additionalProperties"), dict):
        narrower(fluid["additionalProperties"], ours.get("additionalProperties"), f"{path}{{}}", out)
    for key in ("anyOf", "oneOf", "allOf"):
        if fluid.get(key) != ours.get(key):
            out.append(f"{path}: {key} differs from Fluid's")


def crd_narrower(fluid, ours):
    """Every way CRD `ours` accepts or serves less than Fluid's `fluid`."""
    out = []
    name = fluid["metadata"]["name"]
    if ours["spec"]["group"] != fluid["spec"]["group"] or ours["spec"]["scope"] != fluid["spec"]["scope"]:
        out.append(f"{name}: group or scope differs")
    for key, value in fluid["spec"]["names"].items():
        have = ours["spec"]["names"].get(key)
        if isinstance(value, list):
            if not set(value) <= set(have or []):
                out.append(f"{name}: names.{key} {have} lacks some of {value}")
        elif have != value:
            out.append(f"{name}: names.{key} is {have!r}, Fluid's {value!r}")
    versions = {v["name"]: v for v in ours["spec"]["versions"]}
    for fv in fluid["spec"]["versions"]:
        where = f"{name} {fv['name']}"
        ov = versions.get(fv["name"])
        if ov is None or (fv.get("served") and not ov.get("served")):
            out.append(f"{where}: not served")
            continue
        if fv.get("storage") != ov.get("storage"):
            out.append(f"{where}: storage differs")
        for sub, spec in (fv.get("subresources") or {}).items():
            mine = (ov.get("subresources") or {}).get(sub)
            if mine is None or any(mine.get(k) != v for k, v in spec.items()):
                out.append(f"{where}: subresource {sub} is {mine}, Fluid's {spec}")
        ours_cols = {(c["name"], c["jsonPath"]) for c in ov.get("additionalPrinterColumns", [])}
        for c in fv.get("additionalPrinterColumns", []):
            if (c["name"], c["jsonPath"]) not in ours_cols:
                out.append(f"{where}: printer column {c['name']} ({c['jsonPath']}) missing")
        narrower(fv["schema"]["openAPIV3Schema"], ov["schema"]["openAPIV3Schema"], where, out)
    return out


def load_dir(path):
    out = {}
    for f in sorted(glob.glob(os.path.join(path, "*.yaml"))):
        d = yaml.safe_load(open(f))
        if d and d.get("kind") == "CustomResourceDefinition":
            out[d["metadata"]["name"]] = d
    return out


def find(schema, *path):
    for p in path:
        schema = schema["properties"][p]
    return schema


def self_check(fluid):
    """The checker finds each narrowing in a copy of a Fluid CRD."""
    crd = fluid["alluxioruntimes.data.fluid.io"]
    if crd_narrower(crd, copy.deepcopy(crd)):
        raise SystemExit("the checker reports Fluid's own CRD as narrower than itself")
    root = lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]  # noqa: E731
    mutations = {
        "a field removed": lambda c: find(root(c), "spec", "fuse")["properties"].pop("args"),
        "a type changed": lambda c: find(root(c), "spec", "replicas").update(type="string"),
        "an enum narrowed": lambda c: find(root(c), "spec", "fuse", "imagePullPolicy").update(
            enum=["Always"]),
        "a field made required": lambda c: find(root(c), "spec").setdefault("required", []).append(
            "replicas"),
        "a bound made stricter": lambda c: find(root(c), "spec", "replicas").update(maximum=3),
        "the scale subresource dropped": lambda c: c["spec"]["versions"][0]["subresources"].pop("scale"),
        "a printer column dropped": lambda c: c["spec"]["versions"][0]["additionalPrinterColumns"].pop(0),
        "a short name dropped": lambda c: c["spec"]["names"].update(shortNames=[]),
        "a default changed": lambda c: find(root(c), "spec", "tieredstore", "levels")["items"][
            "properties"]["volumeType"].update(default="emptyDir"),
    }
    for what, mutate in mutations.items():
        mutated = copy.deepcopy(crd)
        mutate(mutated)
        if not crd_narrower(crd, mutated):
            raise SystemExit(f"the checker misses {what}")
    return len(mutations)


def main(src):
    fluid = load_dir(os.path.join(src, "k8s", "fluid-crds"))
    ours = load_dir(os.path.join(src, "k8s", "manifests", "crds"))
    if len(fluid) != 7:
        raise SystemExit(f"expected Fluid's 7 CRDs in k8s/fluid-crds, found {sorted(fluid)}")
    caught = self_check(fluid)
    problems = []
    for name, crd in fluid.items():
        if name not in ours:
            problems.append(f"{name}: Aqueduct has no such CRD")
            continue
        problems += crd_narrower(crd, ours[name])
    if problems:
        print("\n".join(problems[:50]))
        raise SystemExit(f"{len(problems)} ways Aqueduct's CRDs accept less than Fluid's")
    spec = importlib.util.spec_from_file_location("crd_gen", os.path.join(src, "scripts", "crd-gen.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    if gen.main(["--check", src]) != 0:
        raise SystemExit("k8s/manifests/crds differs from what scripts/crd-gen.py writes")
    fields = 0

    def count(s):
        nonlocal fields
        for sub in (s.get("properties") or {}).values():
            fields += 1
            count(sub)
        if isinstance(s.get("items"), dict):
            count(s["items"])
    for crd in fluid.values():
        for v in crd["spec"]["versions"]:
            count(v["schema"]["openAPIV3Schema"])
    print(f"crd superset: Aqueduct's {len(fluid)} CRDs accept everything Fluid's do ({fields} schema fields "
          f"compared); the checker caught all {caught} narrowings it was shown")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
