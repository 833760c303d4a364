"""Reading, smoothing and summarising training histories for the History page.

Sources: the cached experiments in saved_models/, the user's runs, and uploads
(a Keras CSVLogger file, or a run zip downloaded from the Training page). A
malformed source is skipped with a note naming it; the rest still load.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lib.runs import Run, RunReadError, parse_history_csv, run_from_zip

THRESHOLDS = (0.97, 0.98, 0.99)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def run_from_upload(data: bytes, name: str) -> Run:
    """A Run from an uploaded CSVLogger CSV or run zip; RunReadError names what is wrong."""
    if not data:
        raise RunReadError(f"{name} is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise RunReadError(f"{name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    if name.lower().endswith(".zip"):
        return run_from_zip(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunReadError(f"{name} is not a text CSV file.") from error
    history = parse_history_csv(text, name)
    return Run(Path(name), {"name": Path(name).stem}, history, {}, source="upload")


def smooth(values, weight: float) -> list[float | None]:
    """Exponential moving average with bias correction (as TensorBoard's debiased smoothing).

    Without correction the average starts at zero and drags early points down;
    dividing by 1 - weight**t removes that start-up bias. Missing values stay missing.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight must be in [0, 1); got {weight}")
    average, steps, result = 0.0, 0, []
    for value in values:
        if value is None or not np.isfinite(value):
            result.append(None)
            continue
        steps += 1
        average = weight * average + (1 - weight) * value
        result.append(average / (1 - weight ** steps))
    return result


def column(run: Run, key: str) -> list[float | None]:
    return [row.get(key) for row in run.history]


def best_epoch(run: Run) -> int | None:
    """The epoch of the best validation accuracy (or, without it, the lowest validation/training loss)."""
    for key, pick in (("val_accuracy", np.nanargmax), ("val_loss", np.nanargmin), ("loss", np.nanargmin)):
        values = np.array([np.nan if v is None else v for v in column(run, key)], dtype=float)
        if values.size and not np.all(np.isnan(values)):
            return int(run.history[int(pick(values))]["epoch"])
    return None


def epochs_to_reach(run: Run, threshold: float, key: str = "val_accuracy") -> int | None:
    for row in run.history:
        if row.get(key) is not None and row[key] >= threshold:
            return int(row["epoch"])
    return None


def summary_row(run: Run) -> dict:
    """One line of the comparison table."""
    best = best_epoch(run)
    best_row = next((row for row in run.history if row.get("epoch") == best), {})
    last = run.history[-1] if run.history else {}
    seconds = [row["seconds"] for row in run.history if row.get("seconds") is not None]
    row = {
        "run": run.label, "source": run.source, "epochs": len(run.history),
        "best val accuracy": best_row.get("val_accuracy"), "best epoch": best,
        "final accuracy": last.get("accuracy"), "final val accuracy": last.get("val_accuracy"),
        "final loss": last.get("loss"), "final val loss": last.get("val_loss"),
    }
    for threshold in THRESHOLDS:
        row[f"epochs to {threshold:.0%}"] = epochs_to_reach(run, threshold)
    row["seconds / epoch"] = round(float(np.mean(seconds)), 2) if seconds else None
    row["parameters"] = run.metrics.get("parameters")
    row["test accuracy"] = run.metrics.get("test_accuracy")
    row["early stop at"] = run.metrics.get("early_stopped_epoch")
    return row


def differing_config(runs: list[Run]) -> dict[str, list]:
    """Config fields whose values differ between the runs (the name aside), with each run's value."""
    keys = sorted({key for run in runs for key in run.config} - {"name"})
    return {key: [run.config.get(key) for run in runs] for key in keys
            if len({json.dumps(run.config.get(key)) for run in runs}) > 1}


def generalization_gap(run: Run, last: int = 10) -> float | None:
    """Mean train accuracy minus validation accuracy over the last epochs: overfitting shows as a large gap."""
    rows = [row for row in run.history[-last:] if row.get("accuracy") is not None and row.get("val_accuracy") is not None]
    if not rows:
        return None
    return float(np.mean([row["accuracy"] - row["val_accuracy"] for row in rows]))


def read_optimizers(runs: list[Run]) -> list[str]:
    """Sentences about an optimizer comparison, read from the data."""
    if not runs:
        return []
    rows = [(run.label, summary_row(run)) for run in runs]
    sentences = []
    reached = [(label, row["epochs to 99%"]) for label, row in rows if row["epochs to 99%"]]
    if reached:
        fastest = min(reached, key=lambda item: item[1])
        sentences.append(f"{len(reached)} of {len(rows)} runs reached 99% validation accuracy; "
                         f"{fastest[0]} got there first, at epoch {fastest[1]}.")
    else:
        sentences.append(f"None of the {len(rows)} runs reached 99% validation accuracy.")
    ranked = sorted(rows, key=lambda item: item[1]["best val accuracy"] or 0)
    worst, best = ranked[0], ranked[-1]
    sentences.append(f"Best: {best[0]} at {best[1]['best val accuracy']:.2%}. "
                     f"Worst: {worst[0]} at {worst[1]['best val accuracy']:.2%}.")
    return sentences


def read_regularization(runs: list[Run]) -> list[str]:
    """Sentences about a small-data regularization comparison, read from the data."""
    gaps = [(run.label, generalization_gap(run), summary_row(run)["best val accuracy"]) for run in runs]
    gaps = [item for item in gaps if item[1] is not None]
    if not gaps:
        return []
    widest = max(gaps, key=lambda item: item[1])
    narrowest = min(gaps, key=lambda item: item[1])
    best = max(gaps, key=lambda item: item[2] or 0)
    overfit = [label for label, gap, _ in gaps if gap > 0.1]
    sentences = [f"Over the last epochs, {widest[0]} shows the widest train/validation gap "
                 f"({widest[1]:.1%} of accuracy) and {narrowest[0]} the narrowest ({narrowest[1]:.1%})."]
    if overfit:
        sentences.append(f"{len(overfit)} of {len(gaps)} runs overfit (train accuracy more than 10 points above "
                         f"validation): {', '.join(overfit)}.")
    sentences.append(f"The best validation accuracy, {best[2]:.2%}, comes from {best[0]}.")
    return sentences
