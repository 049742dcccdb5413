"""What ``ember tune`` leaves in its run folder: ``trials.csv``, the pictures
(``optimization_history.png``, ``param_importances.png``, ``trial_curves.png``), ``metrics.json``
(the summary) and ``report.html`` in the style of ``ember train``'s report.

Parameter importances are Optuna's (``optuna.importance.get_param_importances``, fANOVA); they
need at least two finished trials that differ.

Example::

    >>> summary = write("runs/tune", study, settings, best_cfg, best_metrics, new_trials=30,
    ...                 seconds=95.0, plots=True)
"""
from __future__ import annotations

import csv
import io
import json
import math
import os

from ..io import atomic_write_text
from . import rundir
from .plots import _figure as new_figure
from .plots import _save as save_figure
from .plots import available as plots_available
from .errors import writing
from .report import _STYLE, _e, _table

PICTURES = [("optimization_history.png", "Optimisation history"),
            ("param_importances.png", "Parameter importances"),
            ("trial_curves.png", "Validation loss of every trial, epoch by epoch")]


def _rows(study) -> tuple[list, list]:
    names = sorted({name for t in study.trials for name in t.params})
    extra = sorted({k for t in study.trials for k in t.user_attrs if k.startswith("val_")})
    header = ["trial", "state", "val_loss"] + extra + ["epochs", "seconds"] + names
    rows = []
    for t in study.trials:
        seconds = t.duration.total_seconds() if t.duration is not None else ""
        rows.append([t.number, t.state.name.lower(), "" if t.value is None else t.value]
                    + [t.user_attrs.get(k, "") for k in extra]
                    + [t.user_attrs.get("epochs_run", len(t.intermediate_values)),
                       round(seconds, 2) if seconds != "" else ""]
                    + [t.params.get(n, "") for n in names])
    return header, rows


def _importances(optuna, study) -> dict:
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if len(complete) < 2 or len({t.value for t in complete}) < 2:
        return {}
    try:
        return dict(optuna.importance.get_param_importances(study))
    except (RuntimeError, ValueError, ZeroDivisionError):  # too few distinct parameters
        return {}


def _history_plot(study, path: str) -> None:
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    done = [(t.number, t.value) for t in study.trials if t.state.name == "COMPLETE"]
    pruned = [(t.number, list(t.intermediate_values.values())[-1]) for t in study.trials
              if t.state.name == "PRUNED" and t.intermediate_values]
    if done:
        ax.scatter(*zip(*done), s=18, color="#1b9e77", label="complete")
        best, line = math.inf, []
        for number, value in sorted(done):
            best = min(best, value)
            line.append((number, best))
        ax.step(*zip(*line), where="post", color="#d95f02", label="best so far")
    if pruned:
        ax.scatter(*zip(*pruned), s=18, marker="x", color="#999999",
                   label="pruned (last reported)")
    ax.set_xlabel("trial")
    ax.set_ylabel("validation loss")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def _importance_plot(importances: dict, path: str) -> None:
    fig = new_figure(6.5, 0.5 + 0.45 * len(importances))
    ax = fig.add_subplot(1, 1, 1)
    names = list(importances)[::-1]
    ax.barh(names, [importances[n] for n in names], color="#7570b3")
    ax.set_xlabel("importance for the validation loss (fANOVA)")
    save_figure(fig, path)


def _curves_plot(study, path: str, best: int) -> None:
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    for t in study.trials:
        if not t.intermediate_values:
            continue
        steps, values = zip(*sorted(t.intermediate_values.items()))
        style = ({"color": "#d95f02", "lw": 2, "zorder": 3, "label": f"best (trial {best})"}
                 if t.number == best else
                 {"color": "#bbbbbb" if t.state.name == "PRUNED" else "#1b9e77", "lw": 0.8})
        ax.plot(steps, values, **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation loss (mean of the last epochs)")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def _pictures_html(folder: str) -> str:
    import base64
    parts = []
    for name, title in PICTURES:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                data = base64.b64encode(handle.read()).decode("ascii")
            parts.append(f"<h3>{_e(title)}</h3><img alt=\"{_e(title)}\" "
                         f"src=\"data:image/png;base64,{data}\">")
    return "".join(parts)


def _default(study) -> dict | None:
    """The score of the default configuration (the enqueued first trial), if it finished."""
    first = study.trials[0] if study.trials else None
    if first is None or first.state.name != "COMPLETE" or \
            "fixed_params" not in first.system_attrs:
        return None
    return {"trial": first.number, **record(first)}


def record(trial) -> dict:
    """A finished trial's validation loss and metric (``val_loss``, ``val_accuracy`` …)."""
    return {"val_loss": trial.value,
            **{k: v for k, v in trial.user_attrs.items() if k.startswith("val_")}}


def scores(record: dict) -> str:
    """``validation loss 0.0412, validation accuracy 0.9889``: a trial's score (the ``val_*``
    entries of ``record``)."""
    return ", ".join([f"validation loss {record['val_loss']:.4g}"] + [
        f"{k.replace('val_', 'validation ')} {v:.4g}" for k, v in record.items()
        if k.startswith("val_") and k != "val_loss"])


def _default_note(default: dict | None, best: int) -> str:
    if default is None or default["trial"] == best:
        return " (the default configuration)" if default is not None else ""
    return f" (the default configuration, trial {default['trial']}: {scores(default)})"


def _refit_note(refit, info: dict) -> str:
    if refit is None:
        return " on the training rows"
    return (f" on the training and validation rows ({info['n_train'] + info['n_val']}) for "
            f"{refit['epochs']} epochs, keeping the average of the last {refit['swa']} epochs' "
            f"weights")


def write(folder: str, study, settings: dict, best_cfg: dict, best_metrics: dict, *,
          new_trials: int, seconds: float, plots: bool, refit: dict | None = None,
          best=None) -> dict:
    """Writes the search's files to ``folder``; returns the summary (``metrics.json``).
    ``refit``: how the best configuration was retrained on the training and validation rows
    together (``{"epochs", "swa"}``; None: retrained on the training rows as its trial was);
    ``best``: the trial that was retrained (default: Optuna's best trial)."""
    import optuna
    best = study.best_trial if best is None else best
    header, rows = _rows(study)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header] + rows)
    with writing("the trials table", os.path.join(folder, "trials.csv")):
        atomic_write_text(os.path.join(folder, "trials.csv"), buffer.getvalue())
    importances = _importances(optuna, study)
    for name, _ in PICTURES:  # pictures of an earlier pass go, so none is stale
        if os.path.exists(os.path.join(folder, name)):
            os.remove(os.path.join(folder, name))
    if plots and plots_available():
        with writing("the pictures", folder):
            _history_plot(study, os.path.join(folder, PICTURES[0][0]))
            if importances:
                _importance_plot(importances, os.path.join(folder, PICTURES[1][0]))
            _curves_plot(study, os.path.join(folder, PICTURES[2][0]), best.number)
    states = [t.state.name for t in study.trials]
    summary = {"run": os.path.abspath(folder), "data": settings["base"]["data"],
               "trials": {"total": len(states), "new": new_trials,
                          "complete": states.count("COMPLETE"), "pruned": states.count("PRUNED"),
                          "failed": states.count("FAIL")},
               "search_seconds": round(seconds, 3),
               "best": {"trial": best.number, "params": best.params, **record(best)},
               "default": _default(study),
               "importances": importances, "best_run": os.path.abspath(os.path.join(folder, "best")),
               "refit": None if refit is None else {
                   **refit, "rows": settings["info"]["n_train"] + settings["info"]["n_val"]},
               "test": best_metrics.get("test"),
               "report": os.path.abspath(os.path.join(folder, rundir.REPORT))}
    rundir.write_json(folder, "metrics.json", summary)
    test = best_metrics.get("test") or {}
    headline = (f"test accuracy {test['accuracy']:.4f}" if "accuracy" in test else
                f"test MAE {test['mae']:.4g}" if "mae" in test else "no test split")
    body = [f"<h1>ember tune: {_e(settings['base']['data'])}</h1><p class=\"muted\">"
            f"{_e(os.path.abspath(folder))}</p>",
            f"<p class=\"headline\">Best trial {best.number}: {_e(scores(summary['best']))}"
            f"{_e(_default_note(summary['default'], best.number))}; "
            f"retrained{_e(_refit_note(refit, settings['info']))}: {_e(headline)} "
            f"(<a href=\"best/report.html\">its report</a>)</p>",
            "<h2>Search</h2>" + _table(None, [
                ["trials (complete / pruned / failed)", f"{states.count('COMPLETE')} / "
                 f"{states.count('PRUNED')} / {states.count('FAIL')}"],
                ["this pass", f"{new_trials} trials in {seconds:.1f} s"],
                ["search space", json.dumps(settings["space"])],
                ["rows (train / validation / test)", f"{settings['info']['n_train']} / "
                 f"{settings['info']['n_val']} / {settings['info']['n_test']}"]]),
            "<h2>Pictures</h2>" + (_pictures_html(folder) or "<p>No pictures (--no-plots, or "
                                                            "matplotlib is not installed).</p>"),
            "<h2>Parameter importances</h2>" + (_table(["parameter", "importance"], [
                [k, f"{v:.3f}"] for k, v in importances.items()]) if importances else
                "<p>Not enough finished trials.</p>"),
            "<h2>Best configuration</h2>" + _table(["option", "value"],
                                                   [[k, v] for k, v in best_cfg.items()], 2),
            "<h2>Trials</h2>" + _table(header, [[f"{c:.5g}" if isinstance(c, float) else c
                                                 for c in row] for row in rows])]
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ember tune"
            f"</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
    with writing("the report", os.path.join(folder, rundir.REPORT)):
        atomic_write_text(os.path.join(folder, rundir.REPORT), page)
    return summary
