#!/usr/bin/python3
"""Python-side benchmarks (run with PYTHONPATH=build/python):
1. a Python score plugin vs the same plugin in C++ (the Cost plugin), per
   scoring decision, on examples/scheduling/alibaba-locality.yaml (first scenario);
2. a Python job policy (examples/jobs/las_policy.py, Tiresias' 2D-LAS) vs the
   built-in las, per decision, on examples/jobs/tiresias.yaml (las-2q);
3. a 16-point sweep (4 seeds x 4 eviction policies) of
   examples/serverless/burst.yaml (eci-cache) sequentially in this process vs
   on a local Dask cluster of 2 worker processes.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py
"""
import logging
import os
import sys
import time

import aqueduct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PyCost(aqueduct.ScorePlugin):
    calls = 0

    def score(self, pod, node):
        PyCost.calls += 1
        return int(node.price_per_hour * 1000)

    def normalize(self, scores):
        m = max(scores) if scores else 0
        return [100 - (s * 100 // m if m > 0 else 0) for s in scores]


def best_of(n, fn):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def plugin_overhead():
    exp = aqueduct.load_experiment(os.path.join(ROOT, "examples", "scheduling", "alibaba-locality.yaml"))
    scenario = exp.scenarios[0]
    reg = aqueduct.Registry()
    reg.add_score_plugin("PyCost", PyCost)
    cpp = exp.with_policies(score_plugins={"Cost": 3})
    py = exp.with_policies(score_plugins={"PyCost": 3})
    t_cpp = best_of(7, lambda: cpp.run(scenario, registry=reg))
    PyCost.calls = 0
    py.run(scenario, registry=reg)
    calls = PyCost.calls
    t_py = best_of(7, lambda: py.run(scenario, registry=reg))
    same = cpp.run(scenario, registry=reg).jobs.equals(py.run(scenario, registry=reg).jobs)
    print(f"score plugin: C++ run {t_cpp:.3f}s, Python run {t_py:.3f}s, {calls} score calls "
          f"-> {(t_py - t_cpp) / calls * 1e6:.2f} us extra per decision (same results: {same})")


def job_policy_overhead():
    sys.path.insert(0, os.path.join(ROOT, "examples", "jobs"))
    from las_policy import PyLas

    class Counted(PyLas):
        calls = 0

        def decide(self, s):
            Counted.calls += 1
            return super().decide(s)

    exp = aqueduct.load_experiment(os.path.join(ROOT, "examples", "jobs", "tiresias.yaml"))
    reg = aqueduct.Registry()
    reg.add_job_policy("py-las", Counted)
    py = exp.with_policies(job_policy="py-las")
    t_cpp = best_of(7, lambda: exp.run("las-2q", registry=reg))
    Counted.calls = 0
    py.run("las-2q", registry=reg)
    calls = Counted.calls
    t_py = best_of(7, lambda: py.run("las-2q", registry=reg))
    same = exp.run("las-2q").jobs.equals(py.run("las-2q", registry=reg).jobs)
    print(f"job policy: C++ run {t_cpp:.3f}s, Python run {t_py:.3f}s, {calls} decisions "
          f"-> {(t_py - t_cpp) / calls * 1e6:.1f} us extra per decision (same results: {same})")


def sweep_speed():
    path = os.path.join(ROOT, "examples", "serverless", "burst.yaml")
    grid = {"seed": [1, 2, 3, 4], "policies.eviction": ["lru", "fifo", "s3fifo", "arc"]}
    t = time.perf_counter()
    seq = aqueduct.sweep(path, grid, client=False, scenarios=["eci-cache"], progress=False)
    t_seq = time.perf_counter() - t
    from distributed import Client, LocalCluster
    t = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    t_start = time.perf_counter() - t
    t = time.perf_counter()
    par = aqueduct.sweep(path, grid, client=client, scenarios=["eci-cache"], progress=False)
    t_par = time.perf_counter() - t
    client.close()
    cluster.close()
    print(f"16-point sweep: sequential {t_seq:.2f}s; Dask 2 workers {t_par:.2f}s "
          f"(+{t_start:.2f}s cluster start) -> {t_seq / t_par:.2f}x ({t_seq / (t_par + t_start):.2f}x "
          f"with start); identical frames: {seq.equals(par)}")


if __name__ == "__main__":
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    plugin_overhead()
    job_policy_overhead()
    sweep_speed()
