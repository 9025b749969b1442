"""One result model: the files `aqueduct sim run` writes and the DataFrames of a
run in Python have the same columns, types and missing values; every plot kind
is drawn from a small run; the stubs list every public name."""
import json
import math
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, example

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")


def sim_run(out, experiment, *extra):
    proc = subprocess.run([AQUEDUCT, "sim", "run", experiment, "--out", str(out), "-q",
                           "--no-progress", *extra], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def quickstart_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("quickstart")
    sim_run(out, example("quickstart", "experiment.yaml"), "--no-plots")
    return out


def assert_frames_agree(from_files, in_memory, decimals):
    assert list(from_files.columns) == list(in_memory.columns)
    for col in from_files.columns:
        a, b = from_files[col], in_memory[col]
        assert a.dtype == b.dtype, f"{col}: {a.dtype} in the files, {b.dtype} in memory"
        if a.dtype == np.float64:
            tol = 0.5 * 10 ** -decimals[col] + 1e-9
            assert (a.isna() == b.isna()).all(), f"{col}: missing values differ"
            assert np.allclose(a.fillna(0), b.fillna(0), atol=tol, rtol=0), col
        else:
            assert a.tolist() == b.tolist(), col


def test_files_and_dataframes_agree(aq, quickstart, quickstart_run):
    files = aq.read_run(quickstart_run)
    assert list(files) == quickstart.scenarios
    decimals = {c["name"]: c["decimals"] for t in aq.schema()["tables"] for c in t["columns"]}
    for name in ("no-cache", "cache"):
        mem = quickstart.run(name)
        for table in ("jobs", "timeseries", "cache_status", "dataloads", "scaling"):
            assert_frames_agree(getattr(files[name], table), getattr(mem, table), decimals)
        fs, ms = files[name].summary_dict, mem.summary_dict
        assert list(fs) == list(ms)
        for k, v in ms.items():
            if isinstance(v, float):
                assert (math.isnan(v) and math.isnan(fs[k])) or \
                    fs[k] == pytest.approx(v, abs=0.5 * 10 ** -decimals[k] + 1e-9), k
            else:
                assert fs[k] == v, k
        assert fs["schema_version"] == aq.schema()["schema_version"]
        assert fs["aqueduct_version"] == aq.__version__ and fs["commit"] == aq.__commit__


def test_parquet_keeps_the_frames_or_says_what_is_missing(aq, quickstart_run, tmp_path):
    from aqueduct._results import _parquet_engine
    r = aq.read_run(quickstart_run)["cache"]
    if _parquet_engine() is None:
        # Debian 12 packages no Parquet engine: the error says what to install.
        with pytest.raises(ImportError, match="pip install pyarrow"):
            r.to_parquet(tmp_path / "pq")
        return
    written = r.to_parquet(tmp_path / "pq")
    assert len(written) == 6
    for table in ("jobs", "timeseries", "cache_status", "dataloads", "scaling", "summary"):
        back = pd.read_parquet(tmp_path / "pq" / f"{table}.parquet")
        pd.testing.assert_frame_equal(back, getattr(r, table), check_dtype=True)


def test_missing_values_are_nan_never_minus_one(aq, quickstart):
    r = quickstart.run("no-cache")
    hit = r.timeseries["hit_ratio"]
    assert hit.isna().iloc[0], "the first interval reads nothing: its hit ratio is missing"
    assert hit.dropna().between(0, 1).all() and (hit.dropna() == 0).all(), "no cache runtimes"
    jobs = r.jobs
    assert jobs["hit_ratio"].between(0, 1).all()
    assert (r.timeseries.select_dtypes("number").fillna(0) >= 0).all().all()
    assert "hit_ratio" in r.jobs and "store_throughput_Bps" in r.timeseries


def test_the_schema_file_is_what_the_cli_prints(aq):
    printed = subprocess.run([AQUEDUCT, "schema", "-o", "json"], capture_output=True, text=True,
                             check=True).stdout
    assert json.loads(printed) == aq.schema(), \
        "python/aqueduct/result_schema.json is stale: aqueduct schema -o json > it"


def test_the_docs_list_every_column(aq):
    printed = subprocess.run([AQUEDUCT, "schema", "-o", "markdown"], capture_output=True,
                             text=True, check=True).stdout
    with open(os.path.join(ROOT, "docs", "results.md"), encoding="utf-8") as f:
        assert printed in f.read(), \
            "docs/results.md is stale: paste `aqueduct schema -o markdown` into it"


def test_resolved_experiment_reruns_identically(aq, quickstart_run, tmp_path):
    resolved = os.path.join(quickstart_run, "cache", "experiment.yaml")
    again = tmp_path / "again"
    sim_run(again, resolved, "--no-plots")
    for f in ("jobs.csv", "timeseries.csv", "cache_status.csv"):
        with open(os.path.join(quickstart_run, "cache", f)) as a, \
                open(os.path.join(again, "cache", f)) as b:
            assert a.read() == b.read(), f


def test_bad_result_files_are_named(aq, quickstart_run, tmp_path):
    import shutil
    broken = tmp_path / "cache"
    shutil.copytree(os.path.join(quickstart_run, "cache"), broken)
    text = (broken / "jobs.csv").read_text().replace("job_id,", "id,", 1)
    (broken / "jobs.csv").write_text(text)
    with pytest.raises(ValueError, match=r"jobs\.csv: columns .* do not match the result model"):
        aq.read_results(broken).jobs
    (broken / "jobs.csv").write_text(text.replace("id,", "job_id,", 1))
    aq.read_results(broken).jobs  # restored: reads again
    lines = (broken / "timeseries.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[3] = "many"  # running_jobs
    lines[3] = ",".join(cells)
    (broken / "timeseries.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"timeseries\.csv: line 4, column running_jobs: "
                                         r"expected an integer, got 'many'"):
        aq.read_results(broken).timeseries
    with pytest.raises(FileNotFoundError, match="no summary.json"):
        aq.read_results(tmp_path)


def test_every_plot_kind_is_drawn(aq, quickstart_run, tmp_path):
    import aqueduct.plots as ap
    runs = aq.read_run(quickstart_run)
    written = ap.plot_run(quickstart_run, ("png", "pdf", "svg"))
    names = {os.path.relpath(w, quickstart_run) for w in written}
    for stem in ("no-cache/overview", "cache/overview", "comparison", "cost_vs_jct",
                 "price_performance"):
        for ext in ("png", "pdf", "svg"):
            assert f"{stem}.{ext}" in names
    for w in written:
        assert os.path.getsize(w) > 5000, w
    curve = pd.DataFrame({"policy": ["lru"] * 3 + ["fifo"] * 3,
                          "cache_size_bytes": [1 << 20, 8 << 20, 64 << 20] * 2,
                          "miss_ratio": [0.9, 0.6, 0.3, 0.95, 0.7, 0.4]})
    assert os.path.getsize(ap.save(ap.mrc(curve), tmp_path / "mrc.png")[0]) > 5000
    ax = ap.jct_cdf(runs)
    assert ax.get_xscale() == "log", "quickstart JCTs are heavy-tailed"
    assert "min" in ax.get_xlabel() or "h" in ax.get_xlabel()


def test_heavy_tail_detection():
    import aqueduct.plots as ap
    assert ap.heavy_tailed([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000])
    assert not ap.heavy_tailed([10, 11, 12, 13, 14, 15])
    assert ap.time_unit(30) == (1.0, "s") and ap.time_unit(5000)[1] == "min"
    assert ap.time_unit(20 * 3600)[1] == "h" and ap.byte_unit(3 << 30) == (float(1 << 30), "GiB")


def test_figures_are_deterministic(aq, quickstart_run, tmp_path):
    import aqueduct.plots as ap
    r = aq.read_results(os.path.join(quickstart_run, "cache"))
    a = ap.save(ap.overview(r), tmp_path / "a", ("png", "pdf", "svg"))
    b = ap.save(ap.overview(r), tmp_path / "b", ("png", "pdf", "svg"))
    for x, y in zip(a, b):
        with open(x, "rb") as fx, open(y, "rb") as fy:
            assert fx.read() == fy.read(), x


def test_cli_plot_command(quickstart_run):
    proc = subprocess.run([AQUEDUCT, "plot", str(quickstart_run), "--format", "svg"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "comparison.svg" in proc.stdout
    bad = subprocess.run([AQUEDUCT, "plot", str(quickstart_run), "--format", "gif"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown figure format \"gif\"" in bad.stderr
    none = subprocess.run([AQUEDUCT, "plot", os.path.join(str(quickstart_run), "nope")],
                          capture_output=True, text=True)
    assert none.returncode == 2 and "no such folder" in none.stderr
    scenario = subprocess.run([AQUEDUCT, "plot", os.path.join(str(quickstart_run), "cache")],
                              capture_output=True, text=True)
    assert scenario.returncode == 2 and "give the --out folder" in scenario.stderr


def test_stubs_list_every_public_name(aq):
    with open(os.path.join(ROOT, "python", "aqueduct", "__init__.pyi"), encoding="utf-8") as f:
        stub = f.read()
    for name in aq.__all__:
        assert (f"def {name}(" in stub or f"class {name}" in stub or f" as {name}" in stub), \
            f"{name} is public but missing from __init__.pyi"
    for prop in [p for p in dir(aq.Results) if not p.startswith("_")]:
        assert f"def {prop}(" in stub, f"Results.{prop} is missing from __init__.pyi"
