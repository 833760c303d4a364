"""What the book's cached optimizer runs (saved_models/optimizers) show, every sentence computed from them.

The Optimizers page ends with the same optimizers training LeNet-5 on MNIST; its words come from the runs the
History page draws, so the two pages cannot disagree, and a re-created run (`python -m lib.runs.experiments
optimizers`) rewrites them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib.engine.optimizers import OPTIMIZER_NAMES
from lib.i18n import _, ngettext
from lib.keras_views.optimizer_wording import join
from lib.runs.store import SAVED_MODELS, list_runs

OPTIMIZER_RUNS = SAVED_MODELS / "optimizers"
TARGET = 0.99  # the validation accuracy a run races to: LeNet-5's mark on MNIST


@dataclass(frozen=True)
class RaceEntry:
    """One cached run: its optimizer and rate, and when its validation accuracy first reached the target."""

    optimizer: str
    rate: float
    epochs: int  # epochs it trained
    first_epoch: int | None  # the first epoch at or above the target, None if none was
    best: float  # its best validation accuracy
    final: float  # its last epoch's

    @property
    def shown(self) -> str:
        return _("{name} at rate {rate:g}").format(name=OPTIMIZER_NAMES.get(self.optimizer, self.optimizer), rate=self.rate)


def race(root: Path = OPTIMIZER_RUNS, target: float = TARGET) -> list[RaceEntry]:
    """The cached optimizer runs, first to reach `target` first; those that never did after, best first."""
    runs, _notes = list_runs(root, source="experiment")
    entries = []
    for run in runs:
        rows = [row for row in run.history if row.get("val_accuracy") is not None]
        if not rows or run.config.get("optimizer") not in OPTIMIZER_NAMES:
            continue
        accuracies = [float(row["val_accuracy"]) for row in rows]
        rate = rows[-1].get("learning_rate") or run.config.get("learning_rate")
        first = next((int(row["epoch"]) for row in rows if float(row["val_accuracy"]) >= target), None)
        entries.append(RaceEntry(run.config["optimizer"], float(rate), len(rows), first, max(accuracies),
                                 accuracies[-1]))
    return sorted(entries, key=lambda entry: (entry.first_epoch is None, entry.first_epoch or 0, -entry.best))


def describe_race(entries: list[RaceEntry], target: float = TARGET) -> list[str]:
    """Who reached `target` validation accuracy, in which epoch, in order; who never did, and their best."""
    reached = [entry for entry in entries if entry.first_epoch is not None]
    missed = [entry for entry in entries if entry.first_epoch is None]
    sentences = []
    if reached:
        sentences.append(_("First to {target:.0%} validation accuracy: {order}.").format(target=target, order=join(
            [_("{run} (epoch {epoch})").format(run=entry.shown, epoch=entry.first_epoch) for entry in reached])))
    if missed:
        epochs = max(entry.epochs for entry in missed)
        sentences.append(ngettext("Never there in {epochs} epoch: {runs}.", "Never there in {epochs} epochs: {runs}.",
                                  epochs).format(epochs=epochs, runs=join(
            [_("{run} (best {best:.1%}, last {final:.1%})").format(run=entry.shown, best=entry.best,
                                                                    final=entry.final) for entry in missed])))
    return sentences
