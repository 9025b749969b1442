"""aqueduct.cache: the cache-sim engine from Python, over files and numpy
arrays, with built-in and Python policies, and LRU's one-pass curve."""
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")
CP = os.path.join(ROOT, "data", "traces", "cloudphysics-block-io", "cloudPhysicsIO.csv")


@pytest.fixture(scope="module")
def cache():
    import aqueduct.cache
    return aqueduct.cache


def zipf(n=100_000, keys=10_000, seed=3):
    rng = np.random.default_rng(seed)
    k = (rng.zipf(1.2, n) % keys).astype(np.uint64)
    return k, (1 + (k * 7919) % 4096).astype(np.int64)


def test_a_file_gives_what_the_cli_prints(cache):
    df = cache.replay(CP, ["lru", "arc", "s3fifo"], ["2%", "10%"], format="cloudphysics")
    out = subprocess.run([AQUEDUCT, "cache-sim", "-f", CP, "--format", "cloudphysics", "--policy",
                          "lru,arc,s3fifo", "--size", "2%,10%", "-q", "-o", "json"],
                         capture_output=True, text=True, check=True).stdout
    cli = pd.DataFrame(json.loads(out))
    pd.testing.assert_frame_equal(df[list(cli.columns)], cli)


def test_arrays_equal_the_same_trace_from_a_file(cache, tmp_path):
    keys, sizes = zipf()
    path = tmp_path / "t.csv"
    pd.DataFrame({"key": keys, "size": sizes}).to_csv(path, index=False)
    from_file = cache.replay(str(path), ["lru", "sieve"], [50_000, 500_000])
    for trace in ((keys, sizes), np.stack([keys.astype(np.int64), sizes], axis=1),
                  pd.DataFrame({"key": keys, "size": sizes})):
        got = cache.replay(trace, ["lru", "sieve"], [50_000, 500_000])
        assert got["misses"].tolist() == from_file["misses"].tolist()


def test_mrc_is_exact_and_sampled_is_close(cache):
    keys, sizes = zipf(200_000, 20_000)
    curve = cache.mrc((keys, sizes), 20)
    assert (curve["method"] == "stack").all() and len(curve) == 20
    for _, row in curve.iloc[::5].iterrows():
        one = cache.replay((keys, sizes), "lru", int(row["cache_size_bytes"]))
        assert one["misses"][0] == row["misses"]
    assert curve["miss_ratio"].is_monotonic_decreasing
    est = cache.mrc((keys, sizes), 20, sample=0.1)
    assert (est["method"] == "shards").all()
    assert (est["miss_ratio"] - curve["miss_ratio"]).abs().mean() < 0.02


def test_a_python_policy_replays_through_the_same_loop(cache):
    import aqueduct

    class Fifo(aqueduct.EvictionPolicy):
        def __init__(self):
            self.q = {}

        def on_insert(self, key, size):
            self.q[key] = size

        def on_access(self, key):
            pass

        def on_remove(self, key, evicted):
            del self.q[key]

        def victim(self):
            return next(iter(self.q))

    reg = aqueduct.Registry()
    reg.add_eviction_policy("pyfifo", Fifo)
    assert "pyfifo" in cache.policies(reg)
    keys, sizes = zipf(30_000, 3_000)
    df = cache.replay((keys, sizes), ["pyfifo", "fifo"], [20_000, 200_000], registry=reg)
    mine, builtin = df[df.policy == "pyfifo"], df[df.policy == "fifo"]
    assert mine["misses"].tolist() == builtin["misses"].tolist()

    class Broken(Fifo):
        def victim(self):
            raise RuntimeError("no victim today")

    reg.add_eviction_policy("broken", Broken)
    with pytest.raises(RuntimeError, match="no victim today"):
        cache.replay((keys, sizes), "broken", 20_000, registry=reg)


def test_bad_input_is_named(cache, tmp_path):
    with pytest.raises(ValueError, match="unknown trace format"):
        cache.replay(CP, "lru", "10%", format="cloudfysics")
    with pytest.raises(ValueError, match='unknown eviction policy "lruu"'):
        cache.replay(CP, "lruu", "10%", format="cloudphysics")
    bad = tmp_path / "bad.csv"
    bad.write_text("key,size\n1,10\n2,x\n")
    with pytest.raises(ValueError, match="bad.csv:3"):
        cache.replay(str(bad), "lru", 100)
    with pytest.raises(ValueError, match="same length"):
        cache.replay((np.arange(3), np.arange(2)), "lru", 100)
    with pytest.raises(ValueError, match="negative"):
        cache.replay((np.arange(3), np.array([1, -1, 1])), "lru", 100)
    with pytest.raises(ValueError, match="on_hit_size"):
        cache.replay((np.arange(3), np.ones(3, dtype=np.int64)), "lru", 100, on_hit_size="sometimes")
