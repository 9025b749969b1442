"""Results as DataFrames, from a run in this process or from the files of
``aqueduct sim run``, with the same columns, types and missing values (NaN,
never -1) either way. The columns are the result model (``aqueduct schema``,
result_schema.json next to this file, docs/results.md).

Pure Python (pandas only), so the plotting script can use it without the
compiled extension.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any, Callable, Dict, List, Optional

import pandas as pd

_HERE = os.path.dirname(os.path.abspath(__file__))

#: The tables of a run, in the order ``aqueduct schema`` lists them.
TABLES = ("jobs", "timeseries", "cache_status", "dataloads", "scaling")


def schema() -> Dict[str, Any]:
    """The result model: ``{"schema_version": N, "tables": [...]}`` with each
    table's file and columns (name, type, unit, decimals, doc)."""
    with open(os.path.join(_HERE, "result_schema.json"), encoding="utf-8") as f:
        return json.load(f)


def _table_schema(name: str) -> Dict[str, Any]:
    for t in schema()["tables"]:
        if t["name"] == name:
            return t
    raise KeyError(name)


_DTYPES = {"float": "float64", "int": "int64", "bool": "bool", "string": "object"}


def _typed_frame(name: str, columns: Dict[str, Any]) -> pd.DataFrame:
    """A DataFrame with the model's column order and dtypes."""
    spec = _table_schema(name)["columns"]
    df = pd.DataFrame({c["name"]: columns[c["name"]] for c in spec})
    for c in spec:
        df[c["name"]] = df[c["name"]].astype(_DTYPES[c["type"]])
    return df


def _read_csv(path: str, name: str) -> pd.DataFrame:
    spec = _table_schema(name)["columns"]
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: missing (expected the {name} table of a run)")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = [c["name"] for c in spec]
    if list(raw.columns) != expected:
        raise ValueError(f"{path}: columns {list(raw.columns)} do not match the result model "
                         f"{expected} (written by another version?)")
    cols: Dict[str, Any] = {}
    for c in spec:
        v = raw[c["name"]]
        if c["type"] in ("float", "int"):
            # Empty is missing for floats; anything else must be a number.
            numeric = pd.to_numeric(v.replace("", float("nan")), errors="coerce")
            bad = numeric.isna() & ((v != "") | (c["type"] == "int"))
            if bad.any():
                row = int(bad.idxmax())
                raise ValueError(f"{path}: line {row + 2}, column {c['name']}: expected "
                                 f"{'an integer' if c['type'] == 'int' else 'a number'}, got "
                                 f"{v.iloc[row]!r}")
            cols[c["name"]] = numeric.astype("int64") if c["type"] == "int" else numeric
        elif c["type"] == "bool":
            bad = ~v.isin(["true", "false"])
            if bad.any():
                raise ValueError(f"{path}: column {c['name']}: expected true/false, got "
                                 f"{v[bad].iloc[0]!r} (row {int(bad.idxmax()) + 2})")
            cols[c["name"]] = v == "true"
        else:
            cols[c["name"]] = v
    return _typed_frame(name, cols)


def _summary_from_json(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out: Dict[str, Any] = {}
    for c in _table_schema("summary")["columns"]:
        if c["name"] not in data:
            raise ValueError(f"{path}: field {c['name']} missing (written by another version?)")
        v = data[c["name"]]
        out[c["name"]] = float("nan") if v is None and c["type"] == "float" else v
    return out


class Results:
    """One scenario's results. DataFrames are built on first access and cached.

    From ``Experiment.run`` (a run in this process) or ``read_results(folder)``
    (the files ``aqueduct sim run`` wrote); both give the same frames.
    """

    def __init__(self, tables: Callable[[str], pd.DataFrame], summary: Callable[[], Dict[str, Any]],
                 experiment_yaml: Callable[[], str], where: str) -> None:
        self._tables = tables
        self._summary = summary
        self._experiment_yaml = experiment_yaml
        self._where = where
        self._cache: Dict[str, Any] = {}

    def _frame(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = self._tables(name)
        return self._cache[name]

    @property
    def jobs(self) -> pd.DataFrame:
        """One row per job (jobs.csv)."""
        return self._frame("jobs")

    @property
    def timeseries(self) -> pd.DataFrame:
        """The cluster sampled at the experiment's interval (timeseries.csv)."""
        return self._frame("timeseries")

    @property
    def cache_status(self) -> pd.DataFrame:
        """Each dataset's cache state as Fluid reports it, sampled (cache_status.csv)."""
        return self._frame("cache_status")

    @property
    def dataloads(self) -> pd.DataFrame:
        """One row per run of a DataLoad (dataloads.csv)."""
        return self._frame("dataloads")

    @property
    def scaling(self) -> pd.DataFrame:
        """Autoscaler decisions: time, runtime, from, to, reason (scaling.csv)."""
        return self._frame("scaling")

    @property
    def summary_dict(self) -> Dict[str, Any]:
        """The summary (summary.json) as a flat dict; missing values are NaN."""
        if "summary_dict" not in self._cache:
            self._cache["summary_dict"] = self._summary()
        return dict(self._cache["summary_dict"])

    @property
    def summary(self) -> pd.DataFrame:
        """The summary as a one-row DataFrame (concatenate several to compare)."""
        if "summary" not in self._cache:
            self._cache["summary"] = pd.DataFrame([self.summary_dict])
        return self._cache["summary"]

    @property
    def experiment_yaml(self) -> str:
        """The experiment as run (experiment.yaml): it loads and reruns from anywhere."""
        return self._experiment_yaml()

    _TABLES = ("jobs", "timeseries", "cache_status", "dataloads", "scaling")

    def to_parquet(self, folder: "str | os.PathLike[str]") -> List[str]:
        """Writes every table as <name>.parquet and the summary as summary.parquet
        into ``folder`` (created), with the same columns and dtypes as the
        DataFrames. Needs pyarrow or fastparquet, which Debian 12 does not
        package: ``pip install pyarrow`` in a virtual environment."""
        if not _parquet_engine():
            raise ImportError("Parquet output needs pyarrow or fastparquet, which Debian 12 does "
                              "not package: pip install pyarrow into a virtual environment "
                              "(docs/python.md); the CSV files hold the same data")
        os.makedirs(folder, exist_ok=True)
        written = []
        for name in self._TABLES + ("summary",):
            path = os.path.join(os.fspath(folder), f"{name}.parquet")
            getattr(self, name).to_parquet(path, index=False)
            written.append(path)
        return written

    def __repr__(self) -> str:
        s = self.summary_dict
        jct = s["mean_jct_s"]
        jct_text = "n/a" if isinstance(jct, float) and math.isnan(jct) else f"{jct:.0f}s"
        return (f"<Results {s['experiment']}/{s['scenario']}: {s['completed']}/{s['jobs']} jobs, "
                f"mean JCT {jct_text}, hit ratio {s['hit_ratio']:.3f}>")


def _parquet_engine() -> Optional[str]:
    """The Parquet engine pandas would use, or None."""
    import importlib.util
    for engine in ("pyarrow", "fastparquet"):
        if importlib.util.find_spec(engine) is not None:
            return engine
    return None


def from_native(raw: Any) -> Results:
    """Results of a run in this process (the extension's raw tables)."""
    return Results(lambda name: _typed_frame(name, raw.table(name)), raw.summary_dict,
                   raw.experiment_yaml, "in memory")


def read_results(folder: "str | os.PathLike[str]") -> Results:
    """The results one scenario's folder holds (``OUT/<scenario>/`` of ``aqueduct sim run``)."""
    folder = os.fspath(folder)
    summary_path = os.path.join(folder, "summary.json")
    if not os.path.exists(summary_path):
        raise FileNotFoundError(f"{folder}: no summary.json (expected a scenario folder of "
                                f"`aqueduct sim run`, e.g. OUT/<scenario>)")
    files = {t["name"]: t["file"] for t in schema()["tables"]}

    def experiment_yaml() -> str:
        path = os.path.join(folder, "experiment.yaml")
        with open(path, encoding="utf-8") as f:
            return f.read()

    return Results(lambda name: _read_csv(os.path.join(folder, files[name]), name),
                   lambda: _summary_from_json(summary_path), experiment_yaml, folder)


def read_run(out: "str | os.PathLike[str]") -> Dict[str, Results]:
    """Every scenario of an ``aqueduct sim run`` output folder, by name, in run order."""
    out = os.fspath(out)
    record = os.path.join(out, "run.json")
    if not os.path.exists(record):
        raise FileNotFoundError(f"{out}: no run.json (expected the --out folder of "
                                f"`aqueduct sim run`)")
    with open(record, encoding="utf-8") as f:
        names: List[str] = [s["name"] for s in json.load(f)["scenarios"]]
    return {n: read_results(os.path.join(out, n)) for n in names}


def missing(value: Optional[float]) -> bool:
    """True for a missing summary value (NaN or None)."""
    return value is None or (isinstance(value, float) and math.isnan(value))
