"""The Pythonic API: loading, running, results as DataFrames, bad arguments."""
import threading

import numpy as np
import pandas as pd
import pytest

from conftest import example


def test_version_names_the_build(aq):
    assert aq.__version__.count(".") == 2
    assert aq.__commit__ == "unknown" or len(aq.__commit__.split("-")[0]) == 12


def test_registries_are_visible(aq):
    assert {"NodeResourcesFit", "DataLocality", "Cost"} <= {p["name"] for p in aq.plugins()}
    assert {"lru", "arc", "s3fifo"} <= {p["name"] for p in aq.eviction_policies()}
    scalers = {a["name"]: a["description"] for a in aq.autoscalers()}
    assert "maxReplicas" in scalers["fluid-hpa"]  # arguments are listed
    assert "data-aware" in aq.scheduler_presets()


def test_run_gives_dataframes(quickstart):
    assert quickstart.name == "quickstart"
    assert quickstart.scenarios == ["no-cache", "cache", "cache-data-aware"]
    r = quickstart.run("cache")
    jobs = r.jobs
    assert isinstance(jobs, pd.DataFrame) and len(jobs) == 160
    assert jobs["jct_s"].dtype == np.float64
    assert jobs["bytes_from_cache"].dtype == np.int64
    assert jobs["completed"].all()
    assert list(jobs.columns[:3]) == ["job_id", "application", "dataset"]
    assert len(r.timeseries) > 10 and "hit_ratio" in r.timeseries
    assert r.summary.shape[0] == 1
    assert r.summary_dict["mean_jct_s"] == pytest.approx(890, abs=1)  # as `aqueduct sim run` prints
    assert r.summary_dict["mean_jct_s"] == pytest.approx(jobs["jct_s"].mean())


def test_deterministic_and_seeded(quickstart):
    a = quickstart.run("cache").jobs
    b = quickstart.run("cache").jobs
    pd.testing.assert_frame_equal(a, b)
    # A generated (Poisson) workload: the seed decides the arrivals.
    burst = aq_module().load_experiment(example("serverless", "burst.yaml"))
    x = burst.run("eci-cache").jobs
    pd.testing.assert_frame_equal(x, burst.run("eci-cache").jobs)
    y = burst.run("eci-cache", seed=9).jobs
    assert not x["arrival_s"].equals(y["arrival_s"])


def aq_module():
    import aqueduct
    return aqueduct


def test_load_from_dict(aq):
    data = aq._native._yaml_to_data(open(example("quickstart", "experiment.yaml")).read())[0]
    data["spec"]["seed"] = 42
    exp = aq.load_experiment(data, base_dir=example("quickstart"))
    path = aq.load_experiment(example("quickstart", "experiment.yaml"))
    pd.testing.assert_frame_equal(exp.run("cache").jobs, path.run("cache").jobs)


def test_progress_callback(quickstart):
    seen = []
    quickstart.run("cache", progress=lambda f, sim_s, events: seen.append((f, sim_s, events)))
    assert seen and seen[-1][0] == pytest.approx(1.0)
    assert [f for f, _, _ in seen] == sorted(f for f, _, _ in seen)


def test_progress_exception_surfaces(quickstart):
    def boom(fraction, simulated_s, events):
        raise KeyError("stop here")
    with pytest.raises(KeyError, match="stop here"):
        quickstart.run("cache", progress=boom)
    quickstart.run("cache")  # the interpreter and the experiment still work


def test_run_releases_the_gil(quickstart):
    done = threading.Event()
    ticks = 0

    def work():
        for _ in range(3):
            quickstart.run("cache")
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    assert ticks > 10  # the main thread ran Python while the simulation ran


def test_bad_arguments(aq, quickstart):
    with pytest.raises(TypeError, match="path or a dict"):
        aq.load_experiment(42)
    with pytest.raises(ValueError, match="no such experiment file"):
        aq.load_experiment("/nonexistent/experiment.yaml")
    bad = {"apiVersion": "aqueduct.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "x"},
           "spec": {"seed": "abc"}}
    with pytest.raises(ValueError, match=r"spec\.seed: expected an integer"):
        aq.load_experiment(bad)
    typo = {"apiVersion": "aqueduct.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "x"},
            "spec": {"sed": 3}}
    with pytest.raises(ValueError, match=r'spec\.sed: unknown field.*did you mean "seed"'):
        aq.load_experiment(typo)
    with pytest.warns(UserWarning, match=r"spec\.sed: unknown field, ignored"):
        try:
            aq.load_experiment(typo, lenient=True)
        except ValueError:
            pass  # the spec is incomplete; the warning is what is checked
    with pytest.raises(ValueError, match='no scenario "nope"'):
        quickstart.run("nope")
    with pytest.raises(TypeError, match="scenario"):
        quickstart.run(3)
    with pytest.raises(ValueError, match="seed"):
        quickstart.run(seed=-1)
    with pytest.raises(TypeError, match="progress"):
        quickstart.run(progress="yes")
    with pytest.raises(ValueError, match="scheduler"):
        quickstart.with_policies(scheduler="bogus")
    with pytest.raises(ValueError, match='unknown eviction policy "bogus"'):
        quickstart.with_policies(eviction="bogus").run("cache")
    with pytest.raises(ValueError, match="weight"):
        quickstart.with_policies(score_plugins={"Cost": 0})
    with pytest.raises(TypeError, match="registry"):
        quickstart.run(registry="not a registry")
