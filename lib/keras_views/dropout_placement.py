"""Where to put dropout: the cached runs of LeNet-5 with dropout after the conv blocks and after Dense(120).

scripts/dropout_placement.py trains them (Quick look preset, dropout 0.25, several seeds) into
saved_models/dropout-placement/. This module reads them back and compares the two placements, with the
seed-to-seed spread as the yardstick: a difference no larger than the spread is not evidence of anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.i18n import N_, _
from lib.runs.history_file import RunReadError
from lib.runs.store import SAVED_MODELS, load_run

PLACEMENT_DIR = SAVED_MODELS / "dropout-placement"
PLACEMENTS = {"conv": N_("after the conv blocks"), "dense": N_("after Dense(120)")}
RATE = 0.25
SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Placement:
    test_accuracies: list[float]  # one per seed

    @property
    def mean(self) -> float:
        return float(np.mean(self.test_accuracies))

    @property
    def spread(self) -> float:
        """Best seed minus worst seed."""
        return float(np.ptp(self.test_accuracies))


@dataclass(frozen=True)
class PlacementComparison:
    placements: dict[str, Placement]
    seeds: int
    epochs: int
    train_samples: int

    @property
    def better(self) -> str:
        return max(self.placements, key=lambda name: self.placements[name].mean)

    @property
    def difference(self) -> float:
        """The better placement's mean test accuracy minus the other's."""
        means = sorted((placement.mean for placement in self.placements.values()), reverse=True)
        return means[0] - means[1]

    @property
    def noise(self) -> float:
        """The largest seed-to-seed spread of either placement."""
        return max(placement.spread for placement in self.placements.values())

    @property
    def within_noise(self) -> bool:
        return self.difference <= self.noise


def compare_placements(root: Path = PLACEMENT_DIR) -> PlacementComparison:
    """Read every cached placement run under `root`; RunReadError if one is missing or unreadable."""
    placements, epochs, samples = {}, set(), set()
    for place in PLACEMENTS:
        accuracies = []
        for seed in SEEDS:
            run = load_run(Path(root) / f"{place}-seed{seed}", source="experiment")
            if run.config.get("dropout_at") != place or "test_accuracy" not in run.metrics or not run.history:
                raise RunReadError(_("Run {run} is not a finished {place} run.").format(run=run.path.name, place=place))
            accuracies.append(float(run.metrics["test_accuracy"]))
            epochs.add(len(run.history))
            samples.add(int(run.config["train_samples"]))
        placements[place] = Placement(accuracies)
    return PlacementComparison(placements, len(SEEDS), max(epochs), max(samples))
