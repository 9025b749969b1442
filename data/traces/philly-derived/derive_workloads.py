#!/usr/bin/env python3
"""Derives the Philly workloads used by examples/jobs (generic-csv, jobs without
input data) from the bundled Philly-derived files, deterministically:

- arrivals and GPU counts: Gavel's per-VC traces of Philly (gavel_msr_seed0/),
  each VC's arrival times normalised to its own span and stretched to a common
  span, the VCs merged by arrival;
- run times: drawn from the run times of real Philly jobs
  (alibaba_philly_runtime.csv; median 1,186 s, mean 14,614 s), with a seeded
  Mersenne Twister, one draw per job in merged order (zero run times skipped);
- the common span is chosen so that the jobs offer `load` x the cluster's
  GPU-seconds over it.

Gavel's own job lengths (total_steps over its throughput table) are days long
for most jobs; Tiresias' evaluation used Philly's real run-time distribution,
where most jobs are minutes long and a few run for weeks.

    /usr/bin/python3 data/traces/philly-derived/derive_workloads.py   # rewrites both files
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
VCS = ["6214e9", "11cb48", "6c71a0", "b436b2", "ee9e8c", "0e4a51", "2869ce"]

# (output file, number of jobs, cluster GPUs, offered load, seed)
WORKLOADS = [
    ("philly_10k_256gpu.csv", 10000, 256, 0.9, 1),
    ("philly_480_60gpu.csv", 480, 60, 0.9, 2),
]


def read_vc(vc):
    with open(os.path.join(HERE, "gavel_msr_seed0", vc + ".csv"), newline="") as f:
        rows = [(float(r["arrival_time_s"]), int(r["num_gpus"])) for r in csv.DictReader(f)]
    span = max(a for a, _ in rows) or 1.0
    return [(a / span, g, vc, i) for i, (a, g) in enumerate(rows)]


def runtimes():
    with open(os.path.join(HERE, "alibaba_philly_runtime.csv"), newline="") as f:
        return [float(r["runtime"]) for r in csv.DictReader(f) if float(r["runtime"]) > 0]


def derive(name, jobs, gpus, load, seed):
    merged = sorted((x for vc in VCS for x in read_vc(vc)), key=lambda x: (x[0], x[2], x[3]))
    merged = [x for x in merged if x[1] <= gpus][:jobs]
    pool = runtimes()
    rng = random.Random(seed)
    lengths = [pool[int(rng.random() * len(pool))] for _ in merged]
    work = sum(g * d for (_, g, _, _), d in zip(merged, lengths))
    span = work / (load * gpus)
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["job_id", "arrival_s", "gpus", "duration_s"])
        for (t, g, vc, i), d in zip(merged, lengths):
            w.writerow([f"{vc}-{i}", round(t * span), g, round(d)])


if __name__ == "__main__":
    for spec in WORKLOADS:
        derive(*spec)
