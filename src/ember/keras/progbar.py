"""Keras-looking progress output: ``32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.2891``.

On a terminal the bar redraws in place (``\\r``); otherwise (logs, CI, notebooks captured to
files) only the finished line of each epoch is printed, with no carriage returns.
"""
from __future__ import annotations

import sys
import time

BAR_WIDTH = 20


def format_value(v) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def format_time_per_step(seconds: float) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """One epoch's progress; ``update(step, logs)`` after each batch, ``finish(logs)`` at the end.

    Args:
        target: number of steps.
        verbose: 1 = bar (redrawn on terminals), 2 = one line at the end.
        stream: where to write (default ``sys.stdout``).
    """

    def __init__(self, target: int, verbose: int = 1, stream=None, interval: float = 0.05):
        self.target, self.verbose = int(target), verbose
        self.stream = stream or sys.stdout
        self.dynamic = verbose == 1 and bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.start = time.perf_counter()
        self._last = 0.0
        self._width = 0

    def _line(self, step: int, logs: dict | None, final: bool) -> str:
        digits = len(str(self.target))
        now = time.perf_counter()
        elapsed = now - self.start
        per_step = elapsed / step if step else 0.0
        if self.verbose == 2:
            text = f"{step:>{digits}}/{self.target} - {elapsed:.0f}s - {format_time_per_step(per_step)}"
        else:
            filled = int(BAR_WIDTH * step / self.target) if self.target else BAR_WIDTH
            bar = "━" * filled + "━" * (BAR_WIDTH - filled)
            when = f"{elapsed:.0f}s" if final else f"{per_step * (self.target - step):.0f}s"
            text = f"{step:>{digits}}/{self.target} {bar} {when} {format_time_per_step(per_step)}"
        for k, v in (logs or {}).items():
            text += f" - {k}: {format_value(v)}"
        return text

    def update(self, step: int, logs: dict | None = None) -> None:
        if not self.dynamic:
            return
        now = time.perf_counter()
        if now - self._last < self.interval:
            return
        self._last = now
        self._draw(self._line(step, logs, final=False), end="")

    def _draw(self, text: str, end: str) -> None:
        pad = " " * max(self._width - len(text), 0)
        self.stream.write("\r" + text + pad + end)
        self._width = len(text)
        self.stream.flush()

    def finish(self, logs: dict | None = None) -> None:
        text = self._line(self.target, logs, final=True)
        if self.dynamic:
            self._draw(text, end="\n")
        else:
            self.stream.write(text + "\n")
            self.stream.flush()
