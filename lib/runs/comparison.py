"""Smoothing, summarising and reading out training histories for the History page.

The runs come from lib.runs.store (the cached experiments, the user's runs, uploads); this module turns their
histories into the comparison table's numbers, a verdict on each run's stability, and the sentences the book's
figures are read with. How two runs' settings differ, and which book run is nearest, is lib.runs.recipes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.i18n import _, ngettext
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


def short_names(runs: list[Run]) -> dict[Path, str]:
    """Each run's label (by path) without the "group: " prefix that all of them share, for sentences."""
    labels = {run.path: run.label for run in runs}
    prefixes = {label.partition(": ")[0] for label in labels.values() if ": " in label}
    if len(prefixes) == 1 and all(": " in label for label in labels.values()):
        return {path: label.partition(": ")[2] for path, label in labels.items()}
    return labels


def best_and_final(run: Run) -> str:
    """'85.51% at epoch 287, final 85.41%': a run's best validation epoch and where it ended, side by side."""
    row = summary_row(run)
    if row["final val accuracy"] is None:
        return _("{best:.2%} at epoch {epoch}").format(best=row["best val accuracy"], epoch=row["best epoch"])
    return _("{best:.2%} at epoch {epoch}, final {final:.2%}").format(
        best=row["best val accuracy"], epoch=row["best epoch"], final=row["final val accuracy"])


def best_run_sentence(runs: list[Run], names: dict[Path, str]) -> str | None:
    """Which run validates best, preferring a steady one: a peak in a run that swings is luck, not a result."""
    scored = [run for run in runs if summary_row(run)["best val accuracy"] is not None]
    if not scored:
        return None

    def peak(run):
        return summary_row(run)["best val accuracy"]

    best = max(scored, key=peak)
    row = summary_row(best)
    where = _("{best:.2%} at epoch {epoch}").format(best=row["best val accuracy"], epoch=row["best epoch"])
    if not is_unstable(best):
        if row["final val accuracy"] is None:
            return _("The best validation accuracy, {where}, comes from {run}.").format(where=where,
                                                                                       run=names[best.path])
        return _("The best validation accuracy, {where}, comes from {run}; it ends at {final:.2%}.").format(
            where=where, run=names[best.path], final=row["final val accuracy"])
    sentence = _("The highest single epoch, {where}, comes from {run}, but that run is unstable: it {reason}.").format(
        where=where, run=names[best.path], reason=stability(best).reason())
    steady = [run for run in scored if not is_unstable(run)]
    if steady:
        runner_up = max(steady, key=peak)
        sentence += " " + _("Of the steady runs, {run} is best: {result}.").format(run=names[runner_up.path],
                                                                                  result=best_and_final(runner_up))
    return sentence


def unstable_sentence(runs: list[Run], names: dict[Path, str]) -> str | None:
    unstable = [run for run in runs if is_unstable(run)]
    if not unstable:
        return None
    named = "; ".join(_("{run} {reason}").format(run=names[run.path], reason=stability(run).reason(window=False))
                         for run in unstable)
    return ngettext("{count} of {total} runs is unstable (validation accuracy swinging more than {swing} per epoch "
                    "over the last {window} epochs, or ending more than {drop} below its best): {named}.",
                    "{count} of {total} runs are unstable (validation accuracy swinging more than {swing} per epoch "
                    "over the last {window} epochs, or ending more than {drop} below its best): {named}.",
                    len(unstable)).format(count=len(unstable), total=len(runs), swing=points(MAX_SWING),
                                          window=STABILITY_WINDOW, drop=points(MAX_DROP_FROM_BEST), named=named)


def read_optimizers(runs: list[Run]) -> list[str]:
    """Sentences about an optimizer comparison, read from the data."""
    if not runs:
        return []
    names = short_names(runs)
    sentences = []
    reached = [(run, summary_row(run)["epochs to 99%"]) for run in runs if summary_row(run)["epochs to 99%"]]
    if reached:
        fastest, epoch = min(reached, key=lambda item: item[1])
        sentences.append(_("{count} of {total} runs reached 99% validation accuracy; {run} got there first, at "
                           "epoch {epoch}.").format(count=len(reached), total=len(runs), run=names[fastest.path],
                                                    epoch=epoch))
    else:
        sentences.append(_("None of the {total} runs reached 99% validation accuracy.").format(total=len(runs)))
    scored = [run for run in runs if summary_row(run)["best val accuracy"] is not None]
    sentences.append(best_run_sentence(scored, names))
    if len(scored) > 1:
        worst = min(scored, key=lambda run: summary_row(run)["best val accuracy"])
        sentences.append(_("The lowest is {run}: {result}.").format(run=names[worst.path], result=best_and_final(worst)))
    sentences.append(unstable_sentence(runs, names))
    return [sentence for sentence in sentences if sentence]


def read_regularization(runs: list[Run]) -> list[str]:
    """Sentences about a small-data regularization comparison, read from the data.

    The gap is read from the steady runs only: a run whose validation accuracy swings has a gap that swings too.
    """
    gapped = [(run, generalization_gap(run)) for run in runs]
    gapped = [(run, gap) for run, gap in gapped if gap is not None]
    if not gapped:
        return []
    names = short_names([run for run, _gap in gapped])
    steady = [(run, gap) for run, gap in gapped if not is_unstable(run)]
    sentences = []
    if steady:
        (widest, wide_gap), (narrowest, narrow_gap) = (max(steady, key=lambda item: item[1]),
                                                       min(steady, key=lambda item: item[1]))
        all_steady = len(steady) == len(gapped)
        gaps = dict(window=STABILITY_WINDOW, widest=names[widest.path], wide_gap=points(wide_gap),
                    wide_train=_final(widest, "accuracy"), wide_val=_final(widest, "val_accuracy"),
                    narrowest=names[narrowest.path], narrow_gap=points(narrow_gap),
                    narrow_train=_final(narrowest, "accuracy"), narrow_val=_final(narrowest, "val_accuracy"))
        if all_steady:
            sentences.append(_("over the last {window} epochs, {widest} shows the widest train/validation gap "
                               "({wide_gap}: train {wide_train}, validation {wide_val}) and {narrowest} the narrowest "
                               "({narrow_gap}: train {narrow_train}, validation {narrow_val}).").format(**gaps))
        else:
            sentences.append(_("Of the steady runs, over the last {window} epochs, {widest} shows the widest "
                               "train/validation gap ({wide_gap}: train {wide_train}, validation {wide_val}) and "
                               "{narrowest} the narrowest ({narrow_gap}: train {narrow_train}, validation "
                               "{narrow_val}).").format(**gaps))
        overfit = [names[run.path] for run, gap in steady if gap > 0.1]
        if overfit:
            listed = ", ".join(overfit)
            if all_steady:
                sentence = _("{count} of {total} runs overfit (train accuracy more than 10 points above validation): "
                             "{runs}.")
            else:
                sentence = _("{count} of {total} steady runs overfit (train accuracy more than 10 points above "
                             "validation): {runs}.")
            sentences.append(sentence.format(count=len(overfit), total=len(steady), runs=listed))
    sentences.append(best_run_sentence([run for run, _gap in gapped], names))
    sentences.append(unstable_sentence([run for run, _gap in gapped], names))
    return [sentence[0].upper() + sentence[1:] for sentence in sentences if sentence]


def _final(run: Run, key: str) -> str:
    value = run.history[-1].get(key) if run.history else None
    return "-" if value is None else f"{value:.1%}"
