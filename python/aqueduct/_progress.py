"""Progress display for runs: a callable, tqdm in notebooks, a text line on a
terminal, or nothing."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Any, Callable, Iterator, Optional


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore
        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except Exception:
        return False


@contextlib.contextmanager
def progress_callback(progress: Any, label: str) -> Iterator[Optional[Callable[[float, float, int], None]]]:
    if progress is None or progress is False:
        yield None
        return
    if callable(progress) and progress is not True:
        yield progress
        return
    if progress is not True:
        raise TypeError(f"progress: expected a callable, True, False or None, got {type(progress).__name__}")
    if _in_notebook():
        try:
            from tqdm.auto import tqdm  # type: ignore
        except ImportError:
            tqdm = None
        if tqdm is not None:
            bar = tqdm(total=1000, desc=label, unit="‰")
            state = {"n": 0}

            def update(fraction: float, simulated_s: float, events: int) -> None:
                n = int(fraction * 1000)
                if n > state["n"]:
                    bar.update(n - state["n"])
                    state["n"] = n
                bar.set_postfix(sim_s=f"{simulated_s:.0f}", events=events, refresh=False)

            try:
                yield update
            finally:
                bar.close()
            return
    if not sys.stderr.isatty():
        yield None
        return
    start = time.monotonic()
    last = [0.0]

    def line(fraction: float, simulated_s: float, events: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and fraction < 1.0:
            return
        last[0] = now
        sys.stderr.write(f"\r{label}: {fraction * 100:5.1f}%  sim {simulated_s:,.0f}s  "
                         f"{events:,} events  {now - start:.1f}s")
        sys.stderr.flush()

    try:
        yield line
    finally:
        sys.stderr.write("\n")
