"""How runs' settings compare: the settings that differ between runs, and the book run nearest to a learner's."""

from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.runs.recipes import differing_config, nearest_book_run, setting_name
from lib.runs.store import SAVED_MODELS, Run, experiment_runs


def make_run(rows, config=None, metrics=None, name="run"):
    return Run(Path(name), {"name": name, **(config or {})}, rows, metrics or {})


def test_differing_config_lists_only_fields_that_differ_with_the_learning_rate_each_trained_at():
    runs = [make_run([], {"optimizer": "sgd", "epochs": 20}), make_run([], {"optimizer": "adam", "epochs": 20})]
    assert differing_config(runs) == {"optimizer": ["sgd", "adam"], "learning_rate": [0.01, 0.001]}


def test_a_setting_a_run_does_not_use_or_an_older_run_lacks_is_no_difference():
    older = make_run([], {"optimizer": "sgd", "epochs": 20}, name="older")  # written before batch_norm_momentum
    newer = make_run([], TrainingConfig(epochs=20, batch_norm_momentum=0.9).to_dict(), name="newer")
    assert differing_config([older, newer]) == {}
    with_batch_norm = make_run([], TrainingConfig(epochs=20, batch_norm=True, batch_norm_momentum=0.9).to_dict())
    assert differing_config([older, with_batch_norm]) == {"batch_norm": [False, True],
                                                          "batch_norm_momentum": [None, 0.9]}


def test_an_upload_without_a_training_config_gets_no_invented_settings():
    upload = make_run([], name="my_log")
    assert differing_config([upload, make_run([], {"optimizer": "adam"}, name="other")])["optimizer"] == [None, "adam"]


def recipe_run(name="mine", **values):
    return Run(Path(name), TrainingConfig(**values).to_dict(), [], {})


def test_nearest_book_run_to_a_quick_look_run_is_the_adam_run():
    book, _ = experiment_runs()
    nearest = nearest_book_run(recipe_run(optimizer="adam", batch_size=128, train_samples=6000, epochs=3), book)
    assert nearest.run.path == SAVED_MODELS / "optimizers" / "adam"
    assert nearest.same_optimizer_and_regularizers
    assert nearest.differences == {"batch_size": (32, 128), "epochs": (20, 3), "train_samples": (60000, 6000)}
    assert nearest.explanation() == ("same optimizer and regularizers; 3 settings differ: batch size 32 (yours 128), "
                                     "epochs 20 (yours 3), training images 60,000 (yours 6,000)")


def test_nearest_book_run_to_a_small_data_batch_norm_run_is_the_book_batch_norm_run():
    book, _ = experiment_runs()
    nearest = nearest_book_run(recipe_run(train_samples=200, epochs=100, batch_norm=True, batch_norm_momentum=0.9), book)
    assert nearest.run.path == SAVED_MODELS / "regularizers" / "batch-norm"
    assert set(nearest.differences) == {"epochs", "batch_norm_momentum"}


def test_nearest_book_run_breaks_a_tie_towards_the_same_optimizer_and_regularizers():
    other_optimizer = recipe_run("a", optimizer="adam", learning_rate=0.01, epochs=20)
    same_optimizer = recipe_run("b", optimizer="sgd", epochs=20, batch_size=64)
    nearest = nearest_book_run(recipe_run(epochs=20), [other_optimizer, same_optimizer])
    assert nearest.run is same_optimizer and len(nearest.differences) == 1


def test_an_unset_learning_rate_is_the_same_recipe_as_keras_default_written_out():
    nearest = nearest_book_run(recipe_run(optimizer="adam"), [recipe_run("book", optimizer="adam", learning_rate=0.001)])
    assert nearest.differences == {} and nearest.explanation() == "the same settings as yours"


def test_batch_norm_on_versus_off_is_one_difference_not_two():
    nearest = nearest_book_run(recipe_run(batch_norm=True, batch_norm_momentum=0.9), [recipe_run("book")])
    assert nearest.differences == {"batch_norm": (False, True)}


def test_a_run_of_its_own_classes_differs_from_a_book_run_in_a_column_named_for_people():
    own = Run(Path("own"), {"optimizer": "adam", "epochs": 2, "data": "sha256:0123456789abcdef",
                            "class_names": ["circle", "cross"]}, [], {})
    book = Run(Path("book"), {"optimizer": "adam", "epochs": 2}, [], {})
    differences = differing_config([own, book])
    assert differences["class_names"] == [["circle", "cross"], None]
    assert [setting_name(key) for key in ("class_names", "data")] == ["classes", "training data"]
