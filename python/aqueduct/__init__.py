"""Aqueduct from Python: load an experiment, run it, get pandas DataFrames.

    import aqueduct
    exp = aqueduct.load_experiment("examples/quickstart/experiment.yaml")
    res = exp.run("cache")
    res.jobs.jct_s.describe()
    aqueduct.plots.jct_cdf({"cache": res})

The files ``aqueduct sim run`` writes read back with ``aqueduct.read_run(OUT)``
into the same Results (``aqueduct schema`` lists every column).

Policies can be written in Python (``ScorePlugin``, ``EvictionPolicy``,
``Autoscaler``, ``JobPolicy``), registered in a ``Registry`` and used by name; parameter
sweeps run on Dask with ``aqueduct.sweep``. See docs/python.md.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

import pandas as pd

from . import _aqueduct as _native
from ._aqueduct import NodeView, PodView, Registry
from ._policies import Autoscaler, EvictionPolicy, JobPolicy, ScorePlugin
from ._progress import progress_callback
from ._results import Results, from_native, read_results, read_run, schema


def __getattr__(name: str) -> Any:
    # aqueduct.plots imports matplotlib: only when first used.
    if name == "plots":
        import importlib
        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'aqueduct' has no attribute {name!r}")

__version__: str = _native.__version__
#: The git commit the extension was built from ("-dirty" if modified; "unknown" outside git).
__commit__: str = _native.__commit__

__all__ = [
    "Autoscaler", "EvictionPolicy", "Experiment", "JobPolicy", "NodeView", "PodView", "Registry", "Results",
    "ScorePlugin", "autoscalers", "eviction_policies", "job_policies", "load_experiment", "plots", "plugins",
    "read_results", "read_run", "scheduler_presets", "schema", "sweep",
]

Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class Experiment:
    """A loaded experiment: its scenarios, ready to run."""

    def __init__(self, native: Any, source: Any, base_dir: Optional[str]) -> None:
        self._native = native
        self._source = source
        self._base_dir = base_dir

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def scenarios(self) -> List[str]:
        return list(self._native.scenarios)

    @property
    def seed(self) -> int:
        return self._native.seed

    def run(self, scenario: Optional[str] = None, *, progress: Any = None,
            registry: Optional[Registry] = None, seed: Optional[int] = None) -> Results:
        """Runs one scenario (the first by default) and returns its Results.

        The simulation runs without the GIL. ``progress`` is a callable
        ``(fraction, simulated_s, events)``, ``True`` for a bar (tqdm in a notebook
        when installed, a text line on a terminal), or ``None``/``False`` for none.
        ``registry`` resolves policy names (built-ins plus Python policies). An
        exception raised by a Python policy or by ``progress`` stops the run and
        is re-raised here with its traceback.
        """
        if scenario is not None and not isinstance(scenario, str):
            raise TypeError(f"scenario: expected a str, got {type(scenario).__name__}")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
        if registry is not None and not isinstance(registry, Registry):
            raise TypeError(f"registry: expected an aqueduct.Registry, got {type(registry).__name__}")
        label = scenario or (self.scenarios[0] if self.scenarios else "")
        with progress_callback(progress, f"{self.name}/{label}") as cb:
            raw = self._native.run(scenario, cb, registry, seed)
        return from_native(raw)

    def run_all(self, *, progress: Any = None, registry: Optional[Registry] = None) -> Dict[str, Results]:
        """Runs every scenario, in order; returns {scenario: Results}."""
        return {s: self.run(s, progress=progress, registry=registry) for s in self.scenarios}

    def with_policies(self, *, scheduler: Optional[str] = None,
                      score_plugins: Optional[Mapping[str, int]] = None,
                      eviction: Optional[str] = None, autoscaler: Optional[str] = None,
                      autoscaler_args: Optional[Mapping[str, Any]] = None,
                      injection: Optional[str] = None, job_policy: Optional[str] = None,
                      job_policy_args: Optional[Mapping[str, Any]] = None,
                      job_round_s: Optional[float] = None) -> "Experiment":
        """A copy with policies replaced in every scenario: ``scheduler`` (a preset),
        ``score_plugins`` ({name: weight} added to the profile), ``eviction``,
        ``autoscaler`` (+ ``autoscaler_args``), ``injection`` ("none" or "fluid"),
        ``job_policy`` (+ ``job_policy_args``, ``job_round_s``: seconds between rounds).
        Names are checked against the registry when the experiment runs."""
        args = None if autoscaler_args is None else {str(k): str(v) for k, v in autoscaler_args.items()}
        jargs = None if job_policy_args is None else {str(k): str(v) for k, v in job_policy_args.items()}
        native = self._native.with_policies(scheduler, None if score_plugins is None else dict(score_plugins),
                                            eviction, autoscaler, args, injection, job_policy, jargs,
                                            job_round_s)
        return Experiment(native, self._source, self._base_dir)

    def __repr__(self) -> str:
        return f"<Experiment {self.name}: scenarios {', '.join(self.scenarios)}>"


def load_experiment(source: Source, *, base_dir: Optional[str] = None,
                    lenient: bool = False) -> Experiment:
    """Loads an experiment from a YAML file or from a dict of the same shape.

    Relative paths inside a dict (traces, Fluid files) resolve against
    ``base_dir`` (default: the current directory). Problems raise ValueError
    naming the field (``<dict>: error: spec.seed: ...``); an unknown field is
    such an error (with the closest known name) unless ``lenient``, when it is a
    warning; warnings become Python warnings.
    """
    if isinstance(source, Mapping):
        data = _plain(source)
        native = _native._load_experiment(data, base_dir, lenient)
        return Experiment(native, data, base_dir or os.getcwd())
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise ValueError(f"{path}: no such experiment file")
        native = _native._load_experiment(path, None, lenient)
        return Experiment(native, path, os.path.dirname(os.path.abspath(path)))
    raise TypeError(f"load_experiment() expects a path or a dict, got {type(source).__name__}")


def _plain(obj: Any) -> Any:
    """Mappings and sequences as plain dicts and lists (for JSON)."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def plugins() -> List[Dict[str, str]]:
    """The built-in scheduler plugins: [{'name', 'description'}]."""
    return Registry().plugins


def eviction_policies() -> List[Dict[str, str]]:
    """The built-in eviction policies: [{'name', 'description'}]."""
    return Registry().eviction_policies


def autoscalers() -> List[Dict[str, str]]:
    """The built-in autoscalers and their arguments: [{'name', 'description'}]."""
    return Registry().autoscalers


def job_policies() -> List[Dict[str, str]]:
    """The built-in job-level policies: [{'name', 'description'}]."""
    return Registry().job_policies


def scheduler_presets() -> List[str]:
    """Scheduler profile presets for ``with_policies(scheduler=...)``."""
    return list(_native._scheduler_presets())


from ._sweep import sweep  # noqa: E402  (needs the names above)
