"""Paper-ready figures of Aqueduct results, with matplotlib.

The same functions draw the figures of notebooks and of the CLI (``aqueduct
plot OUT`` and the end of ``aqueduct sim run`` run this file as a script):

    import aqueduct, aqueduct.plots as ap
    runs = aqueduct.read_run("out/quickstart")        # or {name: exp.run(name)}
    fig = ap.comparison(runs)
    ap.save(fig, "comparison", formats=("pdf", "png"))

Every axis has a unit; ticks are matplotlib's round steps in a unit chosen
for the data (s, min, h, days; B to TiB); heavy-tailed distributions get a
log axis; colours are the Okabe-Ito colour-blind-safe palette, and each series
also has its own line style and markers, so none hides behind another and
figures survive greyscale printing. PNG, PDF and SVG (fonts embedded as text).

As a script: ``plots.py run OUT [--format png,pdf]`` and
``plots.py mrc CURVE.csv -o FIGURE [--title T]``. Exit 3 when pandas or
matplotlib is missing, 2 for bad arguments or input.
"""
from __future__ import annotations

import contextlib
import math
import os
import sys
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

if __package__ in (None, ""):  # run as a script: the package folder is sys.path[0]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import pandas as pd  # noqa: F401
    except ImportError as e:
        print(f"plots: {e.name} is not installed (apt-get install python3-pandas "
              f"python3-matplotlib)", file=sys.stderr)
        sys.exit(3)
    from _results import Results, missing, read_run  # type: ignore[import-not-found]
else:
    from ._results import Results, missing, read_run

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["COLORS", "LINESTYLES", "comparison", "cost_vs_jct", "jct_cdf", "mrc", "overview",
           "plot_run", "price_performance", "save", "style"]

#: Okabe & Ito's colour-blind-safe palette (black last: it is the loudest).
COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
          "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")  # more than colours: no two series alike

_RC = {
    "font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "lines.linewidth": 1.6, "lines.markersize": 4,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "grid.linewidth": 0.6, "legend.frameon": False,
    "figure.constrained_layout.use": True, "savefig.dpi": 200,
    "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none",
    "svg.hashsalt": "aqueduct",  # identical SVGs for identical data
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The figures' style (fonts, grid, palette) for anything drawn inside."""
    from cycler import cycler
    rc = dict(_RC)
    rc["axes.prop_cycle"] = cycler(color=COLORS[:6]) + cycler(linestyle=LINESTYLES[:6])
    with plt.rc_context(rc):
        yield


def _series_style(i: int) -> Dict[str, Any]:
    return {"color": COLORS[i % len(COLORS)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


# ---- units ------------------------------------------------------------------

def time_unit(max_s: float) -> Tuple[float, str]:
    """(seconds per unit, name) so that `max_s` reads as a handful of units."""
    if not max_s or not math.isfinite(max_s) or max_s < 120:
        return 1.0, "s"
    if max_s < 2 * 3600:
        return 60.0, "min"
    if max_s < 3 * 86400:
        return 3600.0, "h"
    return 86400.0, "days"


def byte_unit(max_b: float) -> Tuple[float, str]:
    """(bytes per unit, binary name) for values up to `max_b`."""
    for power, name in ((4, "TiB"), (3, "GiB"), (2, "MiB"), (1, "KiB")):
        if max_b and max_b >= 1024 ** power:
            return float(1024 ** power), name
    return 1.0, "B"


def _plain_log_labels(axis: Any, lo: float, hi: float) -> None:
    """Log-axis labels as plain numbers (0.1, 1, 10, 100) rather than powers;
    over a short range also steps between the powers of ten."""
    if lo > 0 and hi / lo < 100:
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    elif lo > 0 and hi / lo < 1000:
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 3.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def heavy_tailed(values: Sequence[float]) -> bool:
    """True when a linear axis would squash most of the data: positive values
    whose largest is over 10 times their median (or 99th percentile over 5)."""
    v = np.asarray([x for x in values if x > 0 and math.isfinite(x)], dtype=float)
    if len(v) < 5:
        return False
    p50, p99, top = np.percentile(v, [50, 99, 100])
    return p50 > 0 and (top / p50 > 10 or p99 / p50 > 5)


# ---- figures ----------------------------------------------------------------

def _runs(runs: Any) -> Dict[str, Results]:
    if isinstance(runs, Results):
        return {runs.summary_dict["scenario"]: runs}
    if isinstance(runs, Mapping):
        return dict(runs)
    return {r.summary_dict["scenario"]: r for r in runs}


def jct_cdf(runs: Any, ax: Optional[Axes] = None, *, log: Optional[bool] = None,
            legend_below: bool = False) -> Axes:
    """The JCT distribution of one or several runs ({name: Results}), one CDF
    each. `log`: None chooses a log axis for heavy-tailed JCTs; `legend_below`
    puts the legend under the axes (for narrow panels)."""
    runs = _runs(runs)
    with style():
        if ax is None:
            _, ax = plt.subplots(figsize=(3.4, 2.4))
        all_jct = np.concatenate([r.jobs["jct_s"].dropna().to_numpy() for r in runs.values()]
                                 or [np.zeros(0)])
        use_log = heavy_tailed(all_jct) if log is None else log
        scale, unit = time_unit(float(np.median(all_jct)) * 4 if len(all_jct) else 0)
        for i, (name, r) in enumerate(runs.items()):
            jct = np.sort(r.jobs["jct_s"].dropna().to_numpy()) / scale
            if len(jct) == 0:
                continue
            y = np.arange(1, len(jct) + 1) / len(jct)
            st = _series_style(i)
            # Several series: markers at every eighth of the jobs tell apart
            # curves that coincide.
            marks = {"marker": st["marker"], "markevery": max(1, len(jct) // 8)} \
                if len(runs) > 1 else {}
            ax.step(jct, y, where="post", label=f"{name} (n={len(jct)})", color=st["color"],
                    linestyle=st["linestyle"], zorder=3 + len(runs) - i, **marks)
        if use_log:
            ax.set_xscale("log")
            positive = all_jct[all_jct > 0] / scale
            _plain_log_labels(ax.xaxis, float(positive.min()), float(positive.max()))
        else:
            ax.set_xlim(left=0)
        ax.set_xlabel(f"job completion time ({unit}{', log scale' if use_log else ''})")
        ax.set_ylabel("fraction of jobs")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_locator(ticker.MultipleLocator(0.25))
        ax.set_title("JCT distribution")
        if not any(len(r.jobs["jct_s"].dropna()) for r in runs.values()):
            ax.text(0.5, 0.5, "no job completed", transform=ax.transAxes, ha="center")
        elif legend_below:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=1)
        else:
            ax.legend(loc="lower right")  # below-right of a CDF stays empty
    return ax


def overview(res: Results) -> Figure:
    """One run over time: JCT distribution, jobs running and waiting, GPU
    allocation, cache hit ratio, read throughput by source, cache use."""
    s = res.summary_dict
    ts = res.timeseries
    with style():
        fig, axes = plt.subplots(3, 2, figsize=(7.0, 6.4))
        jct_cdf({s["scenario"]: res}, axes[0][0])
        t_scale, t_unit = time_unit(float(ts["time_s"].max()) if len(ts) else 0)
        t = ts["time_s"] / t_scale
        ax = axes[0][1]
        ax.plot(t, ts["running_jobs"], label="running", **_line(0))
        ax.plot(t, ts["pending_jobs"], label="waiting", **_line(1))
        ax.set_ylabel("jobs")
        ax.set_title("jobs")
        ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        ax.legend(loc="upper right")
        ax = axes[1][0]
        ax.plot(t, 100 * ts["gpu_allocation"], label="GPUs", **_line(0))
        ax.plot(t, 100 * ts["cpu_allocation"], label="CPUs", **_line(1))
        ax.set_ylabel("allocated (% of allocatable)")
        ax.set_ylim(0, 105)
        ax.set_title("allocation")
        ax.legend(loc="best")
        ax = axes[1][1]
        hit = ts["hit_ratio"]
        if hit.notna().any():
            ax.plot(t, 100 * hit, **_line(2))  # gaps where nothing was read
        else:
            ax.text(0.5, 0.5, "nothing read from a cache", transform=ax.transAxes, ha="center")
        ax.set_ylabel("bytes served by the cache (%)")
        ax.set_ylim(0, 105)
        ax.set_title("cache hit ratio per interval")
        ax = axes[2][0]
        peak = float(max(ts["store_throughput_Bps"].max() if len(ts) else 0,
                         ts["cache_throughput_Bps"].max() if len(ts) else 0))
        b_scale, b_unit = byte_unit(peak)
        ax.plot(t, ts["store_throughput_Bps"] / b_scale, label="object store", **_line(3))
        ax.plot(t, ts["cache_throughput_Bps"] / b_scale, label="cache workers", **_line(0))
        ax.set_ylabel(f"read throughput ({b_unit}/s)")
        ax.set_title("reads by source")
        ax.legend(loc="upper right")
        ax = axes[2][1]
        peak = float(ts["cache_capacity_bytes"].max()) if len(ts) else 0
        c_scale, c_unit = byte_unit(peak)
        ax.plot(t, ts["cache_capacity_bytes"] / c_scale, label="capacity", **_line(1))
        ax.plot(t, ts["cache_used_bytes"] / c_scale, label="used", **_line(0))
        ax.set_ylabel(f"cache ({c_unit})")
        ax.set_title("cache workers")
        ax.legend(loc="best")
        for a in (axes[0][1], axes[1][0], axes[1][1], axes[2][0], axes[2][1]):
            a.set_xlabel(f"simulated time ({t_unit})")
            a.set_xlim(left=0)
            if a.get_ylim()[0] < 0:
                a.set_ylim(bottom=0)
        fig.suptitle(f"{s['experiment']} / {s['scenario']}: {s['completed']} of {s['jobs']} "
                     f"jobs completed", fontsize=10)
    return fig


def _line(i: int) -> Dict[str, Any]:
    st = _series_style(i)
    return {"color": st["color"], "linestyle": st["linestyle"]}


def _name_ticks(ax: Axes, x: Any, names: List[str]) -> None:
    """Scenario names under bars, slanted when they would run into each other."""
    chars = sum(len(n) for n in names)
    crowded = chars > 24
    ax.set_xticks(x, names, rotation=(40 if chars > 32 else 25) if crowded else 0,
                  ha="right" if crowded else "center", rotation_mode="anchor")
    ax.grid(axis="x", visible=False)


def _legend_above_bars(ax: Axes, ncol: int) -> None:
    """Headroom over the tallest bar for the legend, so it covers no bar."""
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * (1.18 + 0.12 * (3 // ncol)))
    ax.legend(loc="upper center", ncol=ncol)


def comparison(runs: Any) -> Figure:
    """Several scenarios side by side: JCT distributions, mean and 95th
    percentile JCT, and where the bytes jobs read came from (or, when no job
    read any data, the job policy's preemptions; neither: two panels)."""
    runs = _runs(runs)
    names = list(runs)
    sums = [runs[n].summary_dict for n in names]
    reads = any(s["bytes_from_cache"] + s["bytes_from_page_cache"] + s["bytes_from_store"] > 0
                for s in sums)
    preemptions = [s.get("preemptions", 0) or 0 for s in sums]
    third = "reads" if reads else ("preemptions" if any(preemptions) else None)
    with style():
        if third:
            fig, axes = plt.subplots(1, 3, figsize=(7.0, 2.6), width_ratios=(1.3, 1, 1))
        else:
            fig, axes = plt.subplots(1, 2, figsize=(5.2, 2.6), width_ratios=(1.3, 1))
        jct_cdf(runs, axes[0], legend_below=True)
        ax = axes[1]
        means = [s["mean_jct_s"] for s in sums]
        p95 = [s["p95_jct_s"] for s in sums]
        finite = [v for v in means + p95 if not missing(v)]
        scale, unit = time_unit(max(finite) if finite else 0)
        x = np.arange(len(names))
        w = 0.38
        ax.bar(x - w / 2, [np.nan if missing(v) else v / scale for v in means], w, label="mean",
               color=COLORS[0])
        ax.bar(x + w / 2, [np.nan if missing(v) else v / scale for v in p95], w, label="p95",
               color=COLORS[1], hatch="//", edgecolor="white", linewidth=0)
        _name_ticks(ax, x, names)
        ax.set_ylabel(f"JCT ({unit})")
        ax.set_title("JCT")
        _legend_above_bars(ax, 2)
        if third == "preemptions":
            ax = axes[2]
            ax.bar(x, preemptions, 0.6, color=COLORS[2])
            _name_ticks(ax, x, names)
            ax.set_ylabel("preemptions (all jobs)")
            ax.set_title("preemptions")
            return fig
        if third is None:
            return fig
        ax = axes[2]
        parts = (("bytes_from_cache", "cache", COLORS[0], ""),
                 ("bytes_from_page_cache", "page cache", COLORS[2], ".."),
                 ("bytes_from_store", "object store", COLORS[3], "\\\\"))
        totals = [sum(s[k] for k, *_ in parts) for s in sums]
        b_scale, b_unit = byte_unit(max(totals) if totals else 0)
        bottom = np.zeros(len(names))
        for key, label, color, hatch in parts:
            vals = np.array([s[key] for s in sums], dtype=float) / b_scale
            if not vals.any():
                continue
            ax.bar(x, vals, 0.6, bottom=bottom, label=label, color=color, hatch=hatch,
                   edgecolor="white", linewidth=0)
            bottom += vals
        _name_ticks(ax, x, names)
        ax.set_ylabel(f"data read ({b_unit})")
        ax.set_title("reads by source")
        _legend_above_bars(ax, 1)
    return fig


def cost_vs_jct(runs: Any) -> Figure:
    """Cost against speed, one point per scenario: the cache workers' cost
    (their share of node prices) plus serverless pods, against mean JCT."""
    runs = _runs(runs)
    jcts = [r.summary_dict["mean_jct_s"] for r in runs.values()]
    finite = [v for v in jcts if not missing(v)]
    scale, unit = time_unit(max(finite) if finite else 0)
    with style():
        fig, ax = plt.subplots(figsize=(4.6, 2.6))
        for i, (name, r) in enumerate(runs.items()):
            s = r.summary_dict
            if missing(s["mean_jct_s"]):
                continue
            st = _series_style(i)
            # A dark edge keeps light colours (yellow) visible on white.
            ax.scatter([s["mean_jct_s"] / scale], [s["cache_cost"] + s["eci_cost"]],
                       color=st["color"], marker=st["marker"], s=40, label=name, zorder=3,
                       edgecolors="#333333", linewidths=0.5)
        ax.set_xlabel(f"mean job completion time ({unit})")
        ax.set_ylabel("cache + serverless cost (USD)")
        ax.set_title("cost against speed")
        # Zero in view with room, so a point at zero cost is not cut in half.
        ax.set_xlim(left=-0.04 * ax.get_xlim()[1])
        ax.set_ylim(bottom=-0.04 * ax.get_ylim()[1])
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside: covers no point
    return fig


def price_performance(runs: Any) -> Figure:
    """Speed and price per scenario: mean JCT, and what the nodes and
    serverless pods cost per completed job."""
    runs = _runs(runs)
    names = list(runs)
    sums = [runs[n].summary_dict for n in names]
    with style():
        fig, (a, b) = plt.subplots(1, 2, figsize=(7.0, 0.9 + 0.32 * len(names)), sharey=True)
        means = [np.nan if missing(s["mean_jct_s"]) else s["mean_jct_s"] for s in sums]
        scale, unit = time_unit(np.nanmax(means) if not all(map(math.isnan, means)) else 0)
        y = np.arange(len(names))
        a.barh(y, np.array(means) / scale, color=COLORS[0], height=0.6)
        a.set_yticks(y, names)
        a.invert_yaxis()
        a.set_xlabel(f"mean job completion time ({unit})")
        per_job = [(s["node_cost"] + s["eci_cost"]) / s["completed"] if s["completed"] else np.nan
                   for s in sums]
        b.barh(y, per_job, color=COLORS[3], height=0.6, hatch="//", edgecolor="white",
               linewidth=0)
        b.set_xlabel("cost per completed job (USD)")
        for ax, vals in ((a, np.array(means) / scale), (b, per_job)):
            ax.grid(axis="y", visible=False)
            top = np.nanmax(vals) if not all(map(math.isnan, vals)) else 1
            ax.set_xlim(0, top * 1.22)
            for i, v in enumerate(vals):
                if not math.isnan(v):
                    ax.text(v, i, f" {v:.3g}", va="center", fontsize=7)
        fig.suptitle("price-performance", fontsize=10)
    return fig


def mrc(curve: pd.DataFrame, title: str = "miss-ratio curve") -> Figure:
    """Miss ratio against cache size, one line per policy (the CSV that
    ``aqueduct cache-sim --mrc`` writes next to its figure)."""
    need = {"policy", "cache_size_bytes", "miss_ratio"}
    if not need.issubset(curve.columns):
        raise ValueError(f"expected columns {sorted(need)}, got {list(curve.columns)}")
    with style():
        fig, ax = plt.subplots(figsize=(3.4, 3.0))
        sizes = curve["cache_size_bytes"].astype(float)
        scale, unit = byte_unit(float(sizes.max()) if len(sizes) else 0)
        for i, (policy, g) in enumerate(curve.groupby("policy", sort=False)):
            g = g.sort_values("cache_size_bytes")
            st = _series_style(i)
            ax.plot(g["cache_size_bytes"] / scale, g["miss_ratio"], label=policy,
                    color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                    zorder=3 + i)
        positive = sizes[sizes > 0]
        use_log = len(positive) > 1 and positive.max() / positive.min() >= 10
        if use_log:
            ax.set_xscale("log")
            _plain_log_labels(ax.xaxis, float(positive.min()) / scale,
                              float(positive.max()) / scale)
        ax.set_xlabel(f"cache size ({unit}{', log scale' if use_log else ''})")
        ax.set_ylabel("miss ratio")
        lo, hi = float(curve["miss_ratio"].min()), float(curve["miss_ratio"].max())
        pad = max(0.02, 0.08 * (hi - lo))
        ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25),
                  ncol=min(3, curve["policy"].nunique()))
    return fig


def save(fig: Figure, path: "str | os.PathLike[str]", formats: Iterable[str] = ("png",)) -> List[str]:
    """Writes `fig` as path.<format> for each format (png, pdf, svg); returns the paths."""
    base = os.fspath(path)
    root, ext = os.path.splitext(base)
    if ext.lstrip(".") in ("png", "pdf", "svg"):
        base = root
    written = []
    for f in formats:
        if f not in ("png", "pdf", "svg"):
            raise ValueError(f"format: expected png, pdf or svg, got {f!r}")
        out = f"{base}.{f}"
        meta = {"Software": None} if f == "png" else ({"CreationDate": None} if f == "pdf"
                                                      else {"Date": None})
        with style():  # svg.hashsalt: the same ids in every SVG
            # tight: a legend wider than the axes never clips the axis labels
            fig.savefig(out, metadata=meta, bbox_inches="tight", pad_inches=0.04)
        written.append(out)
    plt.close(fig)
    return written


def plot_run(out: "str | os.PathLike[str]", formats: Iterable[str] = ("png",)) -> List[str]:
    """Every figure of a ``sim run`` output folder: OUT/<scenario>/overview,
    and for several scenarios OUT/comparison (+ OUT/cost_vs_jct and
    OUT/price_performance when scenarios have costs). Returns the files written."""
    out = os.fspath(out)
    formats = tuple(formats)
    runs = read_run(out)
    written: List[str] = []
    for name, r in runs.items():
        written += save(overview(r), os.path.join(out, name, "overview"), formats)
    if len(runs) > 1:
        written += save(comparison(runs), os.path.join(out, "comparison"), formats)
        if any(r.summary_dict["cache_cost"] + r.summary_dict["eci_cost"] > 0
               for r in runs.values()):
            written += save(cost_vs_jct(runs), os.path.join(out, "cost_vs_jct"), formats)
        if any(r.summary_dict["node_cost"] + r.summary_dict["eci_cost"] > 0
               for r in runs.values()):
            written += save(price_performance(runs), os.path.join(out, "price_performance"),
                            formats)
    return written


def _main(argv: List[str]) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="plots.py", description="Aqueduct figures")
    sub = p.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="the figures of a `sim run` output folder")
    run.add_argument("out")
    run.add_argument("--format", default="png", help="comma-separated: png, pdf, svg")
    run.add_argument("--quiet", action="store_true")
    m = sub.add_parser("mrc", help="a miss-ratio curve from `cache-sim --mrc` data")
    m.add_argument("csv")
    m.add_argument("-o", "--output", required=True)
    m.add_argument("--title", default="miss-ratio curve")
    m.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    try:
        if a.cmd == "run":
            written = plot_run(a.out, [f for f in a.format.split(",") if f])
        else:
            ext = os.path.splitext(a.output)[1].lstrip(".") or "png"
            written = save(mrc(pd.read_csv(a.csv), a.title), a.output, (ext,))
    except (OSError, ValueError, KeyError) as e:
        print(f"plots: error: {e}", file=sys.stderr)
        return 2
    if not a.quiet:
        for w in written:
            print(f"figure: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
