"""Job-level policies from Python: the same port as the built-in ones."""
import os
import sys

import pytest

import aqueduct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "jobs"))
from las_policy import PyLas  # noqa: E402

TRACE = os.path.join(ROOT, "data", "traces", "philly-derived", "gavel_msr_seed0", "0e4a51.csv")
THROUGHPUTS = os.path.join(ROOT, "data", "traces", "philly-derived", "gavel_throughputs.csv")


def philly(jobs_section, max_jobs=300):
    return {
        "apiVersion": "aqueduct.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "jobs"},
        "spec": {
            "seed": 3,
            "cluster": {"nodePools": [{"name": "v100", "count": 4, "cpu": "64", "memory": "512Gi",
                                       "gpu": 8}]},
            "workload": {
                "trace": {"file": TRACE, "reader": "philly-gavel", "throughputs": THROUGHPUTS,
                          "maxJobs": max_jobs, "onBadRow": "skip"},
                "maxGpusPerPod": 8,
                "applications": {"default": {"computePerGpu": "100MiB/s"}},
                "defaultApplication": "default",
            },
            "policies": {"jobs": jobs_section},
        },
    }


def test_a_python_policy_and_its_cpp_twin_give_identical_results():
    exp = aqueduct.load_experiment(philly({"policy": "las", "checkpoint": "30s", "restart": "60s"}))
    cpp = exp.run()
    reg = aqueduct.Registry()
    reg.add_job_policy("py-las", PyLas)
    py = exp.with_policies(job_policy="py-las").run(registry=reg)
    assert cpp.summary["preemptions"].iloc[0] > 0  # the comparison exercises preemption
    assert py.summary["job_policy"].iloc[0] == "py-las"
    for col in ("start_s", "end_s", "preemptions", "preemption_overhead_s", "nodes"):
        assert cpp.jobs[col].equals(py.jobs[col]), col


def test_a_list_is_a_run_order_and_errors_name_the_policy():
    class Fifo(aqueduct.JobPolicy):
        def decide(self, s):
            return [j["id"] for j in s["jobs"]]

    class Ghost(aqueduct.JobPolicy):
        def decide(self, s):
            return {"run_order": ["no-such-job"]}

    class Raises(aqueduct.JobPolicy):
        def decide(self, s):
            raise RuntimeError("policy bug")

    class Wrong(aqueduct.JobPolicy):
        def decide(self, s):
            return 42

    reg = aqueduct.Registry()
    for name, cls in (("py-fifo", Fifo), ("ghost", Ghost), ("raises", Raises), ("wrong", Wrong)):
        reg.add_job_policy(name, cls)
    assert "py-fifo" in [p["name"] for p in reg.job_policies]
    exp = aqueduct.load_experiment(philly({"policy": "fifo"}, max_jobs=40))
    base = exp.run()
    mine = exp.with_policies(job_policy="py-fifo").run(registry=reg)
    assert base.jobs["end_s"].equals(mine.jobs["end_s"])
    with pytest.raises(ValueError, match='job policy "ghost": job "no-such-job"'):
        exp.with_policies(job_policy="ghost").run(registry=reg)
    with pytest.raises(RuntimeError, match="policy bug"):
        exp.with_policies(job_policy="raises").run(registry=reg)
    with pytest.raises(TypeError, match="decide\\(\\) of job policy wrong must return"):
        exp.with_policies(job_policy="wrong").run(registry=reg)
    with pytest.raises(ValueError, match="unknown job policy"):
        exp.with_policies(job_policy="nope").run(registry=reg)


def test_builtin_job_policies_are_listed():
    names = [p["name"] for p in aqueduct.job_policies()]
    assert names == ["fifo", "gavel", "las", "silod", "sjf", "srtf", "themis"]


def typed_cluster(doc):
    doc["spec"]["cluster"]["nodePools"] = [
        {"name": "v100", "count": 1, "cpu": "64", "memory": "512Gi", "gpu": 8, "gpuType": "v100"},
        {"name": "k80", "count": 3, "cpu": "64", "memory": "512Gi", "gpu": 8, "gpuType": "k80"},
    ]
    return doc


def test_a_python_policy_sees_gpu_types_and_pins_jobs_to_them():
    seen = {}

    class FastFirst(aqueduct.JobPolicy):
        """Queued jobs go to the type they run fastest on, if it has room."""

        def decide(self, s):
            seen["types"] = s["gpu_types"]
            free = {t["name"]: t["free"] for t in s["gpu_types"]}
            order, types = [], {}
            for j in s["jobs"]:
                if j["status"] != "queued":
                    continue
                for t in sorted(j["speed_by_type"], key=lambda t: -j["speed_by_type"][t]):
                    if free[t] >= j["gpus"]:
                        free[t] -= j["gpus"]
                        order.append(j["id"])
                        types[j["id"]] = t
                        break
            return {"run_order": order, "gpu_type": types}

    class Ghost(aqueduct.JobPolicy):
        def decide(self, s):
            return {"run_order": [j["id"] for j in s["jobs"]],
                    "gpu_type": {j["id"]: "a100" for j in s["jobs"]}}

    reg = aqueduct.Registry()
    reg.add_job_policy("fast-first", FastFirst)
    reg.add_job_policy("ghost", Ghost)
    exp = aqueduct.load_experiment(typed_cluster(philly({"policy": "fifo"}, max_jobs=60)))
    r = exp.with_policies(job_policy="fast-first").run(registry=reg)
    assert sorted(t["name"] for t in seen["types"]) == ["k80", "v100"]
    assert {t["name"]: t["total"] for t in seen["types"]} == {"v100": 8.0, "k80": 24.0}
    done = r.jobs[r.jobs["end_s"] >= 0]
    assert len(done) > 0
    # Every job ran on one type only, and some went to each.
    kinds = {n.split("-")[0] for nodes in done["nodes"] for n in nodes.split(";")}
    assert kinds == {"v100", "k80"}
    with pytest.raises(ValueError, match='"a100", which no node has'):
        exp.with_policies(job_policy="ghost").run(registry=reg)
    # Gavel on the same cluster: heterogeneity-aware beats agnostic here.
    aware = exp.with_policies(job_policy="gavel", job_round_s=360).run()
    agnostic = exp.with_policies(job_policy="gavel", job_policy_args={"aware": "false"},
                                 job_round_s=360).run()
    assert aware.summary["mean_jct_s"].iloc[0] < agnostic.summary["mean_jct_s"].iloc[0]


def test_the_derived_philly_workloads_match_their_script(tmp_path):
    import shutil
    import subprocess
    src = os.path.join(ROOT, "data", "traces", "philly-derived")
    work = tmp_path / "philly-derived"
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("philly_*.csv",
                                                             "gavel_continuous_single.csv"))
    subprocess.run([sys.executable, str(work / "derive_workloads.py")], check=True)
    for name in ("philly_10k_256gpu.csv", "philly_480_60gpu.csv", "gavel_continuous_single.csv"):
        with open(os.path.join(src, name), "rb") as a, open(work / name, "rb") as b:
            assert a.read() == b.read(), name


def test_a_python_policy_sizes_dataset_caches():
    """The cache budget handed out by a Python policy: all of it to the
    datasets its running jobs read, in proportion to their I/O demand."""
    seen = {}

    class ByDemand(aqueduct.JobPolicy):
        def decide(self, s):
            seen["budget"] = s["cache_budget_bytes"]
            seen["datasets"] = {d["dataset"]: d for d in s["datasets"]}
            demand = {}
            for j in s["jobs"]:
                if j["status"] == "running" and j["dataset"]:
                    demand[j["dataset"]] = demand.get(j["dataset"], 0) + j["io_demand_bps"]
            total = sum(demand.values())
            shares = {d["dataset"]: 0 for d in s["datasets"]}
            for ds, v in demand.items():
                shares[ds] = int(s["cache_budget_bytes"] * v / total)
            return {"run_order": [j["id"] for j in s["jobs"]], "cache_bytes": shares}

    class TooMuch(aqueduct.JobPolicy):
        def decide(self, s):
            return {"run_order": [], "cache_bytes": {"default/imagenet": s["cache_budget_bytes"] + 1}}

    reg = aqueduct.Registry()
    reg.add_job_policy("by-demand", ByDemand)
    reg.add_job_policy("too-much", TooMuch)
    exp = aqueduct.load_experiment(os.path.join(ROOT, "examples", "jobs", "silod.yaml"))
    r = exp.with_policies(job_policy="by-demand").run("sjf-uniform", registry=reg)
    assert seen["budget"] == 6 * 2 * 8 * 2**30  # six runtimes x 2 workers x 8Gi
    assert seen["datasets"]["default/imagenet"]["size_bytes"] == 140 * 2**30
    assert seen["datasets"]["default/imagenet"]["full_bytes"] > 140 * 2**30
    assert (r.jobs["end_s"] >= 0).all()
    caps = r.cache_status.groupby("time_s")["cache_capacity_bytes"].sum()
    assert (caps <= seen["budget"]).all()
    assert r.cache_status["cache_capacity_bytes"].nunique() > 2  # the shares moved
    with pytest.raises(ValueError, match="cache budget is"):
        exp.with_policies(job_policy="too-much").run("sjf-uniform", registry=reg)
    # SiloD on the same experiment reads less from the store than SJF alone.
    silod = exp.run("silod")
    sjf = exp.run("sjf-lru")
    assert silod.jobs["bytes_from_store"].sum() < sjf.jobs["bytes_from_store"].sum()
