"""lib.runs.labels: a run's recipe in a few words."""

from lib.engine.config import TrainingConfig
from lib.runs.labels import describe_config


def test_label_names_the_rate_used_the_schedule_and_a_model_other_than_lenet5():
    config = TrainingConfig(model="dense", optimizer="sgd", learning_rate=0.05, lr_schedule="cosine", epochs=1)
    assert describe_config(config.to_dict()) == "dense, sgd lr 0.05 (cosine), 1 epoch"


def test_the_label_of_a_run_on_its_own_classes_names_them():
    config = TrainingConfig(optimizer="adam", epochs=60, augment=True).to_dict() | {"data": "shapes.zip"}
    assert describe_config(config | {"class_names": ["circle", "cross"]}) == \
        "adam lr 0.001, 60 epochs on circle, cross, augmented"
    assert describe_config(config | {"class_names": list("abcde")}) == "adam lr 0.001, 60 epochs on own classes, augmented"
