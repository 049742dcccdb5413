"""``report.html``: one self-contained page (no external files) describing a run.

It shows the headline test numbers, the network against a linear and a trivial baseline fitted
on the same split (with one sentence saying whether the network beats the linear one), the configuration, the data, the model summary (layers,
output shapes, parameter counts), per-class metrics or regression errors, and every PNG plot of
the run embedded as base64.

Example::

    >>> write_report("runs/x", config=cfg, summary_rows=rows, metrics=m, info=info)
"""
from __future__ import annotations

import base64
import html
import os

from ..io import atomic_write_text
from .baseline import comparison_rows, verdict
from .metrics import headline

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.25em .7em;text-align:left}th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.headline{font-size:1.25em;background:#f3f8f3;border-left:4px solid #1b9e77;padding:.6em 1em}
.muted{color:#777;font-size:.9em}img{max-width:100%;border:1px solid #eee;margin:.4em 0}
"""

PLOTS = [("curves.png", "Learning curves"), ("confusion_matrix.png", "Confusion matrix"),
         ("predicted_vs_true.png", "Predicted vs true"), ("forecast.png", "Forecast vs truth"),
         ("decision_boundary.png", "Decision boundary"),
         ("lr_find.png", "Learning-rate finder"),
         ("misclassified.png", "Misclassified test images (true → predicted)"),
         ("diagnostics.png", "Training diagnostics")]


def _e(value) -> str:
    return html.escape(str(value))


def _table(header: list, rows: list, numeric_from: int = 1) -> str:
    out = ["<table>" + ("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>" if header else "")]
    for row in rows:
        cells = "".join(f'<td class="num">{_e(c)}</td>' if i >= numeric_from else f"<td>{_e(c)}</td>"
                        for i, c in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    return "".join(out) + "</table>"


def _metrics_html(metrics: dict) -> str:
    if "accuracy" not in metrics:
        rows = [[name, f"{metrics[key]:.5g}"] for key, name in
                (("mse", "MSE"), ("rmse", "RMSE"), ("mae", "MAE"), ("r2", "R²"))]
        return _table(["metric", "value"], rows)
    rows = [[c["class"], f"{c['precision']:.4f}", f"{c['recall']:.4f}", f"{c['f1']:.4f}", c["support"]]
            for c in metrics["per_class"]]
    rows.append(["macro average", f"{metrics['macro_precision']:.4f}", f"{metrics['macro_recall']:.4f}",
                 f"{metrics['macro_f1']:.4f}", metrics["n"]])
    return (f"<p>Accuracy <b>{metrics['accuracy']:.4f}</b> on {metrics['n']} test rows.</p>"
            + _table(["class", "precision", "recall", "F1", "support"], rows))


def _baselines_html(metrics: dict, baselines: dict) -> str:
    """The network beside the linear and trivial baselines, one row each, and the verdict."""
    if "accuracy" in metrics:
        header = ["model", "kind", "accuracy", "macro F1"]
        cells = [("accuracy", ".4f"), ("macro_f1", ".4f")]
    else:
        header = ["model", "kind", "R²", "RMSE", "MAE"]
        cells = [("r2", ".4f"), ("rmse", ".5g"), ("mae", ".5g")]
    rows = [[label, kind, *(format(m[key], spec) for key, spec in cells)]
            for label, kind, m in comparison_rows(metrics, baselines)]
    return (f"<p><b>{_e(verdict(metrics, baselines))}</b></p>" + _table(header, rows, numeric_from=2)
            + "<p class=\"muted\">Both baselines are fitted on the network's training rows and "
              "scored on the same test rows.</p>")


def _plots_html(folder: str) -> str:
    parts = []
    for name, title in PLOTS:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                data = base64.b64encode(handle.read()).decode("ascii")
            parts.append(f"<h3>{_e(title)}</h3><img alt=\"{_e(title)}\" src=\"data:image/png;base64,{data}\">")
    return "".join(parts)


def _weights_row(info: dict) -> list:
    """The report's line saying which weights the saved model holds."""
    averaged = info.get("averaged_epochs")
    if averaged:
        return ["weights kept (SWA)", f"the average of epochs {averaged[0]}–{averaged[1]}"]
    return ["weights kept (early stopping)", f"epoch {info['best_epoch']}" if info.get("best_epoch")
            else "the last epoch's"]


def write_report(folder: str, *, config: dict, summary_rows: list, metrics: dict | None,
                 info: dict, history: dict, baselines: dict | None = None) -> str:
    """Writes ``folder/report.html`` and returns its path; ``baselines`` is
    ``ember.cli.baseline.fit_baselines``' result (or None)."""
    title = f"ember run: {info.get('data', '')}"
    body = [f"<h1>{_e(title)}</h1><p class=\"muted\">{_e(info.get('created', ''))} · "
            f"{_e(os.path.abspath(folder))}</p>"]
    if metrics:
        body.append(f"<p class=\"headline\">Test: {_e(headline(metrics))}</p>")
    else:
        body.append("<p class=\"headline\">No test split: no test metrics.</p>")
    if metrics and baselines:
        body.append("<h2>Against the baselines</h2>" + _baselines_html(metrics, baselines))
    run_rows = [["task", info.get("task")], ["rows (train / validation / test)",
                f"{info.get('n_train')} / {info.get('n_val')} / {info.get('n_test')}"],
                ["input features", info.get("n_features")], ["epochs run", info.get("epochs_run")],
                _weights_row(info),
                ["stopped early", info.get("stopped_early")],
                ["wall time (data, training, evaluation)", f"{info.get('train_seconds', 0):.1f} s"]]
    body.append("<h2>Data and training</h2>" + _table(None, run_rows))
    body.append("<h2>Test metrics</h2>" + (_metrics_html(metrics) if metrics else "<p>none</p>"))
    body.append("<h2>Plots</h2>" + (_plots_html(folder) or
                                     "<p>No plots: install the plots extra (pip install 'ember[plots]').</p>"))
    model_rows = [[r["index"], r["layer"], r["shape"], f"{r['params']:,}"] for r in summary_rows]
    model_rows.append(["", "total", "", f"{sum(r['params'] for r in summary_rows):,}"])
    body.append("<h2>Model</h2>" + _table(["#", "layer", "output shape", "parameters"], model_rows,
                                          numeric_from=3))
    body.append("<h2>Configuration</h2>" + _table(["option", "value"],
                                                  [[k, v] for k, v in config.items()], numeric_from=2))
    keys = [k for k in history if k != "time"]
    hist_rows = [[history[k][i] if k == "epoch" else f"{history[k][i]:.5g}" for k in keys]
                 for i in range(len(history.get("epoch", [])))]
    body.append("<h2>History</h2>" + _table(keys, hist_rows))
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
    path = os.path.join(folder, "report.html")
    atomic_write_text(path, page)
    return path
