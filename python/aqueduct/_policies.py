"""Base classes for policies written in Python. Subclass, implement the
methods, and add the class to an ``aqueduct.Registry``."""
from __future__ import annotations

from typing import Any, Dict, Hashable, List, Tuple, Union

Key = Tuple[int, int]  # (dataset id, block index)


class ScorePlugin:
    """A scheduler Score plugin: ``score(pod, node)`` returns an int for each
    feasible node; ``normalize(scores)`` maps them into 0..100 (the default
    clamps). ``pod`` and ``node`` are ``PodView``/``NodeView`` objects, valid
    during the call only."""

    def score(self, pod: Any, node: Any) -> int:
        raise NotImplementedError("ScorePlugin.score() must be implemented")


class EvictionPolicy:
    """A cache eviction policy, one instance per cache tier. The cache tells it
    about inserts, hits and removals, and asks ``victim()`` for the block to
    evict; keys are (dataset, block) tuples."""

    def set_capacity(self, capacity_bytes: int) -> None:
        pass

    def on_insert(self, key: Key, size: int) -> None:
        raise NotImplementedError("EvictionPolicy.on_insert() must be implemented")

    def on_access(self, key: Key) -> None:
        raise NotImplementedError("EvictionPolicy.on_access() must be implemented")

    def on_remove(self, key: Key, evicted: bool) -> None:
        raise NotImplementedError("EvictionPolicy.on_remove() must be implemented")

    def victim(self) -> Key:
        raise NotImplementedError("EvictionPolicy.victim() must be implemented")


class Autoscaler:
    """A cache-runtime autoscaler: ``decide(metrics)`` gets a dict (now_s,
    replicas, ready_replicas, capacity_bytes, used_bytes, dataset_bytes,
    worker_capacity_bytes, hit_ratio, demand_bps, shortfall_bps,
    active_readers, worker_cost_per_hour) every period and returns the desired
    replicas, or (replicas, reason)."""

    def decide(self, metrics: Dict[str, Union[int, float]]) -> Union[int, Tuple[int, str]]:
        raise NotImplementedError("Autoscaler.decide() must be implemented")


class JobPolicy:
    """A job-level policy: which jobs run and which running jobs to preempt.
    ``decide(snapshot)`` is called on every arrival, completion and round
    (``policies.jobs.round``) with a dict: now_s, trigger ("arrival",
    "completion", "round", "wake"), total_gpus, free_gpus, gpu_types (a list
    of dicts name, total, free: the nodes' aqueduct.io/gpu-type), datasets
    (a list of dicts dataset, size_bytes, cache_bytes, cached_bytes, full_bytes: the
    datasets with a cache), cache_budget_bytes, store_bandwidth_bps and jobs, a
    list of dicts in arrival order (id, status "queued"/"running"/"suspending",
    arrival_s, gpus, pods, dataset, attained_gpu_s, executed_s, progress,
    duration_s or None, queued_since_s, preemptions, io_demand_bps, gpu_type
    of the nodes it holds, speed_by_type: its speed on each GPU type). It
    returns the run order (a list of job ids, highest priority first: queued
    jobs start in this order while they fit) or a dict with ``run_order``,
    ``preempt`` (running jobs to stop), ``wake_at_s`` (when to be called
    again even if nothing happens), ``in_order`` (True: the first queued
    job that cannot be placed stops the ones after it; no backfilling),
    ``gpu_type`` (job id -> the GPU type a queued job must start on) and
    ``cache_bytes`` (dataset -> its cache's new capacity in bytes; all
    together within cache_budget_bytes)."""

    def decide(self, snapshot: Dict[str, Any]) -> Union[List[str], Dict[str, Any]]:
        raise NotImplementedError("JobPolicy.decide() must be implemented")
