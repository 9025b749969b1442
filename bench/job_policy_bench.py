#!/usr/bin/env python3
"""Job-level policies side by side with Tiresias' own simulator, on the same
trace and cluster, interleaved (ours, theirs, ours, theirs ...), twice each.

For each policy pair (Aqueduct scenario, Tiresias --schedule) it reports mean
JCT of both and the wall and CPU seconds of both runs. Tiresias' simulator is
Python 2 code; give a copy converted with `python3 -m lib2to3 -w -n` and
`sys.maxint` -> `sys.maxsize` (it stays outside this repository):

    /usr/bin/python3 bench/job_policy_bench.py --tiresias /path/to/Tiresias/simulator \\
        [--trace data/traces/philly-derived/philly_10k_256gpu.csv --nodes 32 --gpus 8]

Like for like: both count GPUs only (one node holding all GPUs here, Tiresias'
"count" placement) and preemption is free (Tiresias models no checkpoint).
Without --tiresias only Aqueduct runs.
"""
import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIRS = [("yarn-cs", "fifo"), ("fifo-backfill", "fjf"), ("srtf", "shortest-gpu"), ("las-2q", "dlas-gpu")]
JOBS = {
    "yarn-cs": '{policy: fifo, args: {backfill: "false"}}',
    "fifo-backfill": "{policy: fifo}",
    "srtf": "{policy: srtf}",
    "las-2q": "{policy: las}",
}


def timed(cmd, cwd=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def experiment(trace, gpus, jobs):
    return f"""apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {{name: bench}}
spec:
  sampleInterval: 24h
  cluster:
    nodePools: [{{name: all, count: 1, cpu: "{gpus * 4}", memory: {gpus * 64}Gi, gpu: {gpus}, maxPods: 100000}}]
  workload:
    trace: {{file: {trace}, reader: generic-csv}}
    maxGpusPerPod: {gpus}
    applications: {{train: {{computePerGpu: 100MiB/s, cpuPerGpu: "1", memoryPerGpu: 1Gi}}}}
    defaultApplication: train
  policies:
    jobs: {jobs}
"""


def tiresias_trace(src, dst):
    rows = list(csv.DictReader(open(src)))
    with open(dst, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["job_id", "num_gpu", "submit_time", "iterations", "model_name", "duration", "interval"])
        for i, r in enumerate(rows):
            t = int(r["arrival_s"])
            nxt = int(rows[i + 1]["arrival_s"]) if i + 1 < len(rows) else t
            w.writerow([i, r["gpus"], t, 1000, "resnet50", int(r["duration_s"]), nxt - t])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aqueduct", default=os.path.join(ROOT, "build", "cli", "aqueduct"))
    ap.add_argument("--tiresias", help="Tiresias' simulator folder (run_sim.py), converted to Python 3")
    ap.add_argument("--trace", default=os.path.join(ROOT, "data", "traces", "philly-derived", "philly_10k_256gpu.csv"))
    ap.add_argument("--nodes", type=int, default=32)
    ap.add_argument("--gpus", type=int, default=8, help="GPUs per node")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    gpus = args.nodes * args.gpus
    work = tempfile.mkdtemp(prefix="job-policy-bench-")
    if args.tiresias:
        tiresias_trace(args.trace, os.path.join(work, "trace.csv"))
        with open(os.path.join(work, "cluster.csv"), "w") as f:
            f.write("num_switch,num_node_p_switch,num_gpu_p_node,num_cpu_p_node,mem_p_node\n")
            f.write(f"1,{args.nodes},{args.gpus},{args.gpus * 8},{args.gpus * 64}\n")
    print(f"{os.path.basename(args.trace)}: {gpus} GPUs, {args.repeat} interleaved runs each")
    print(f"{'policy':<14} {'ours mean JCT':>14} {'wall s':>8} {'CPU s':>7}   "
          f"{'Tiresias sched':<14} {'mean JCT':>10} {'wall s':>8} {'CPU s':>7} {'wall ratio':>10}")
    for ours, theirs in PAIRS:
        yaml = os.path.join(work, ours + ".yaml")
        with open(yaml, "w") as f:
            f.write(experiment(os.path.abspath(args.trace), gpus, JOBS[ours]))
        o_runs, t_runs = [], []
        for _ in range(args.repeat):
            out = os.path.join(work, "out-" + ours)
            o_runs.append(timed([args.aqueduct, "sim", "run", "-f", yaml, "--out", out, "--no-plots",
                                 "--force", "-q", "--no-progress"]))
            o_jct = mean(float(r["jct_s"]) for r in csv.DictReader(open(os.path.join(out, "default", "jobs.csv"))))
            if args.tiresias:
                log = os.path.join(work, "tiresias-" + theirs)
                t_runs.append(timed([sys.executable, "run_sim.py", "--cluster_spec=" + os.path.join(work, "cluster.csv"),
                                     "--scheme=count", "--trace_file=" + os.path.join(work, "trace.csv"),
                                     "--schedule=" + theirs, "--log_path=" + log], cwd=args.tiresias))
                t_jct = mean(float(r["JCT"]) for r in csv.DictReader(open(os.path.join(log, "job.csv"))))
        ow = min(w for w, _ in o_runs)
        oc = min(c for _, c in o_runs)
        line = f"{ours:<14} {o_jct:>14.0f} {ow:>8.2f} {oc:>7.2f}   "
        if t_runs:
            tw = min(w for w, _ in t_runs)
            tc = min(c for _, c in t_runs)
            line += f"{theirs:<14} {t_jct:>10.0f} {tw:>8.2f} {tc:>7.2f} {tw / ow:>9.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
