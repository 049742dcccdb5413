"""``ember activations --out FILE.png``: every activation next to its autograd derivative
(drawn by ``ember.diagnostics.plot_activations``)."""
from __future__ import annotations

from .errors import CLIError, writing


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="activations.png", help="PNG file to write")


def run(args) -> int:
    try:
        from ..diagnostics import plot_activations
    except ImportError:
        raise CLIError("ember activations needs ember.diagnostics.plot_activations, "
                       "which this installation lacks") from None
    from . import plots
    if not plots.available():
        raise CLIError(plots.EXTRA_HINT)
    with writing("the plot", args.out):
        plot_activations(args.out)
    print(f"activations: {args.out}")
    return 0
