"""Every eviction policy's miss counts equal those of an independent
implementation written here, in plain Python from the papers and libCacheSim's
conventions (capacity in bytes; on a miss the cache makes room, then admits;
an object larger than the cache is not admitted; a hit keeps the size the
object was admitted with; zero-byte requests are skipped), on the bundled
CloudPhysics and CacheLib block traces at three sizes. Nothing here is shared
with the C++ code under test."""
import collections
import heapq
import json
import os
import subprocess

import pytest

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")
TRACES = {
    "cloudphysics": os.path.join(ROOT, "data", "traces", "cloudphysics-block-io",
                                 "cloudPhysicsIO.csv"),
    "cachelib-block": os.path.join(ROOT, "data", "traces", "cachelib-sample-traces",
                                   "block_traces_1.csv"),
}
KEY = {"cloudphysics": ("lbn", "size"), "cachelib-block": ("block_id", "io_size")}


def load(fmt):
    import csv
    with open(TRACES[fmt], newline="") as f:
        rows = csv.DictReader(f)
        k, s = KEY[fmt]
        return [(r[k], int(r[s])) for r in rows]


class Cache:
    """The replay loop; subclasses decide (hit, victim, insert, remove)."""

    def __init__(self, capacity):
        self.c = capacity
        self.used = 0
        self.size = {}  # resident key -> admitted size

    def run(self, trace):
        misses = 0
        for i, (key, size) in enumerate(trace):
            if size == 0:
                continue
            self.now = i
            if key in self.size:
                self.hit(key)
                continue
            misses += 1
            self.miss(key, size)
            if size > self.c:
                continue
            while size > self.c - self.used and self.size:
                v = self.victim()
                self.used -= self.size.pop(v)
                self.evicted(v)
            self.insert(key, size)
            self.size[key] = size
            self.used += size
        return misses

    def miss(self, key, size):
        pass


class Fifo(Cache):
    def __init__(self, c):
        super().__init__(c)
        self.q = collections.OrderedDict()  # oldest first

    def hit(self, key):
        pass

    def victim(self):
        return next(iter(self.q))

    def evicted(self, key):
        del self.q[key]

    def insert(self, key, size):
        self.q[key] = True


class Lru(Fifo):
    def hit(self, key):
        self.q.move_to_end(key)


class Clock(Fifo):
    """FIFO with one reference bit: a referenced tail object is re-inserted."""

    def __init__(self, c):
        super().__init__(c)
        self.ref = {}

    def hit(self, key):
        self.ref[key] = 1

    def victim(self):
        while True:
            k = next(iter(self.q))
            if not self.ref[k]:
                return k
            self.ref[k] = 0
            self.q.move_to_end(k)

    def evicted(self, key):
        del self.q[key]
        del self.ref[key]

    def insert(self, key, size):
        self.q[key] = True
        self.ref[key] = 0


class Sieve(Cache):
    """Zhang et al., NSDI 2024: a hand moves from old to new, clearing visited bits."""

    def __init__(self, c):
        super().__init__(c)
        self.newer, self.older = {}, {}  # a doubly linked list, oldest at self.oldest
        self.oldest = self.newest = None
        self.visited = {}
        self.hand = None

    def hit(self, key):
        self.visited[key] = 1

    def victim(self):
        k = self.hand if self.hand is not None else self.oldest
        while self.visited[k]:
            self.visited[k] = 0
            k = self.newer[k] if self.newer[k] is not None else self.oldest
        self.hand = k
        return k

    def evicted(self, key):
        o, n = self.older.pop(key), self.newer.pop(key)
        if o is not None:
            self.newer[o] = n
        else:
            self.oldest = n
        if n is not None:
            self.older[n] = o
        else:
            self.newest = o
        if self.hand == key:
            self.hand = n  # the hand moves on to the next newer object
        del self.visited[key]

    def insert(self, key, size):
        self.older[key], self.newer[key] = self.newest, None
        if self.newest is not None:
            self.newer[self.newest] = key
        else:
            self.oldest = key
        self.newest = key
        self.visited[key] = 0


class Lfu(Cache):
    """Least frequently used; ties to the least recently used (a heap with
    stale entries skipped)."""

    def __init__(self, c):
        super().__init__(c)
        self.freq = {}
        self.last = {}
        self.heap = []

    def hit(self, key):
        self.freq[key] += 1
        self.last[key] = self.now
        heapq.heappush(self.heap, (self.freq[key], self.now, key))

    def victim(self):
        while True:
            f, t, k = self.heap[0]
            if self.freq.get(k) == f and self.last[k] == t:
                return k
            heapq.heappop(self.heap)

    def evicted(self, key):
        del self.freq[key]
        del self.last[key]

    def insert(self, key, size):
        self.freq[key] = 1
        self.last[key] = self.now
        heapq.heappush(self.heap, (1, self.now, key))


class TwoQ(Cache):
    """Johnson and Shasha, VLDB 1994 (full version): A1in FIFO of c/4, ghost
    A1out of c/2, Am LRU; sizes in bytes."""

    def __init__(self, c):
        super().__init__(c)
        self.a1in = collections.OrderedDict()
        self.am = collections.OrderedDict()
        self.a1out = collections.OrderedDict()  # key -> size, oldest first
        self.kin, self.kout = c // 4, c // 2
        self.in_bytes = self.out_bytes = 0

    def hit(self, key):
        if key in self.am:
            self.am.move_to_end(key)

    def victim(self):
        if self.a1in and (self.in_bytes > self.kin or not self.am):
            return next(iter(self.a1in))
        return next(iter(self.am))

    def evicted(self, key):
        if key in self.a1in:
            del self.a1in[key]
            s = self.size_of_evicted
            self.in_bytes -= s
            self.a1out[key] = s
            self.out_bytes += s
            while self.out_bytes > self.kout and self.a1out:
                _, b = self.a1out.popitem(last=False)
                self.out_bytes -= b
        else:
            del self.am[key]

    def insert(self, key, size):
        if key in self.a1out:
            self.out_bytes -= self.a1out.pop(key)
            self.am[key] = True
        else:
            self.a1in[key] = True
            self.in_bytes += size

    def run(self, trace):
        # Remember the evicted object's size for the ghost.
        orig_pop = self.size.pop

        class Sizes(dict):
            pass
        sizes = Sizes()
        outer = self

        def pop(k):
            outer.size_of_evicted = dict.pop(sizes, k)
            return outer.size_of_evicted
        sizes.pop = pop
        self.size = sizes
        return super().run(trace)


class S3Fifo(Cache):
    """Yang et al., SOSP 2023: small FIFO S (10%), main FIFO M, ghost G of keys
    evicted from S (as many bytes as M's share); a 2-bit frequency; from S an
    object read again moves to M, in M a read one is re-inserted."""

    def __init__(self, c):
        super().__init__(c)
        self.s = collections.OrderedDict()  # key -> size, oldest first
        self.m = collections.OrderedDict()
        self.g = collections.OrderedDict()
        self.freq = {}
        self.s_bytes = self.g_bytes = 0
        self.small = c // 10
        self.ghost = c - self.small

    def hit(self, key):
        self.freq[key] = min(self.freq[key] + 1, 3)

    def victim(self):
        while True:
            if self.s and (self.s_bytes >= self.small or not self.m):
                k = next(iter(self.s))
                if self.freq[k] > 1:
                    b = self.s.pop(k)
                    self.s_bytes -= b
                    self.m[k] = b
                    self.freq[k] = 0
                    continue
                return k
            k = next(iter(self.m))
            if self.freq[k] > 0:
                self.freq[k] -= 1
                self.m.move_to_end(k)
                continue
            return k

    def evicted(self, key):
        del self.freq[key]
        if key in self.s:
            b = self.s.pop(key)
            self.s_bytes -= b
            self.g[key] = b
            self.g_bytes += b
            while self.g_bytes > self.ghost and self.g:
                _, gb = self.g.popitem(last=False)
                self.g_bytes -= gb
        else:
            del self.m[key]

    def insert(self, key, size):
        self.freq[key] = 0
        if key in self.g:
            self.g_bytes -= self.g.pop(key)
            self.m[key] = size
        else:
            self.s[key] = size
            self.s_bytes += size


class Sized(collections.OrderedDict):
    """key -> size, oldest first, with the sum of the sizes kept."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __setitem__(self, k, v):
        self.bytes += v - self.get(k, 0)
        super().__setitem__(k, v)

    def pop(self, k):
        v = super().pop(k)
        self.bytes -= v
        return v

    def __delitem__(self, k):
        self.bytes -= self[k]
        super().__delitem__(k)

    def popitem(self, last=True):
        k, v = super().popitem(last=last)
        self.bytes -= v
        return k, v


class Arc(Cache):
    """Megiddo and Modha, FAST 2003, Fig. 4, with |.| in bytes and p moved by
    delta times the object's size."""

    def __init__(self, c):
        super().__init__(c)
        self.t1, self.t2 = Sized(), Sized()  # LRU first
        self.b1, self.b2 = Sized(), Sized()
        self.p = 0.0
        self.case = None

    @staticmethod
    def total(d):
        return d.bytes

    def hit(self, key):
        if key in self.t1:
            self.t2[key] = self.t1.pop(key)
        else:
            self.t2.move_to_end(key)

    def miss(self, key, size):
        self.incoming = size
        if key in self.b1:
            d = max(self.total(self.b2) / self.total(self.b1), 1.0)
            self.p = min(self.p + d * size, float(self.c))
            del self.b1[key]
            self.case = "B1"
        elif key in self.b2:
            d = max(self.total(self.b1) / self.total(self.b2), 1.0)
            self.p = max(self.p - d * size, 0.0)
            del self.b2[key]
            self.case = "B2"
        else:
            self.case = "new"
        self.no_ghost = False

    def replace(self):
        t1 = self.total(self.t1)
        if (self.t1 and (t1 > self.p or (t1 == self.p and self.case == "B2"))) or not self.t2:
            return next(iter(self.t1))
        return next(iter(self.t2))

    def victim(self):
        self.no_ghost = False
        if self.case == "new":
            if self.total(self.t1) + self.total(self.b1) + self.incoming > self.c:
                if self.b1:
                    self.b1.popitem(last=False)
                elif self.t1:
                    self.no_ghost = True
                    return next(iter(self.t1))
            elif (self.total(self.t1) + self.total(self.t2) + self.total(self.b1)
                  + self.total(self.b2) >= 2 * self.c and self.b2):
                self.b2.popitem(last=False)
        return self.replace()

    def evicted(self, key):
        if key in self.t1:
            b = self.t1.pop(key)
            if not self.no_ghost:
                self.b1[key] = b
        else:
            self.b2[key] = self.t2.pop(key)
        self.no_ghost = False

    def insert(self, key, size):
        (self.t1 if self.case == "new" else self.t2)[key] = size
        self.case = None


MODELS = {"fifo": Fifo, "lru": Lru, "clock": Clock, "sieve": Sieve, "lfu": Lfu, "2q": TwoQ,
          "s3fifo": S3Fifo, "arc": Arc}


@pytest.mark.parametrize("fmt", sorted(TRACES))
def test_every_policy_equals_an_independent_implementation(fmt):
    trace = load(fmt)
    seen = {}
    for k, s in trace:
        seen.setdefault(k, s)
    footprint = sum(seen.values())
    sizes = [footprint // 100 * p for p in (2, 10, 30)]
    out = subprocess.run([AQUEDUCT, "cache-sim", "-f", TRACES[fmt], "--format", fmt, "--policy",
                          ",".join(MODELS), "--size", ",".join(map(str, sizes)), "-q", "-o",
                          "json"], capture_output=True, text=True, check=True).stdout
    got = {(r["policy"], r["cache_size_bytes"]): r["misses"] for r in json.loads(out)}
    for name, model in MODELS.items():
        for c in sizes:
            assert got[(name, c)] == model(c).run(trace), f"{name} at {c} B on {fmt}"
