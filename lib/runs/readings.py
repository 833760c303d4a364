"""The sentences the book's figures are read with on the History page: which run validates best, which swing,
and what the optimizer and regularization experiments show, each computed from the runs' histories.

Every number and comparison a sentence states comes from lib.runs.comparison's measures of the runs given.
"""

from __future__ import annotations

from pathlib import Path

from lib.i18n import _, ngettext
from lib.runs.comparison import (
    MAX_DROP_FROM_BEST,
    MAX_SWING,
    STABILITY_WINDOW,
    generalization_gap,
    is_unstable,
    points,
    stability,
    summary_row,
)
from lib.runs.store import Run


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
