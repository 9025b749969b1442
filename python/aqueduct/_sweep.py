"""Parameter sweeps: every point of a grid (seeds included) run on Dask, one
DataFrame back. A point's result depends only on the point, never on which
worker ran it: each task loads the experiment afresh from plain data."""
from __future__ import annotations

import copy
import itertools
import logging
import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import pandas as pd


def _set_path(data: Dict[str, Any], dotted: str, value: Any) -> None:
    """Sets spec.<dotted> (or a top-level key named explicitly with 'spec.')."""
    parts = dotted.split(".")
    if parts[0] != "spec":
        parts = ["spec"] + parts
    node = data
    for i, p in enumerate(parts[:-1]):
        nxt = node.get(p)
        if nxt is None:
            nxt = node[p] = {}
        if not isinstance(nxt, dict):
            raise ValueError(f"grid key {dotted!r}: {'.'.join(parts[:i + 1])} is not a mapping")
        node = nxt
    node[parts[-1]] = value


def _base_data(base: Any) -> Tuple[Dict[str, Any], str]:
    from . import Experiment, _native, _plain
    if isinstance(base, Experiment):
        base = base._source if isinstance(base._source, (str, os.PathLike)) else (base._source, base._base_dir)
    if isinstance(base, tuple):
        return copy.deepcopy(base[0]), base[1]
    if isinstance(base, Mapping):
        return _plain(base), os.getcwd()
    if isinstance(base, (str, os.PathLike)):
        path = os.fspath(base)
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as e:
            raise ValueError(f"{path}: {e.strerror}") from None
        docs = _native._yaml_to_data(text, path)
        if len(docs) != 1 or not isinstance(docs[0], dict):
            raise ValueError(f"{path}: expected one experiment document")
        return docs[0], os.path.dirname(os.path.abspath(path))
    raise TypeError(f"sweep() base: expected a path, a dict or an Experiment, got {type(base).__name__}")


def _run_point(task: Tuple[Dict[str, Any], str, Dict[str, Any], Optional[List[str]], Optional[Dict[str, Any]], bool]
               ) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Runs one grid point (every selected scenario); module-level so Dask can ship it.
    Returns the summary rows and, when asked, the per-job rows."""
    import aqueduct
    data, base_dir, point, scenarios, policies, with_jobs = task
    registry = None
    if policies:
        registry = aqueduct.Registry()
        for name, cls in (policies.get("score_plugins") or {}).items():
            registry.add_score_plugin(name, cls)
        for name, cls in (policies.get("eviction_policies") or {}).items():
            registry.add_eviction_policy(name, cls)
        for name, cls in (policies.get("autoscalers") or {}).items():
            registry.add_autoscaler(name, cls)
        for name, cls in (policies.get("job_policies") or {}).items():
            registry.add_job_policy(name, cls)
    exp = aqueduct.load_experiment(data, base_dir=base_dir)
    rows, jobs = [], []
    for scenario in (scenarios or exp.scenarios):
        res = exp.run(scenario, registry=registry)
        rows.append({**point, **res.summary_dict})
        if with_jobs:
            jobs.extend({**point, "scenario": scenario, **j} for j in res.jobs.to_dict("records"))
    return rows, jobs


def _add_sys_path(path: str) -> None:
    if path not in sys.path:
        sys.path.insert(0, path)


def sweep(base: Any, grid: Mapping[str, Sequence[Any]], client: Any = None, *,
          scenarios: Optional[Sequence[str]] = None, python_policies: Optional[Mapping[str, Any]] = None,
          progress: bool = True, jobs: bool = False) -> Any:
    """Runs every point of ``grid`` over ``base`` and returns one DataFrame.

    ``base``: an experiment path, dict, or Experiment. ``grid``: {dotted path under
    ``spec`` -> values}, e.g. ``{"seed": [1, 2], "policies.eviction": ["lru", "arc"]}``;
    points are the product, in the grid's order. Each point runs every scenario
    (or ``scenarios``); a row per (point, scenario): the point's values, then the
    summary. ``client``: a ``distributed.Client`` to run on (any Dask deployment);
    ``None`` starts a local cluster (2 workers, processes) for this call; ``False``
    runs in this process, one point after another. ``python_policies``:
    {"score_plugins"|"eviction_policies"|"autoscalers"|"job_policies": {name: class}}, registered
    on the workers (the classes must be picklable by Dask's cloudpickle).
    ``jobs=True`` returns ``(summaries, jobs)``: the summaries as above and one row per
    job of every run (the point's values, ``scenario``, then the jobs.csv columns).
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError("grid: expected a non-empty mapping of dotted paths to value lists")
    keys = list(grid.keys())
    for k in keys:
        vals = grid[k]
        if not isinstance(k, str) or not k:
            raise TypeError(f"grid: keys must be dotted paths (str), got {k!r}")
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Sequence) or len(vals) == 0:
            raise ValueError(f"grid[{k!r}]: expected a non-empty list of values")
    data, base_dir = _base_data(base)
    tasks = []
    for values in itertools.product(*(grid[k] for k in keys)):
        point = dict(zip(keys, values))
        d = copy.deepcopy(data)
        for k, v in point.items():
            _set_path(d, k, v)
        tasks.append((d, base_dir, point, list(scenarios) if scenarios else None,
                      dict(python_policies) if python_policies else None, bool(jobs)))
    # Fail fast, in the caller, on a point that does not load.
    from . import load_experiment
    for d, bd, point, _, _, _ in tasks:
        try:
            load_experiment(d, base_dir=bd)
        except ValueError as e:
            raise ValueError(f"grid point {point}: {e}") from None

    show = progress and sys.stderr.isatty()
    results: List[Optional[Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]]] = [None] * len(tasks)
    if client is False:
        for i, t in enumerate(tasks):
            results[i] = _run_point(t)
            if show:
                sys.stderr.write(f"\rsweep: {i + 1}/{len(tasks)} points")
    else:
        own = None
        if client is None:
            from distributed import Client, LocalCluster
            cluster = LocalCluster(n_workers=min(2, os.cpu_count() or 1), threads_per_worker=1,
                                   processes=True, dashboard_address=None, silence_logs=logging.ERROR)
            own = client = Client(cluster)
        try:
            pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            client.run(_add_sys_path, pkg_parent)
            from distributed import as_completed
            futures = client.map(_run_point, tasks, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            for n, fut in enumerate(as_completed(futures), 1):
                results[index[fut.key]] = fut.result()
                if show:
                    sys.stderr.write(f"\rsweep: {n}/{len(tasks)} points")
        finally:
            if own is not None:
                cluster = own.cluster
                own.close()
                cluster.close()
    if show:
        sys.stderr.write("\n")
    rows = [row for r in results if r for row in r[0]]
    if not jobs:
        return pd.DataFrame(rows)
    return pd.DataFrame(rows), pd.DataFrame([row for r in results if r for row in r[1]])
