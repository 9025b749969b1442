"""Sweeps: one DataFrame, equal to the single runs, wherever they run."""
import pandas as pd
import pytest

from conftest import example

GRID = {"seed": [1, 2], "policies.eviction": ["lru", "fifo"]}


def single_runs(aq):
    rows = []
    exp = aq.load_experiment(example("quickstart", "experiment.yaml"))
    for seed in GRID["seed"]:
        for ev in GRID["policies.eviction"]:
            s = exp.with_policies(eviction=ev).run("cache", seed=seed).summary_dict
            rows.append({"seed": seed, "policies.eviction": ev, **s})
    return pd.DataFrame(rows)


def test_sweep_equals_single_runs_in_process(aq):
    df = aq.sweep(example("quickstart", "experiment.yaml"), GRID, client=False, scenarios=["cache"])
    assert len(df) == 4
    pd.testing.assert_frame_equal(df, single_runs(aq))


def test_sweep_on_a_local_dask_cluster(aq):
    df = aq.sweep(example("quickstart", "experiment.yaml"), GRID, scenarios=["cache"])
    pd.testing.assert_frame_equal(df, single_runs(aq))


def test_sweep_with_python_policies_on_dask(aq):
    from test_policies import PyLru  # picklable by reference on the workers
    df = aq.sweep(example("quickstart", "experiment.yaml"), {"policies.eviction": ["lru", "py-lru"]},
                  scenarios=["cache"], python_policies={"eviction_policies": {"py-lru": PyLru}})
    assert df.loc[0, "mean_jct_s"] == df.loc[1, "mean_jct_s"]


def test_sweep_bad_grids(aq):
    path = example("quickstart", "experiment.yaml")
    with pytest.raises(ValueError, match="non-empty"):
        aq.sweep(path, {}, client=False)
    with pytest.raises(ValueError, match="non-empty list"):
        aq.sweep(path, {"seed": 3}, client=False)
    with pytest.raises(ValueError, match=r"grid point .*spec\.seed"):
        aq.sweep(path, {"seed": ["x"]}, client=False)
    with pytest.raises(TypeError, match="base"):
        aq.sweep(3.5, {"seed": [1]}, client=False)
    # A misspelled grid key varies nothing: it is an error naming the key and its likely meaning.
    with pytest.raises(ValueError, match=r'grid point .*spec\.polcies: unknown field.*did you mean "policies"'):
        aq.sweep(path, {"polcies.eviction": ["lru"]}, client=False)
    with pytest.raises(ValueError, match=r'spec\.policies\.evictoin: unknown field.*did you mean "eviction"'):
        aq.sweep(path, {"policies.evictoin": ["lru"]}, client=False)


def test_sweep_returns_per_job_rows_and_takes_python_job_policies(aq):
    import os
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(root, "examples", "jobs"))
    from las_policy import PyLas
    trace = os.path.join(root, "data", "traces", "philly-derived", "philly_480_60gpu.csv")
    base = {"apiVersion": "aqueduct.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "s"},
            "spec": {"cluster": {"nodePools": [{"name": "g", "count": 15, "cpu": "64", "memory": "512Gi",
                                                "gpu": 4}]},
                     "workload": {"trace": {"file": trace, "reader": "generic-csv", "maxJobs": 200},
                                  "maxGpusPerPod": 4,
                                  "applications": {"t": {"computePerGpu": "100MiB/s"}},
                                  "defaultApplication": "t"},
                     "policies": {"jobs": {"policy": "fifo"}}}}
    summaries, jobs = aq.sweep(base, {"policies.jobs.policy": ["las", "py-las"]}, client=False,
                               python_policies={"job_policies": {"py-las": PyLas}}, jobs=True)
    assert list(summaries["job_policy"]) == ["las", "py-las"]
    assert summaries.loc[0, "mean_jct_s"] == summaries.loc[1, "mean_jct_s"]
    assert len(jobs) == 2 * 200
    assert {"policies.jobs.policy", "scenario", "job_id", "jct_s", "preemptions"} <= set(jobs.columns)
    by = jobs.groupby("policies.jobs.policy")["jct_s"].mean()
    assert by["las"] == pytest.approx(summaries.loc[0, "mean_jct_s"])
