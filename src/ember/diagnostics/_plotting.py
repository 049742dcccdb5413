"""matplotlib, imported only when a plot is asked for, without touching pyplot's global state."""
from __future__ import annotations

import os


def new_figure(path, figsize=(8, 4)):
    """A standalone matplotlib Figure (no pyplot, no GUI backend) for a PNG to be saved at ``path``.

    The folder of ``path`` is checked first, so a bad path fails before any drawing.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot write the plot to {path!r}: folder {folder!r} does not exist")
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("Plotting needs matplotlib, an optional extra: pip install ember[plots]"
                          ) from exc
    return Figure(figsize=figsize)


def save_figure(fig, path) -> None:
    """Writes ``fig`` as a PNG to ``path`` (via a temporary file, then an atomic rename)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    path = os.fspath(path)
    FigureCanvasAgg(fig)
    tmp = f"{path}.tmp-{os.getpid()}.png"
    try:
        fig.tight_layout()
        fig.savefig(tmp, format="png", dpi=100)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
