"""Tiresias' discretized 2D-LAS as a Python job policy: the twin of the
built-in "las" (core/src/jobs/priority_policies.cc), decision for decision.

    reg = aqueduct.Registry()
    reg.add_job_policy("py-las", PyLas)
    exp.with_policies(job_policy="py-las").run(registry=reg)
"""
import bisect
import math

import aqueduct


class PyLas(aqueduct.JobPolicy):
    def __init__(self, args=None):
        args = args or {}
        self.thresholds = [float(t) for t in args.get("thresholds", "3600").split(",")]

    def decide(self, s):
        jobs = s["jobs"]
        queue = [bisect.bisect_right(self.thresholds, j["attained_gpu_s"]) for j in jobs]
        order = sorted(range(len(jobs)), key=lambda i: (queue[i], jobs[i]["arrival_s"]))
        room = s["total_gpus"] - sum(j["gpus"] for j in jobs if j["status"] == "suspending")
        run, keep = [], set()
        for i in order:  # the running set: by priority, while GPUs last
            j = jobs[i]
            if j["status"] != "suspending" and j["gpus"] <= room:
                room -= j["gpus"]
                keep.add(i)
                run.append(j["id"])
        preempt = [j["id"] for i, j in enumerate(jobs) if j["status"] == "running" and i not in keep]
        # Called back when a running job reaches its next threshold.
        wake = math.inf
        for i, j in enumerate(jobs):
            if j["status"] == "running" and queue[i] < len(self.thresholds) and j["gpus"] > 0:
                wake = min(wake, s["now_s"] + (self.thresholds[queue[i]] - j["attained_gpu_s"]) / j["gpus"])
        wake_at = None
        if wake < math.inf:
            wake_at = max(s["now_s"] + 1e-6, math.ceil(wake * 1e6) / 1e6 + 1e-6)
        return {"run_order": run, "preempt": preempt, "wake_at_s": wake_at}
