"""One CLI convention: every command whose output has a shape prints it with
-o table|json|yaml|csv (the same rows in each), and every command that reads
objects takes -f FILE (or the file positionally) and - for standard input."""
import csv
import io
import json
import os
import re
import subprocess

import pytest
import yaml

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")
CLUSTER = os.path.join(ROOT, "examples", "scheduling", "cluster.yaml")
PODS = os.path.join(ROOT, "examples", "scheduling", "pods.yaml")
OBJECTS = os.path.join(ROOT, "tests", "data", "injection", "objects.yaml")
QUICKSTART = os.path.join(ROOT, "examples", "quickstart", "experiment.yaml")
CLOUDPHYSICS = os.path.join(ROOT, "data", "traces", "cloudphysics-block-io", "cloudPhysicsIO.csv")

POD = """apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default, labels: {fuse.serverless.fluid.io/inject: "true"}}
spec:
  containers: [{name: app, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: imagenet}}]
"""

# A Dataset with one error and one warning: validate has rows to print.
BAD_DATASET = """apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: x}
spec: {mounts: [{mountPoint: 5}], bogus: 1}
"""


def aq(*args, stdin=None, ok=(0,)):
    r = subprocess.run([AQUEDUCT, *args], input=stdin, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode in ok, (args, r.returncode, r.stderr)
    return r


def rows_in_every_format(args, ok=(0,), tmp_path=None):
    """The rows a command prints with -o json, yaml and csv, checked equal."""
    out = {}
    for fmt in ("json", "yaml", "csv"):
        extra = []
        if tmp_path is not None:  # sim run writes a folder per call
            extra = ["--out", str(tmp_path / fmt)]
        out[fmt] = aq(*args, *extra, "-o", fmt, ok=ok).stdout
    as_json = json.loads(out["json"])
    assert yaml.safe_load(out["yaml"]) == as_json
    table = list(csv.DictReader(io.StringIO(out["csv"])))
    assert len(table) == len(as_json)
    for want, got in zip(as_json, table):
        assert list(got) == list(want)
        for key, value in want.items():
            if value is None:
                assert got[key] == ""
            elif isinstance(value, bool):
                assert got[key] == str(value).lower()
            elif isinstance(value, float):
                assert float(got[key]) == pytest.approx(value, rel=1e-12)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                assert got[key] == ";".join(value)
            elif isinstance(value, (list, dict)):
                assert json.loads(got[key]) == value
            else:
                assert got[key] == str(value)
    return as_json


def test_validate_rows(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_DATASET)
    rows = rows_in_every_format(["validate", str(bad)], ok=(2,))
    assert [r["severity"] for r in rows] == ["error", "warning"]
    assert rows[0] == {"file": str(bad), "line": 4, "column": 17, "severity": "error",
                       "field": "spec.mounts[0].mountPoint",
                       "message": rows[0]["message"]}
    # No problems: an empty list, and CSV keeps its header.
    assert aq("validate", PODS, "-o", "json").stdout == "[]\n"
    assert aq("validate", PODS, "-o", "csv").stdout == \
        "file,line,column,severity,field,message\n"


def test_schedule_rows():
    rows = rows_in_every_format(["schedule", "--cluster", CLUSTER, "-f", PODS], ok=(1,))
    assert [r["pod"] for r in rows] == ["ml/train-0", "ml/train-1", "ml/etl", "ml/llm-finetune"]
    assert rows[-1]["placed"] is False and rows[-1]["node"] is None
    assert rows[-1]["reason"].startswith("0/5 nodes are available")
    # --explain adds the affinity and the scores of the best nodes, per plugin.
    explained = rows_in_every_format(
        ["schedule", "--cluster", CLUSTER, PODS, "--explain", "--top", "2"], ok=(1,))
    first = explained[0]
    assert first["node"] == first["scores"][0]["node"]
    assert len(first["scores"]) == 2 and "DataLocality" in first["scores"][0]
    assert first["node_affinity"]["preferred"][0]["term"] == "fluid.io/s-ml-imagenet In true"


def test_cache_sim_and_calibrate_rows():
    rows = rows_in_every_format(["cache-sim", "-f", CLOUDPHYSICS, "--format", "cloudphysics",
                                 "--policy", "lru,belady", "--size", "64Mi"])
    assert [r["policy"] for r in rows] == ["lru", "belady"]
    assert rows[1]["misses"] <= rows[0]["misses"]
    cal = rows_in_every_format(["calibrate"])
    assert cal and all(r["pass"] for r in cal)
    assert set(cal[0]) == {"case", "target", "metric", "published", "measured", "error",
                           "tolerance", "relative", "pass"}


def test_sim_run_summary_rows_are_summary_json(tmp_path):
    rows = rows_in_every_format(["sim", "run", QUICKSTART, "-q", "--no-plots"],
                                tmp_path=tmp_path)
    assert [r["scenario"] for r in rows] == ["no-cache", "cache", "cache-data-aware"]
    for r in rows:
        with open(tmp_path / "json" / r["scenario"] / "summary.json") as f:
            assert json.load(f) == r


def test_version_and_schema_objects():
    v = json.loads(aq("version", "-o", "json").stdout)
    assert yaml.safe_load(aq("version", "-o", "yaml").stdout) == v
    s = json.loads(aq("schema", "-o", "json").stdout)
    assert yaml.safe_load(aq("schema", "-o", "yaml").stdout) == s
    columns = list(csv.DictReader(io.StringIO(aq("schema", "-o", "csv").stdout)))
    assert len(columns) == sum(len(t["columns"]) for t in s["tables"])
    assert columns[0]["file"] == "jobs.csv"


def test_stdin_gives_what_the_file_gives(tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD)
    with open(OBJECTS) as f:
        objects = f.read()
    with open(PODS) as f:
        pods = f.read()
    with open(CLUSTER) as f:
        cluster = f.read()
    # inject: the pod or the objects from stdin.
    want = aq("inject", "-f", str(pod), "--objects", OBJECTS, "-q").stdout
    assert aq("inject", "-f", "-", "--objects", OBJECTS, "-q", stdin=POD).stdout == want
    assert aq("inject", str(pod), "--objects", "-", "-q", stdin=objects).stdout == want
    # schedule: the pods or the cluster from stdin.
    want = aq("schedule", "--cluster", CLUSTER, "-f", PODS, ok=(1,)).stdout
    assert aq("schedule", "--cluster", CLUSTER, "-f", "-", stdin=pods, ok=(1,)).stdout == want
    assert aq("schedule", "--cluster", "-", "-f", PODS, stdin=cluster, ok=(1,)).stdout == want
    # validate: problems are named <stdin>.
    r = aq("validate", "-", "-o", "json", stdin=BAD_DATASET, ok=(2,))
    assert {row["file"] for row in json.loads(r.stdout)} == {"<stdin>"}
    # sim run: relative paths resolve against the working folder.
    with open(QUICKSTART) as f:
        experiment = f.read()
    subprocess.run([AQUEDUCT, "sim", "run", "-", "--out", str(tmp_path / "stdin"), "-q",
                    "--no-plots"], input=experiment, text=True, check=True, capture_output=True,
                   cwd=os.path.dirname(QUICKSTART))
    aq("sim", "run", "-f", QUICKSTART, "--out", str(tmp_path / "file"), "-q", "--no-plots")
    for name in ("jobs.csv", "timeseries.csv"):
        a = (tmp_path / "stdin" / "cache" / name).read_bytes()
        b = (tmp_path / "file" / "cache" / name).read_bytes()
        assert a == b, name


def test_cache_sim_reads_a_trace_from_stdin():
    with open(CLOUDPHYSICS) as f:
        text = f.read()
    args = ["cache-sim", "--format", "cloudphysics", "--policy", "lru,s3fifo", "--size", "64Mi",
            "-q", "-o", "csv"]
    want = aq(*args, "-f", CLOUDPHYSICS).stdout
    assert aq(*args, "-f", "-", stdin=text).stdout == want
    # A share of the footprint needs two reads; standard input has one.
    r = aq("cache-sim", "-", "--format", "cloudphysics", "--size", "10%", stdin=text, ok=(2,))
    assert "standard input can be read once" in r.stderr


def test_stdin_once_per_command(tmp_path):
    r = aq("inject", "-f", "-", "--objects", "-", stdin=POD, ok=(2,))
    assert "standard input (-) can be given only once" in r.stderr
    r = aq("validate", "-", "-", stdin="", ok=(2,))
    assert "standard input (-) can be given only once" in r.stderr
    r = aq("schedule", "--cluster", "-", "-f", "-", stdin="", ok=(2,))
    assert "standard input (-) can be given only once" in r.stderr


def subcommands():
    """Every leaf command, from the help of the top level and of groups."""
    def names(*path):
        text = aq(*path, "--help").stdout
        block = text.split("Subcommands:", 1)
        if len(block) == 1:
            return []
        return re.findall(r"^  (\S+)\s", block[1], re.M)
    out = []
    for name in names():
        inner = names(name)
        out.extend([(name, i) for i in inner] if inner else [(name,)])
    return out


# The commands whose output has a shape (rows or one object), and those that
# read objects from files.
SHAPED = {("version",), ("validate",), ("sim", "run"), ("schema",), ("schedule",),
          ("calibrate",), ("cache-sim",)}
READS_OBJECTS = {("validate",), ("sim", "run"), ("schedule",), ("cache-sim",), ("inject",)}


def test_every_command_follows_the_conventions():
    cmds = subcommands()
    assert ("sim", "run") in cmds and ("fuse", "mount") in cmds
    for cmd in cmds:
        text = aq(*cmd, "--help").stdout
        if cmd in SHAPED:
            values = re.search(r"-o,--output TEXT:\{([^}]*)\}", text)
            assert values, (cmd, text)
            assert values.group(1).split(",")[:3] == ["table", "json", "yaml"], cmd
        assert "--json" not in text, cmd  # one way to ask for JSON: -o json
        if cmd in READS_OBJECTS:
            assert re.search(r"^\s+(\w+,)?-f,--file", text, re.M), (cmd, text)
