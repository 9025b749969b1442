"""Cache simulation from Python: the engine of ``aqueduct cache-sim``.

``replay`` runs eviction policies (built-in, or written in Python and added to
an ``aqueduct.Registry``) at several cache sizes over a trace file or numpy
arrays, reading the trace once; ``mrc`` gives LRU's miss-ratio curve in one
pass (exact, or sampled with SHARDS). Both return DataFrames with the columns
of ``aqueduct cache-sim -o csv`` (plus ``zero_byte_requests`` and ``method``).

    import aqueduct.cache as cache
    cache.replay("data/traces/cloudphysics-block-io/cloudPhysicsIO.csv",
                 ["lru", "s3fifo"], ["1%", "10%"], format="cloudphysics")
    cache.mrc((keys, sizes), points=50)
"""
from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _aqueduct as _native

Trace = Union[str, "os.PathLike[str]", Tuple[Any, Any], pd.DataFrame, np.ndarray]
Size = Union[int, str]

_UNITS = {"": 1, "k": 1000, "M": 1000 ** 2, "G": 1000 ** 3, "T": 1000 ** 4,
          "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4}


def policies(registry: Optional[Any] = None) -> List[str]:
    """Names of the eviction policies (the registry's, with Python ones)."""
    reg = registry if registry is not None else _native.Registry()
    return [p["name"] for p in reg.eviction_policies]


def _arrays(trace: Any) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """(keys, sizes) for in-memory traces, None for a file."""
    if isinstance(trace, (str, os.PathLike)):
        return None
    if isinstance(trace, pd.DataFrame):
        if not {"key", "size"} <= set(trace.columns):
            raise ValueError("trace: a DataFrame needs columns 'key' and 'size'")
        keys, sizes = trace["key"].to_numpy(), trace["size"].to_numpy()
    elif isinstance(trace, tuple) and len(trace) == 2:
        keys, sizes = np.asarray(trace[0]), np.asarray(trace[1])
    elif isinstance(trace, np.ndarray) and trace.ndim == 2 and trace.shape[1] == 2:
        keys, sizes = trace[:, 0], trace[:, 1]
    else:
        raise TypeError("trace: expected a path, (keys, sizes) arrays, an N x 2 array or a "
                        f"DataFrame with key and size columns, got {type(trace).__name__}")
    if keys.dtype.kind not in "iu" or sizes.dtype.kind not in "iu":
        raise ValueError("trace: keys and sizes must be integer arrays")
    if len(keys) and (sizes < 0).any():
        raise ValueError(f"trace: size {int(sizes.min())} at request "
                         f"{int(np.argmin(sizes))} is negative")
    return keys.astype(np.uint64, copy=False), sizes.astype(np.int64, copy=False)


def _footprint(trace: Any, arrays, fmt: str, key_column: str, size_column: str,
               max_requests: int) -> int:
    if arrays is None:
        return int(_native._cache_footprint(os.fspath(trace), fmt, key_column, size_column,
                                            max_requests)[1])
    keys, sizes = arrays
    if max_requests > 0:
        keys, sizes = keys[:max_requests], sizes[:max_requests]
    _, first = np.unique(keys, return_index=True)
    return int(sizes[first].sum())


def _bytes(size: Size, footprint) -> int:
    if isinstance(size, (int, np.integer)):
        if size <= 0:
            raise ValueError(f"size {size}: expected a positive number of bytes")
        return int(size)
    s = str(size).strip()
    if s.endswith("%"):
        pct = float(s[:-1])
        if not 0 < pct <= 1000:
            raise ValueError(f"size {size}: expected a percentage such as 10%")
        return max(1, int(footprint() * pct / 100))
    for unit in sorted(_UNITS, key=len, reverse=True):
        if unit and s.endswith(unit):
            return int(float(s[:-len(unit)]) * _UNITS[unit])
    return int(float(s))


def replay(trace: Trace, policies: Union[str, Sequence[str]] = "lru",
           sizes: Union[Size, Sequence[Size]] = "10%", *, format: str = "csv",
           key_column: str = "", size_column: str = "", max_requests: int = 0,
           on_hit_size: str = "keep", sample: Optional[float] = None, threads: int = 0,
           registry: Optional[Any] = None) -> pd.DataFrame:
    """Replays ``trace`` against every policy at every size, reading it once.

    ``trace``: a file (any ``cache-sim`` format; ``format`` names it), or keys
    and sizes as (keys, sizes) arrays, an N x 2 array or a DataFrame with
    ``key`` and ``size`` columns. ``sizes``: bytes (int, ``"64Mi"``) or shares
    of the footprint (``"10%"``). ``on_hit_size``: ``"keep"`` (libCacheSim's
    semantics) or ``"update"``. ``sample``: LRU's curve by SHARDS at this rate.
    ``registry``: an ``aqueduct.Registry`` holding Python policies, which run
    through the same replay loop as the built-in ones."""
    arrays = _arrays(trace)
    names = [policies] if isinstance(policies, str) else list(policies)
    size_list = [sizes] if isinstance(sizes, (int, str, np.integer)) else list(sizes)
    cached: List[int] = []

    def footprint() -> int:
        if not cached:
            cached.append(_footprint(trace, arrays, format, key_column, size_column,
                                     max_requests))
        return cached[0]

    byte_sizes = [_bytes(s, footprint) for s in size_list]
    reg = registry if registry is not None else _native.Registry()
    source = arrays if arrays is not None else os.fspath(trace)
    rows = _native._cache_replay(source, format, key_column, size_column, max_requests, names,
                                 byte_sizes, on_hit_size, 1.0 if sample is None else sample,
                                 threads, reg)
    return pd.DataFrame(rows, columns=["policy", "cache_size_bytes", "requests", "misses",
                                       "miss_ratio", "byte_miss_ratio", "zero_byte_requests",
                                       "method"])


def mrc(trace: Trace, sizes: Union[int, Sequence[Size]] = 100, *, sample: Optional[float] = None,
        **kwargs: Any) -> pd.DataFrame:
    """LRU's miss-ratio curve in one pass: at ``sizes`` (a list), or at that
    many sizes evenly spaced from 1% to 100% of the footprint (an int). Exact
    (equal to one replay per size) unless ``sample`` asks for SHARDS."""
    if isinstance(sizes, (int, np.integer)):
        if sizes < 2:
            raise ValueError("sizes: at least 2 points")
        sizes = [f"{100 * (k + 1) / sizes}%" for k in range(int(sizes))]
    return replay(trace, "lru", sizes, sample=sample, **kwargs)
