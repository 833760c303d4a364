"""The Keras basics page computes what it shows: change the example and the page follows."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, open_app

keras = pytest.importorskip("keras")
from lib.engine.models import build_model
from lib.keras_views.keras_basics import crossentropy_pair, parameter_arithmetic


def test_book_loss_example_agrees_between_sparse_and_categorical():
    result = crossentropy_pair([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(result["sparse"], result["categorical"], rtol=1e-5)  # float32 rounding
    np.testing.assert_allclose(result["sparse"], [-np.log(0.95), -np.log(0.1)], rtol=1e-5)


def test_a_row_above_one_is_flagged_and_the_two_losses_part():
    # p(0) = 2: categorical divides the row by its sum first; sparse clips 2 to 1 - epsilon first.
    result = crossentropy_pair([1, 2], [[2.0, 0.95, 0.0], [0.1, 0.8, 0.1]])
    assert result["not_distributions"] == [0] and result["differing_rows"] == [0]
    assert result["row_sums"][0] == pytest.approx(2.95)
    assert result["categorical"][0] == pytest.approx(-np.log(0.95 / 2.95), rel=1e-4)
    assert result["sparse"][0] == pytest.approx(-np.log(0.95 / 1.95), rel=1e-4)
    assert result["as_typed"][0] == pytest.approx(-np.log(0.95), rel=1e-5)  # the row as typed, not rescaled


def test_a_row_below_one_is_flagged_but_both_losses_rescale_it_alike():
    result = crossentropy_pair([1], [[0.2, 0.4, 0.2]])
    assert result["not_distributions"] == [0] and result["differing_rows"] == []
    assert result["sparse"][0] == pytest.approx(-np.log(0.5), rel=1e-4)
    assert result["categorical"][0] == pytest.approx(-np.log(0.5), rel=1e-4)


def test_the_books_rows_are_distributions():
    result = crossentropy_pair([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    assert result["not_distributions"] == [] and result["differing_rows"] == []


def test_parameter_arithmetic_spells_out_the_dense_layer():
    rows = parameter_arithmetic(build_model("dense", "sequential"))
    assert rows[0]["arithmetic"] == "784 x 128 + 128" and rows[0]["parameters"] == 100_480
    assert sum(row["parameters"] for row in rows) == 101_770


def open_basics(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = open_app("pages/chapter2/keras_basics.py", timeout=120)
    assert not app.exception
    return app


def markdown_text(app) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_page_follows_an_edited_loss_example(tmp_path, monkeypatch):
    app = open_basics(tmp_path, monkeypatch)
    book_mean = (-np.log(0.95) - np.log(0.1)) / 2
    assert f"sparse **{book_mean:.4f}**" in markdown_text(app)
    app.text_input(key="basics_y_true").set_value("1, 1").run()
    edited_mean = (-np.log(0.95) - np.log(0.8)) / 2
    assert f"sparse **{edited_mean:.4f}**, categorical **{edited_mean:.4f}**" in markdown_text(app)
    app.text_input(key="basics_y_true").set_value("1, x").run()
    assert app.error and "Cannot compute the losses" in app.error[0].value


def test_page_says_a_row_above_one_is_no_distribution_and_the_losses_differ(tmp_path, monkeypatch):
    import lib.keras_views.keras_basics as basics

    monkeypatch.setattr(basics, "BOOK_Y_PRED", [[2.0, 0.95, 0.0], [0.1, 0.8, 0.1]])
    app = open_basics(tmp_path, monkeypatch)
    result = crossentropy_pair([1, 2], basics.BOOK_Y_PRED)
    text = markdown_text(app)
    assert "They agree" not in text
    difference = abs(result["sparse_mean"] - result["categorical_mean"])
    assert f"They differ on row 0, by **{difference:.4f}** on the mean" in text
    assert any("Row 0 sums to 2.95, not 1" in warning.value for warning in app.warning)


def test_page_says_the_books_losses_agree(tmp_path, monkeypatch):
    app = open_basics(tmp_path, monkeypatch)
    assert "They agree because the one-hot vector" in markdown_text(app)
    assert not any("not a probability distribution" in warning.value for warning in app.warning)


def test_page_follows_the_learning_rate_and_the_models(tmp_path, monkeypatch):
    app = open_basics(tmp_path, monkeypatch)
    app.number_input(key="basics_rate").set_value(0.25).run()
    assert "SGD(learning_rate=0.25)` sets it: 0.25" in markdown_text(app)
    text = markdown_text(app)
    assert "784 x 128 + 128 = **100,480**" in text
    assert "Total: 100,480 + 1,290 = **101,770**" in text
    assert "5 x 5 x 1 x 6 + 6 = **156**" in text  # LeNet-5's first conv layer


def test_conv1_takes_any_size_and_the_dense_network_refuses_with_keras_message():
    from lib.keras_views.keras_basics import input_size_experiment

    lenet = keras.saving.load_model(ROOT / "saved_models/shipped/lenet5/model.keras")
    dense = keras.saving.load_model(ROOT / "saved_models/baseline/dense-sgd/model.keras")
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    result = input_size_experiment(lenet, dense, digit)
    assert [maps.shape for maps in result["maps"].values()] == [(28, 28, 6), (64, 64, 6)]
    assert result["conv1_parameters"] == 156
    assert "784" in result["dense_error"] and "4096" in result["dense_error"] and "\x1b" not in result["dense_error"]


def test_accuracy_metric_runs_from_predictions_one_update_at_a_time():
    from lib.keras_views.keras_basics import accuracy_updates

    rows = accuracy_updates([1, 2, 3, 4], [1, 0, 3, 4])
    assert [row["accuracy.result()"] for row in rows] == pytest.approx([1.0, 0.5, 2 / 3, 0.75])


def test_books_metric_example_ends_at_two_thirds():
    from lib.keras_views.keras_basics import BOOK_METRIC_PRED, BOOK_METRIC_TRUE, accuracy_updates

    rows = accuracy_updates(BOOK_METRIC_TRUE, BOOK_METRIC_PRED)
    assert [row["accuracy.result()"] for row in rows] == pytest.approx([1.0, 1.0, 2 / 3])
    assert [row["correct"] for row in rows] == [True, True, False]


def test_accuracy_refuses_predictions_that_do_not_pair_with_labels():
    from lib.keras_views.keras_basics import accuracy_updates

    with pytest.raises(ValueError, match="3 labels, 2 predictions"):
        accuracy_updates([1, 0, 1], [1, 0])


def test_typed_labels_name_the_entry_that_is_not_a_number():
    from lib.keras_views.keras_basics import parse_labels

    assert parse_labels(" 1, 0,1 ") == [1, 0, 1]
    with pytest.raises(ValueError, match="'x' is not a whole number"):
        parse_labels("1, x")


def test_first_mistake_is_the_first_prediction_off_its_label():
    from lib.keras_views.keras_basics import first_mistake

    assert first_mistake([3, 1, 4, 1, 5], [3, 1, 4, 7, 0]) == 3
    assert first_mistake([3, 1], [3, 1]) is None


def test_open_questions_start_from_the_books_accuracy_example(tmp_path, monkeypatch):
    app = open_basics(tmp_path, monkeypatch)
    table = next(frame.value for frame in app.dataframe if "accuracy.result()" in frame.value.columns)
    assert table["accuracy.result()"].tolist() == pytest.approx([1.0, 1.0, 2 / 3])
    assert "After 3 updates: **66.67%**" in markdown_text(app)
    app.text_input(key="basics_metric_pred").set_value("1, 0, 1").run()
    assert "After 3 updates: **100.00%**" in markdown_text(app)


def test_train_button_trains_with_the_rate_in_the_box(tmp_path, monkeypatch):
    import ui.jobs

    submitted = []
    monkeypatch.setattr(ui.jobs, "submit", lambda config, demo_workers=0: submitted.append(config))
    app = open_basics(tmp_path, monkeypatch)
    app.number_input(key="basics_rate").set_value(0.25).run()
    app.button(key="basics_train").click().run()
    assert not app.exception
    assert [config.learning_rate for config in submitted] == [0.25]
    assert submitted[0].optimizer == "sgd" and submitted[0].model == "dense"


def test_custom_scalars_are_read_back_by_tensorboard(tmp_path):
    from lib.keras_views.keras_basics import write_and_read_scalars

    points = write_and_read_scalars(tmp_path, "running_accuracy", [0.5, 0.25, 1.0])
    assert points == [(0, 0.5), (1, 0.25), (2, 1.0)]


def test_a_visitors_scalar_folder_is_reused_emptied_and_a_stale_one_is_removed(tmp_path):
    import os
    import time

    from lib.keras_views.keras_basics import SCALARS_FOLDER, SCALARS_KEPT_SECONDS, scalar_folder

    first = scalar_folder(root=tmp_path)
    assert first.parent == tmp_path / SCALARS_FOLDER and list(first.iterdir()) == []
    (first / "events.out").write_text("old")
    again = scalar_folder(str(first), root=tmp_path)
    assert again == first and list(again.iterdir()) == []  # the same visitor: the same folder, emptied
    other = scalar_folder(root=tmp_path)
    assert other != first
    # A folder left by a visit a day ago goes when the next is handed out; the visitor's own and recent ones stay.
    stale = time.time() - SCALARS_KEPT_SECONDS - 60
    os.utime(other, (stale, stale))
    os.utime(first, (stale, stale))
    scalar_folder(str(first), root=tmp_path)
    assert first.is_dir() and not other.exists()
    # Not under the scalars' folder (a session value from elsewhere): a new folder, the old path left alone.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert scalar_folder(str(elsewhere), root=tmp_path).parent == tmp_path / SCALARS_FOLDER and elsewhere.is_dir()
