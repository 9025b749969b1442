#!/usr/bin/env python3
"""`aqueduct cache-sim` against libCacheSim's `cachesim`, end to end, in one
run: the same trace file (libCacheSim's oracleGeneral binary), the same cache
size, every policy both have, each run alternating ours and theirs, two rounds.
Reports wall and CPU seconds, peak memory (max RSS) and the miss ratio each
prints, and the LRU miss-ratio curve at 100 sizes against one LRU replay.

libCacheSim is built from its public source when --libcachesim-src (or
$LIBCACHESIM_SRC) names a checkout of https://github.com/1a1a11a/libCacheSim
(it needs libglib2.0-dev and libzstd-dev); without one, only Aqueduct's
figures are printed, and the script says so.

  /usr/bin/python3 bench/cache_sim_vs_libcachesim.py [--requests 10000000]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")
# Aqueduct's name -> libCacheSim's.
POLICIES = {"lru": "lru", "fifo": "fifo", "clock": "clock", "sieve": "sieve", "arc": "arc",
            "lfu": "lfu", "s3fifo": "s3fifo", "2q": "twoq"}


def zipf_trace(path, requests, objects=1_000_000, alpha=1.0, seed=7):
    """A Zipf(alpha) trace over `objects` objects of 1-64 KiB, as oracleGeneral
    records (u32 time, u64 id, u32 size, i64 next access = -1)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, objects + 1) ** alpha
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    ids = rng.permutation(objects).astype(np.uint64)[np.searchsorted(cdf, rng.random(requests))]
    rec = np.zeros(requests, dtype=[("t", "<u4"), ("id", "<u8"), ("sz", "<u4"), ("nx", "<i8")])
    rec["t"] = np.arange(requests) // 1000
    rec["id"] = ids
    rec["sz"] = 1024 + (ids * np.uint64(2654435761)) % np.uint64(63 * 1024)
    rec["nx"] = -1
    rec.tofile(path)
    uniq, idx = np.unique(ids, return_index=True)
    footprint = int(rec["sz"][idx].astype(np.int64).sum())
    return footprint


def run(cmd, cwd=None):
    """Wall seconds, CPU seconds (user + system), max RSS in MiB and stdout.
    Runs in `cwd` (a scratch directory): libCacheSim writes a result file into
    its working directory."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=cwd)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def build_libcachesim(src):
    build = os.path.join(src, "_build")
    binary = os.path.join(build, "bin", "cachesim")
    if not os.path.exists(binary):
        print(f"building libCacheSim in {build} ...", file=sys.stderr)
        subprocess.run(["cmake", "-S", src, "-B", build, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release", "-DENABLE_TESTS=OFF"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", build, "cachesim"], check=True, stdout=subprocess.DEVNULL)
    return binary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--libcachesim-src", default=os.environ.get("LIBCACHESIM_SRC", ""))
    ap.add_argument("--trace", default="/tmp/aqueduct-zipf.oracleGeneral.bin")
    ap.add_argument("--policies", default=",".join(POLICIES))
    args = ap.parse_args()
    args.trace = os.path.abspath(args.trace)
    scratch = tempfile.TemporaryDirectory(prefix="cache-sim-vs-libcachesim-")
    # In a child process, so that this one stays small: a forked child's peak
    # memory counts what it inherited.
    footprint = int(subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import "
         "cache_sim_vs_libcachesim as b; print(b.zipf_trace(%r, %d))"
         % (os.path.dirname(os.path.abspath(__file__)), args.trace, args.requests)],
        check=True, capture_output=True, text=True).stdout)
    size = footprint // 10
    theirs = None
    if args.libcachesim_src and os.path.isdir(args.libcachesim_src):
        theirs = build_libcachesim(args.libcachesim_src)
    else:
        print("libCacheSim: no checkout given (--libcachesim-src or $LIBCACHESIM_SRC); only "
              "Aqueduct's figures follow", file=sys.stderr)
    print(f"trace: {args.requests:,} requests, Zipf 1.0 over 1M objects of 1-64 KiB; cache "
          f"{size:,} B (10% of the footprint); {os.cpu_count()} cores\n")
    print("| policy | round | Aqueduct wall s | CPU s | max RSS MiB | miss ratio | "
          "libCacheSim wall s | CPU s | max RSS MiB | miss ratio | time ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}  # policy -> [(wall ratio, CPU ratio)] over rounds
    for rnd in range(1, args.rounds + 1):
        for ours in args.policies.split(","):
            w, c, m, out = run([AQUEDUCT, "cache-sim", "-f", args.trace, "--format",
                                "oracleGeneral", "--policy", ours, "--size", str(size), "-q",
                                "-o", "csv"])
            mr = float(out.strip().splitlines()[-1].split(",")[4])
            row = f"| {ours} | {rnd} | {w:.2f} | {c:.2f} | {m:.0f} | {mr:.4f} |"
            if theirs:
                tw, tc, tm, tout = run([theirs, args.trace, "oracleGeneralBin", POLICIES[ours],
                                        str(size)], cwd=scratch.name)
                tmr = re.search(r"miss ratio (\d+\.\d+)", tout)
                row += (f" {tw:.2f} | {tc:.2f} | {tm:.0f} | "
                        f"{float(tmr.group(1)) if tmr else float('nan'):.4f} | {w / tw:.2f} |")
                ratios.setdefault(ours, []).append((w / tw, c / tc))
            else:
                row += " - | - | - | - | - |"
            print(row, flush=True)
    if ratios:
        # Each round's pair ran back to back; the median over rounds damps a
        # round that a busy neighbour slowed on one side only.
        print("\n| policy | median time ratio (wall) | median CPU ratio | rounds |\n|---|---|---|---|")
        for ours, rs in ratios.items():
            print(f"| {ours} | {statistics.median(r[0] for r in rs):.2f} | "
                  f"{statistics.median(r[1] for r in rs):.2f} | {len(rs)} |")
    # The LRU miss-ratio curve at 100 sizes (exact, and SHARDS at 1%) against
    # one LRU replay at 10% and at 100% of the footprint.
    sizes = ",".join(str(footprint * k // 100) for k in range(1, 101))
    print("\n| run | round | wall s | CPU s | max RSS MiB |\n|---|---|---|---|---|")
    base = [AQUEDUCT, "cache-sim", "-f", args.trace, "--format", "oracleGeneral", "--policy",
            "lru", "-q", "-o", "csv", "--size"]
    curve = {}  # (run, round) -> (wall, CPU)
    for rnd in range(1, args.rounds + 1):
        for key, label, extra in (
                ("10%", "one LRU replay, 10% of the footprint", [str(size)]),
                ("100%", "one LRU replay, 100% of the footprint", [str(footprint)]),
                ("exact", "exact LRU curve, 100 sizes", [sizes]),
                ("shards", "SHARDS LRU curve at rate 0.01, 100 sizes", [sizes, "--sample", "0.01"])):
            w, c, m, _ = run(base + extra)
            curve[(key, rnd)] = (w, c)
            print(f"| {label} | {rnd} | {w:.2f} | {c:.2f} | {m:.0f} |", flush=True)
    # The exact curve's time over one replay's, within each round.
    print("\n| exact curve / one LRU replay | median wall ratio | median CPU ratio | rounds |\n"
          "|---|---|---|---|")
    for label, key in (("replay at 10% of the footprint", "10%"),
                       ("replay at 100% of the footprint", "100%")):
        pairs = [(curve[("exact", r)], curve[(key, r)]) for r in range(1, args.rounds + 1)]
        print(f"| {label} | {statistics.median(a[0] / b[0] for a, b in pairs):.2f} | "
              f"{statistics.median(a[1] / b[1] for a, b in pairs):.2f} | {args.rounds} |")

if __name__ == "__main__":
    main()
