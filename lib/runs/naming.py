"""Names that tell the runs of a comparison apart.

A run's label (lib.runs.store.Run.label) is its recipe in a few words or the name it was given, so two runs that
differ only in a setting the recipe leaves out (batch-norm momentum, a seed) read the same. Where labels repeat,
each is followed by the settings in which the runs bearing it differ, "adam lr 0.001, 2 epochs (batch norm
momentum 0.9)"; runs whose settings are the same too are told apart by their ids.
"""

from __future__ import annotations

from collections import defaultdict

from lib.runs.recipes import _setting, differing_config, setting_name
from lib.runs.store import Run


def difference_words(runs: list[Run]) -> list[str]:
    """For each run, its values of the settings that differ between `runs`: "batch norm momentum 0.9, seed 2"."""
    differences = differing_config(runs)
    return [", ".join(f"{setting_name(key)} {_setting(values[index])}" for key, values in differences.items())
            for index in range(len(runs))]


def distinct_names(runs: list[Run], labels: list[str] | None = None) -> list[str]:
    """The runs' labels (or `labels`, one per run), each repeated one followed by what sets its run apart."""
    labels = [run.label for run in runs] if labels is None else list(labels)
    sharing = defaultdict(list)
    for index, label in enumerate(labels):
        sharing[label].append(index)
    names = list(labels)
    for label, indices in sharing.items():
        if len(indices) < 2:
            continue
        words = difference_words([runs[index] for index in indices])
        for index, what in zip(indices, words):
            names[index] = f"{label} ({what})" if what else label
        # Runs whose settings are the same as well (the same recipe trained twice) are told apart by their ids.
        repeated = defaultdict(list)
        for index in indices:
            repeated[names[index]].append(index)
        for name, same in repeated.items():
            if len(same) > 1:
                for index in same:
                    names[index] = f"{name} [{runs[index].run_id}]"
    return names
