# Type stubs for the `aqueduct` package (the compiled part is _aqueduct).
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from ._policies import Autoscaler as Autoscaler
from ._policies import EvictionPolicy as EvictionPolicy
from ._policies import ScorePlugin as ScorePlugin

__version__: str
__commit__: str

Source = Union[str, os.PathLike[str], Mapping[str, Any]]
Progress = Union[None, bool, Callable[[float, float, int], None]]

class PodView:
    name: str
    namespace: str
    labels: Dict[str, str]
    cpu_milli: int
    memory_bytes: int
    gpu_milli: int
    datasets: List[str]

class NodeView:
    name: str
    labels: Dict[str, str]
    arch: str
    kind: str
    zone: str
    region: str
    price_per_hour: float
    io_utilization: float
    pod_count: int
    cpu_milli_free: int
    memory_bytes_free: int
    gpu_milli_free: int
    cpu_milli_allocatable: int
    gpu_milli_allocatable: int

class Registry:
    def __init__(self) -> None: ...
    def add_score_plugin(self, name: str, cls: Callable[..., Any], description: str = ...) -> None: ...
    def add_eviction_policy(self, name: str, cls: Callable[[], Any], description: str = ...) -> None: ...
    def add_autoscaler(self, name: str, cls: Callable[..., Any], description: str = ...) -> None: ...
    @property
    def plugins(self) -> List[Dict[str, str]]: ...
    @property
    def eviction_policies(self) -> List[Dict[str, str]]: ...
    @property
    def autoscalers(self) -> List[Dict[str, str]]: ...

class Results:
    @property
    def jobs(self) -> pd.DataFrame: ...
    @property
    def timeseries(self) -> pd.DataFrame: ...
    @property
    def scaling(self) -> pd.DataFrame: ...
    @property
    def summary(self) -> pd.DataFrame: ...
    @property
    def summary_dict(self) -> Dict[str, Any]: ...

class Experiment:
    @property
    def name(self) -> str: ...
    @property
    def scenarios(self) -> List[str]: ...
    @property
    def seed(self) -> int: ...
    def run(self, scenario: Optional[str] = ..., *, progress: Progress = ...,
            registry: Optional[Registry] = ..., seed: Optional[int] = ...) -> Results: ...
    def run_all(self, *, progress: Progress = ..., registry: Optional[Registry] = ...) -> Dict[str, Results]: ...
    def with_policies(self, *, scheduler: Optional[str] = ..., score_plugins: Optional[Mapping[str, int]] = ...,
                      eviction: Optional[str] = ..., autoscaler: Optional[str] = ...,
                      autoscaler_args: Optional[Mapping[str, Any]] = ...,
                      injection: Optional[str] = ...) -> Experiment: ...

def load_experiment(source: Source, *, base_dir: Optional[str] = ..., lenient: bool = ...) -> Experiment: ...
def plugins() -> List[Dict[str, str]]: ...
def eviction_policies() -> List[Dict[str, str]]: ...
def autoscalers() -> List[Dict[str, str]]: ...
def scheduler_presets() -> List[str]: ...
def sweep(base: Union[Source, Experiment], grid: Mapping[str, Sequence[Any]], client: Any = ..., *,
          scenarios: Optional[Sequence[str]] = ..., python_policies: Optional[Mapping[str, Any]] = ...,
          progress: bool = ...) -> pd.DataFrame: ...
