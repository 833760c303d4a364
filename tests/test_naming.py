"""Names that tell the runs of a comparison apart: repeated labels say what differs, the rest stay as they are."""

from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.runs.naming import distinct_names
from lib.runs.recipes import setting_name
from lib.runs.store import Run


def run(run_id: str, **config) -> Run:
    return Run(Path("/runs") / run_id, TrainingConfig(**({"optimizer": "adam", "epochs": 2} | config)).to_dict(), [], {})


def test_runs_that_differ_only_in_momentum_are_named_by_their_momentum():
    first, second = run("a", batch_norm=True, batch_norm_momentum=0.9), run("b", batch_norm=True,
                                                                            batch_norm_momentum=0.99)
    assert first.label == second.label  # the recipe leaves momentum out
    momentum = setting_name("batch_norm_momentum")
    assert distinct_names([first, second]) == [f"{first.label} ({momentum} 0.9)", f"{first.label} ({momentum} 0.99)"]


def test_a_label_that_does_not_repeat_is_left_as_it_is():
    lone, twin_a, twin_b = run("a", epochs=5), run("b", seed=1), run("c", seed=2)
    names = distinct_names([lone, twin_a, twin_b])
    assert names[0] == lone.label
    seed = setting_name("seed")
    assert names[1:] == [f"{twin_a.label} ({seed} 1)", f"{twin_a.label} ({seed} 2)"]


def test_the_same_recipe_trained_twice_is_told_apart_by_its_run_ids():
    names = distinct_names([run("20261201-a"), run("20261201-b")])
    assert len(set(names)) == 2
    assert names[0].endswith("[20261201-a]") and names[1].endswith("[20261201-b]")


def test_given_labels_are_used_in_place_of_the_runs_own():
    names = distinct_names([run("a", seed=1), run("b", seed=2)], labels=["my runs/x", "shared/x"])
    assert names == ["my runs/x", "shared/x"]
