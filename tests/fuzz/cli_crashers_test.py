#!/usr/bin/env python3
"""Every past crasher again, through the command a user would run on it.

A command must exit 0 (accepted), 1 (warnings only, validate) or 2 (rejected),
never by a signal; a rejection must name the input file.
Usage: cli_crashers_test.py AQUEDUCT_BINARY SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

aq, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
crashers = os.path.join(src, "tests", "fuzz", "crashers")
objects = os.path.join(src, "tests", "data", "injection", "objects.yaml")


def first_line_and_rest(path, tmp):
    """job_trace and cache_trace crashers: the first line names the reader or
    format; the rest is the file."""
    with open(path, "rb") as f:
        data = f.read()
    nl = data.find(b"\n")
    name, body = data[:nl].decode(errors="replace"), data[nl + 1:]
    out = os.path.join(tmp, os.path.basename(path) + ".trace")
    with open(out, "wb") as f:
        f.write(body)
    return name, out


def commands(target, path, tmp):
    if target in ("fluid_yaml", "cluster_yaml"):
        return [[aq, "validate", path]], path
    if target == "experiment_yaml":
        # Read next to the quickstart's fluid.yaml and trace, as the fuzz target does.
        exp = os.path.join(tmp, "examples", "quickstart", os.path.basename(path) + ".yaml")
        shutil.copy(path, exp)
        return [[aq, "validate", exp], [aq, "sim", "run", exp, "--out", os.path.join(tmp, "out"), "--force",
                                        "-q", "--scenario", "no-cache"]], exp
    if target == "pod_yaml":
        return [[aq, "inject", "-f", path, "--objects", objects]], path
    if target == "cache_trace":
        fmt, f = first_line_and_rest(path, tmp)
        return [[aq, "cache-sim", "--trace", f, "--format", fmt, "--policy", "lru,belady"]], f
    if target == "job_trace":
        reader, f = first_line_and_rest(path, tmp)
        exp = os.path.join(tmp, "trace-experiment.yaml")
        with open(exp, "w") as e:
            e.write("apiVersion: aqueduct.io/v1alpha1\nkind: Experiment\nmetadata: {name: t}\n"
                    "spec:\n  cluster:\n    nodePools: [{name: g, count: 2, cpu: \"64\", "
                    "memory: 256Gi, gpu: 8}]\n  workload:\n"
                    f"    trace: {{file: {f}, reader: {reader}, throughputs: "
                    f"{src}/data/traces/philly-derived/gavel_throughputs.csv}}\n"
                    "    defaultApplication: train\n"
                    "    applications: {train: {computePerGpu: 100MiB/s}}\n")
        return [[aq, "sim", "run", exp, "--out", os.path.join(tmp, "out"), "--force", "-q"]], f
    return [], path


failures = []
ran = 0
with tempfile.TemporaryDirectory() as tmp:
    shutil.copytree(os.path.join(src, "examples", "quickstart"),
                    os.path.join(tmp, "examples", "quickstart"))
    # The quickstart's trace path is relative to its folder: keep it reachable.
    os.makedirs(os.path.join(tmp, "data"), exist_ok=True)
    os.symlink(os.path.join(src, "data", "traces"), os.path.join(tmp, "data", "traces"))
    for target in sorted(os.listdir(crashers)):
        for name in sorted(os.listdir(os.path.join(crashers, target))):
            path = os.path.join(crashers, target, name)
            cmds, shown = commands(target, path, tmp)
            for cmd in cmds:
                ran += 1
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                       timeout=120, cwd=tmp)
                except subprocess.TimeoutExpired:
                    failures.append(f"{target}/{name}: timed out: {' '.join(cmd)}")
                    continue
                where = f"{target}/{name}: {' '.join(cmd[1:3])}"
                if p.returncode < 0 or p.returncode not in (0, 1, 2):
                    failures.append(f"{where}: exit {p.returncode}\n{p.stderr[-2000:]}")
                elif p.returncode == 2 and os.path.basename(shown) not in p.stderr:
                    failures.append(f"{where}: rejected without naming the file:\n{p.stderr[-2000:]}")
                else:
                    first = (p.stderr.strip().splitlines() or ["(no message)"])[0]
                    print(f"{where}: exit {p.returncode}: {first[:160]}")
for f in failures:
    print("FAIL " + f)
print(f"{ran} commands, {len(failures)} failures")
sys.exit(1 if failures or ran == 0 else 0)
