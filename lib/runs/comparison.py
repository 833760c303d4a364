"""Smoothing and summarising training histories for the History page: the comparison table's measures.

The runs come from lib.runs.store (the cached experiments, the user's runs, uploads); this module turns their
histories into the comparison table's numbers and a verdict on each run's stability. The sentences the book's
figures are read with are lib.runs.readings's; how two runs' settings differ, and which book run is nearest,
lib.runs.recipes's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.i18n import _
from lib.runs.store import Run

THRESHOLDS = (0.97, 0.98, 0.99)
# A run is unstable when, over its last STABILITY_WINDOW epochs, its validation accuracy moves back and forth
# by more than MAX_SWING per epoch, or when it ends more than MAX_DROP_FROM_BEST below its best epoch. On the
# cached experiments this splits cleanly: steady runs swing at most 1.2 points per epoch (L1 alone) and end
# within 0.7 points of their best; the unstable ones swing 5 to 13 points or end 15 to 34 points below it.
STABILITY_WINDOW = 10
MAX_SWING = 0.02
MAX_DROP_FROM_BEST = 0.05


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


def swing(values: list[float | None], last: int = STABILITY_WINDOW) -> float | None:
    """How far a curve moves back and forth per epoch over its last epochs, trend aside.

    The sum of the epoch-to-epoch changes' sizes, less the size of the net change, per change: a curve that
    only climbs (or only falls) swings 0 however steep it is; one that goes up 10 and down 10 swings 10 per
    change. None with fewer than two values.
    """
    points = [value for value in values if value is not None and np.isfinite(value)][-last:]
    if len(points) < 2:
        return None
    changes = np.diff(points)
    return float((np.abs(changes).sum() - abs(points[-1] - points[0])) / len(changes))


@dataclass
class Stability:
    """Whether a run's validation accuracy settled: the numbers the verdict is read from."""

    swing: float  # back-and-forth per epoch over the last STABILITY_WINDOW epochs (see `swing`)
    best: float  # the best validation accuracy
    final: float  # the last one

    @property
    def drop_from_best(self) -> float:
        return self.best - self.final

    @property
    def unstable(self) -> bool:
        return self.swing > MAX_SWING or self.drop_from_best > MAX_DROP_FROM_BEST

    def reason(self, window: bool = True) -> str:
        """What makes the run unstable, in numbers, and where it ends ("swings 7.2 points per epoch ...")."""
        if self.drop_from_best > MAX_DROP_FROM_BEST:
            ending = _("ends at {final:.2%}, {drop} below its best").format(final=self.final,
                                                                             drop=points(self.drop_from_best))
        else:
            ending = _("ends at {final:.2%}").format(final=self.final)
        if self.swing <= MAX_SWING:
            return ending
        if window:
            swings = _("swings {swing} per epoch over its last {window} epochs").format(
                swing=points(self.swing), window=STABILITY_WINDOW)
        else:
            swings = _("swings {swing} per epoch").format(swing=points(self.swing))
        return _("{swings} and {ending}").format(swings=swings, ending=ending)


def points(difference: float) -> str:
    """A difference of accuracies in percentage points: 0.072 -> '7.2 points', 0.02 -> '2 points'."""
    return _("{points} points").format(points=f"{difference * 100:.1f}".removesuffix(".0"))


def stability(run: Run) -> Stability | None:
    """The run's validation-accuracy stability, or None when it has fewer than two validated epochs."""
    values = [value for value in column(run, "val_accuracy") if value is not None and np.isfinite(value)]
    moved = swing(values)
    if moved is None:
        return None
    return Stability(moved, float(max(values)), float(values[-1]))


def summary_row(run: Run) -> dict:
    """One line of the comparison table: the best epoch and the final one side by side."""
    best = best_epoch(run)
    best_row = next((row for row in run.history if row.get("epoch") == best), {})
    last = run.history[-1] if run.history else {}
    seconds = [row["seconds"] for row in run.history if row.get("seconds") is not None]
    steadiness = stability(run)
    row = {
        "run": run.label, "source": run.source, "epochs": len(run.history),
        "best val accuracy": best_row.get("val_accuracy"), "best epoch": best,
        "final val accuracy": last.get("val_accuracy"),
        "stability": None if steadiness is None else "unstable" if steadiness.unstable else "steady",
        "val accuracy swing / epoch": None if steadiness is None else steadiness.swing,
        "final accuracy": last.get("accuracy"), "final loss": last.get("loss"), "final val loss": last.get("val_loss"),
    }
    for threshold in THRESHOLDS:
        row[f"epochs to {threshold:.0%}"] = epochs_to_reach(run, threshold)
    row["seconds / epoch"] = round(float(np.mean(seconds)), 2) if seconds else None
    row["parameters"] = run.metrics.get("parameters")
    row["test accuracy"] = run.metrics.get("test_accuracy")
    row["early stop at"] = run.metrics.get("early_stopped_epoch")
    return row


def format_measure(key: str, value) -> str:
    """One value of the comparison table as it is shown: accuracies (and their swing) as percents, whole numbers
    with thousands separators, other numbers to four significant digits, a dash where there is none."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"  # a dash, not "-": a table cell is Markdown, where a lone hyphen draws a bullet
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    if "accuracy" in key:
        return f"{value:.2%}"
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def generalization_gap(run: Run, last: int = STABILITY_WINDOW) -> float | None:
    """Mean train accuracy minus validation accuracy over the last epochs: overfitting shows as a large gap."""
    rows = [row for row in run.history[-last:] if row.get("accuracy") is not None and row.get("val_accuracy") is not None]
    if not rows:
        return None
    return float(np.mean([row["accuracy"] - row["val_accuracy"] for row in rows]))


def is_unstable(run: Run) -> bool:
    steadiness = stability(run)
    return steadiness is not None and steadiness.unstable
