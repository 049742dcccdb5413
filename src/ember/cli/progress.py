"""Per-epoch progress: a live bar on a terminal, one plain line per epoch otherwise.

Example output (not a terminal)::

    epoch  3/30  loss 0.2143  accuracy 0.9381  val_loss 0.2410  val_accuracy 0.9306  lr 0.001  0.4s
"""
from __future__ import annotations

import sys
import time


def format_logs(logs: dict) -> str:
    parts = []
    for key, value in logs.items():
        if key in ("epoch", "time"):
            continue
        parts.append(f"{key} {value:.4g}" if key == "lr" else f"{key} {value:.4f}")
    return "  ".join(parts)


class Progress:
    """Writes progress to ``stream``; ``quiet`` writes nothing."""

    WIDTH = 24

    def __init__(self, stream=None, quiet: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.live = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._start = 0.0
        self._last_draw = 0.0

    def start_epoch(self, epoch: int, total: int, batches: int) -> None:
        self.epoch, self.total, self.batches = epoch, total, batches
        self._start = time.perf_counter()
        self._digits = len(str(total))

    def batch(self, index: int, loss: float) -> None:
        """Redraws the bar (at most every 0.1 s) after batch ``index`` (1-based)."""
        if not self.live:
            return
        now = time.perf_counter()
        if index < self.batches and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = int(self.WIDTH * index / max(self.batches, 1))
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        self.stream.write(f"\repoch {self.epoch:>{self._digits}}/{self.total} {bar} "
                          f"{index}/{self.batches}  loss {loss:.4f}")
        self.stream.flush()

    def end_epoch(self, logs: dict) -> None:
        if self.quiet:
            return
        line = (f"epoch {self.epoch:>{self._digits}}/{self.total}  {format_logs(logs)}  "
                f"{time.perf_counter() - self._start:.1f}s")
        if self.live:
            self.stream.write("\r\033[K")
        self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        if not self.quiet:
            if self.live:
                self.stream.write("\r\033[K")
            self.stream.write(text + "\n")
            self.stream.flush()
