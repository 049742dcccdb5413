"""``ember export RUN_DIR --format onnx``: the run's trained network as an ONNX file.

The file takes the standardized features (``preprocessing`` in ``config.json`` says how the run
scales them) with a dynamic batch axis and returns the network's outputs (logits for
classification, the scaled target for regression). It is written atomically and noted in the
run's ``report.html``.

Example::

    $ ember export runs/2026-…-digits --format onnx          # runs/…/model.onnx
    $ ember export runs/… --format onnx --out /srv/model.onnx --opset 18
"""
from __future__ import annotations

import html
import os
import re

from . import rundir
from ..io import atomic_write_text
from .errors import CLIError, writing

FORMATS = ("onnx",)
_SECTION = re.compile(r"<h2>Exports</h2>.*?(?=<h2>|</body>)", re.S)


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by ember train")
    parser.add_argument("--format", default="onnx", choices=FORMATS, help="file format (onnx)")
    parser.add_argument("--out", help="where to write the file (default: RUN_DIR/model.onnx)")
    parser.add_argument("--opset", type=int, default=None,
                        help="ONNX opset version (default: ember.onnx.DEFAULT_OPSET)")


def _note_in_report(folder: str, path: str, opset: int, n_features: int, task: str) -> None:
    """Adds (or replaces) the report's Exports section; a run without a report is left alone."""
    report = os.path.join(folder, rundir.REPORT)
    if not os.path.isfile(report):
        return
    with open(report, encoding="utf-8") as handle:
        page = handle.read()
    outputs = "class logits" if task == "classification" else "the standardized target"
    section = (f"<h2>Exports</h2><p>ONNX (opset {opset}): <code>{html.escape(os.path.abspath(path))}"
               f"</code>; input <code>features</code> (batch, {n_features}) standardized as in "
               f"config.json, output <code>outputs</code>: {outputs}.</p>")
    page = _SECTION.sub("", page).replace("</body>", section + "</body>", 1)
    atomic_write_text(report, page)


def run(args) -> int:
    try:
        import onnx  # noqa: F401 - the optional extra ember.onnx.export writes with
    except ImportError:
        raise CLIError("ember export --format onnx needs the onnx package: pip install "
                       "'ember[onnx]'") from None
    import ember
    from .. import onnx as ember_onnx
    record = rundir.read_run(args.run_dir, need=(rundir.CONFIG, rundir.MODEL))
    model = rundir.load_model(args.run_dir, record)
    n_features = int(record["info"]["n_features"])
    out = args.out or os.path.join(args.run_dir, "model.onnx")
    opset = ember_onnx.DEFAULT_OPSET if args.opset is None else args.opset
    try:
        with writing("the ONNX file", out):
            ember_onnx.export(model, ember.zeros(2, n_features), out, input_names=["features"],
                              output_names=["outputs"], opset_version=opset,
                              dynamic_axes={"features": {0: "batch"}, "outputs": {0: "batch"}})
    except (ember_onnx.ExportError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    _note_in_report(args.run_dir, out, opset, n_features, record["info"]["task"])
    print(f"exported {out} (ONNX opset {opset}; input 'features' of {n_features} standardized "
          f"values per row, dynamic batch)")
    return 0
