#!/usr/bin/python3
"""Price-performance of an experiment's scenarios: mean JCT and node cost per
completed job, side by side, from each scenario's summary.json.

usage: plot_price_performance.py OUT_DIR PNG [TITLE]
(OUT_DIR is what `aqueduct sim run --out` wrote.)"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    out, png = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else "price-performance"
    order = [l.split()[0] for l in open(os.path.join(out, "summary.txt"))
             if l.strip() and not l.startswith(("experiment", "scenario", " ")) and " vs " not in l]
    rows = []
    for name in order:
        path = os.path.join(out, name, "summary.json")
        if not os.path.exists(path):
            continue
        s = json.load(open(path))
        done = max(1, s["completed"])
        rows.append((name, s["jct_s"]["mean"], (s["node_cost"] + s.get("eci_cost", 0)) / done))
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    names = [r[0] for r in rows]
    a.barh(names, [r[1] for r in rows], color="#4477aa")
    a.set_xlabel("mean JCT (s)")
    a.invert_yaxis()
    b.barh(names, [r[2] for r in rows], color="#cc6677")
    b.set_xlabel("node cost per job")
    b.invert_yaxis()
    b.set_yticklabels([])
    for ax, col in ((a, 1), (b, 2)):
        for i, r in enumerate(rows):
            ax.text(r[col], i, " %.3g" % r[col], va="center", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
