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
        self.queues = [[] for _ in range(len(self.thresholds) + 1)]  # each queue's jobs in order
        self.where = {}  # job id -> its queue

    def decide(self, s):
        jobs = {j["id"]: j for j in s["jobs"]}
        for q in self.queues:  # forget finished jobs
            q[:] = [i for i in q if i in jobs]
        self.where = {i: q for i, q in self.where.items() if i in jobs}
        for j in s["jobs"]:  # new jobs enter the first queue; others move down as service grows
            q = bisect.bisect_right(self.thresholds, j["attained_gpu_s"])
            if self.where.get(j["id"]) != q:
                if j["id"] in self.where:
                    self.queues[self.where[j["id"]]].remove(j["id"])
                elif q != 0:  # a new job passes through the first queue
                    self.queues[0].append(j["id"])
                    self.queues[0].remove(j["id"])
                self.queues[q].append(j["id"])
                self.where[j["id"]] = q
        room = s["total_gpus"] - sum(j["gpus"] for j in s["jobs"] if j["status"] == "suspending")
        run, preempt, keep = [], [], set()
        for q in self.queues:  # queue by queue, in order, while GPUs last
            for i in q:
                j = jobs[i]
                if j["status"] == "suspending":
                    continue
                if j["gpus"] <= room:
                    room -= j["gpus"]
                    keep.add(i)
                    run.append(i)
                elif j["status"] == "running":
                    preempt.append(i)
        for q in self.queues:  # jobs that run go ahead of those that wait
            q[:] = [i for i in q if i in keep] + [i for i in q if i not in keep]
        wake = math.inf  # called back when a running job reaches its next threshold
        for j in s["jobs"]:
            q = self.where[j["id"]]
            if j["status"] == "running" and q < len(self.thresholds) and j["gpus"] > 0:
                wake = min(wake, s["now_s"] + (self.thresholds[q] - j["attained_gpu_s"]) / j["gpus"])
        wake_at = None
        if wake < math.inf:
            wake_at = max(s["now_s"] + 1e-6, math.ceil(wake * 1e6) / 1e6 + 1e-6)
        return {"run_order": run, "preempt": preempt, "wake_at_s": wake_at}
