"""Reading and summarising histories: CSVLogger files, run zips, smoothing, the table's numbers."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.engine.config import TrainingConfig
from lib.runs.comparison import (
    MAX_SWING,
    differing_config,
    epochs_to_reach,
    generalization_gap,
    nearest_book_run,
    read_optimizers,
    read_regularization,
    run_from_upload,
    smooth,
    stability,
    summary_row,
    swing,
)
from lib.runs.store import (
    SAVED_MODELS,
    Run,
    RunBuilder,
    RunReadError,
    describe_config,
    experiment_runs,
    list_runs,
    load_run,
)
from lib.runs.workspaces import new_token, workspace_dir
from tests.conftest import ROOT
from ui.charts import Curves, curves_figure, epoch_tick_step
from ui.job_views import HISTORY_FOCUS_KEY

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n2,0.99,0.05,0.991,0.06\n"


def make_run(rows, config=None, metrics=None, name="run"):
    return Run(Path(name), {"name": name, **(config or {})}, rows, metrics or {})


def test_csv_logger_file_is_read_with_epochs_counted_from_one():
    run = run_from_upload(CSV_LOGGER.encode(), "log.csv")
    assert [row["epoch"] for row in run.history] == [1, 2, 3]
    assert run.history[1]["val_accuracy"] == pytest.approx(0.985)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"time,value\n1,2\n", "needs an 'epoch' column"),
    (b"epoch,loss\n0,abc\n", "line 2: loss is 'abc'"),
    (b"epoch,loss\n", "no epochs"),
    (b"\xff\xfe\x00garbage", "not a text CSV"),
])
def test_malformed_uploads_are_refused_naming_the_problem(content, message):
    with pytest.raises(RunReadError, match=message):
        run_from_upload(content, "bad.csv")


def test_run_zip_from_the_training_page_is_read_back(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("my-run/config.json", json.dumps({"optimizer": "adam", "name": "mine"}))
        archive.writestr("my-run/metrics.json", json.dumps({"test_accuracy": 0.98}))
        archive.writestr("my-run/history.csv", "epoch,loss,accuracy\n1,0.5,0.9\n")
    run = run_from_upload(buffer.getvalue(), "my-run.zip")
    assert run.config["optimizer"] == "adam" and run.metrics["test_accuracy"] == 0.98 and len(run.history) == 1


def test_smoothing_is_bias_corrected_so_the_first_point_is_kept():
    assert smooth([1.0, 1.0, 1.0], 0.9) == pytest.approx([1.0, 1.0, 1.0])
    assert smooth([0.0, 1.0], 0.5)[1] == pytest.approx(2 / 3)
    assert smooth([1.0, None, 3.0], 0.0) == [1.0, None, 3.0]


def test_summary_row_finds_best_epoch_and_thresholds():
    run = make_run([{"epoch": 1, "val_accuracy": 0.96, "seconds": 2}, {"epoch": 2, "val_accuracy": 0.992, "seconds": 4},
                    {"epoch": 3, "val_accuracy": 0.99, "seconds": 3}], metrics={"parameters": 61706})
    row = summary_row(run)
    assert row["best epoch"] == 2 and row["best val accuracy"] == pytest.approx(0.992)
    assert row["epochs to 97%"] == 2 and row["epochs to 99%"] == 2
    assert row["seconds / epoch"] == 3 and row["parameters"] == 61706
    assert epochs_to_reach(run, 0.999) is None


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


def test_regularization_reading_names_the_overfitting_run():
    overfit = make_run([{"epoch": 1, "accuracy": 1.0, "val_accuracy": 0.7}], name="none")
    steady = make_run([{"epoch": 1, "accuracy": 0.8, "val_accuracy": 0.78}], name="dropout")
    assert generalization_gap(overfit) == pytest.approx(0.3)
    text = " ".join(read_regularization([overfit, steady]))
    assert "none shows the widest" in text and "1 of 2 runs overfit" in text


def test_listing_skips_a_broken_run_with_a_note_and_keeps_the_rest(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "config.json").write_text("{}")
    (good / "metrics.json").write_text("{}")
    (good / "history.csv").write_text("epoch,loss\n1,0.5\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    runs, notes = list_runs(tmp_path)
    assert [run.run_id for run in runs] == ["good"]
    assert notes == ["Run broken is missing metrics.json."]


def steady_rows(epochs=30, end=0.9):
    """A run that climbs towards `end` and settles, training accuracy a little above validation."""
    return [{"epoch": epoch, "accuracy": min(1.0, end * (1 - 0.5 ** epoch) + 0.05),
             "val_accuracy": end * (1 - 0.5 ** epoch)} for epoch in range(1, epochs + 1)]


def swinging_rows(epochs=30, amplitude=0.1):
    """A run whose validation accuracy jumps up and down by `amplitude` every epoch."""
    return [{"epoch": epoch, "accuracy": 1.0, "val_accuracy": 0.8 - amplitude * (epoch % 2)}
            for epoch in range(1, epochs + 1)]


def test_swing_ignores_a_steady_climb_however_steep():
    assert swing([0.1, 0.3, 0.5, 0.7, 0.9]) == pytest.approx(0.0)
    assert swing([0.9, 0.8, 0.7]) == pytest.approx(0.0)


def test_swing_measures_back_and_forth_per_epoch():
    assert swing([0.8, 0.7, 0.8, 0.7, 0.8]) == pytest.approx(0.1 * 4 / 4)
    assert swing([0.5, 0.9, 0.5]) == pytest.approx(0.4)  # up 40 and down 40 points: 0.8 moved, 0 net, per 2 changes
    assert swing([0.5]) is None


def test_swing_reads_only_the_last_epochs():
    assert swing([0.1, 0.9, 0.1, 0.9] + [0.95] * 10) == pytest.approx(0.0)


def test_a_steady_run_is_not_unstable():
    verdict = stability(make_run(steady_rows()))
    assert not verdict.unstable and verdict.swing == pytest.approx(0.0)


def test_a_run_that_swings_more_than_the_limit_is_unstable():
    assert stability(make_run(swinging_rows(amplitude=MAX_SWING * 2))).unstable
    assert not stability(make_run(swinging_rows(amplitude=MAX_SWING / 2))).unstable


def test_a_run_that_ends_far_below_its_best_is_unstable_even_without_swinging():
    rows = steady_rows() + [{"epoch": 31 + index, "accuracy": 1.0, "val_accuracy": 0.8} for index in range(15)]
    verdict = stability(make_run(rows))
    assert verdict.swing == pytest.approx(0.0) and verdict.drop_from_best == pytest.approx(0.1, abs=1e-6)
    assert verdict.unstable and "ends at 80.00%, 10 points below its best" in verdict.reason()


def test_summary_row_puts_the_best_epoch_beside_the_final_one_with_its_stability():
    row = summary_row(make_run(swinging_rows(epochs=11)))
    assert row["best val accuracy"] == pytest.approx(0.8) and row["best epoch"] == 2
    assert row["final val accuracy"] == pytest.approx(0.7) and row["stability"] == "unstable"
    assert list(row)[3:7] == ["best val accuracy", "best epoch", "final val accuracy", "stability"]


def test_an_unstable_best_is_named_with_its_final_value_and_the_best_steady_run_beside_it():
    peaked = make_run(steady_rows(end=0.95)[:20] + [{"epoch": 21 + i, "accuracy": 1.0, "val_accuracy": 0.5 + 0.2 * (i % 2)}
                                                   for i in range(10)], name="set: peaked")
    steady = make_run(steady_rows(end=0.85), name="set: steady")
    text = " ".join(read_regularization([peaked, steady]))
    assert "The highest single epoch, 95.00% at epoch 20, comes from peaked, but that run is unstable" in text
    assert "ends at 70.00%, 25 points below its best." in text
    assert "Of the steady runs, steady is best: 85.00% at epoch 30, final 85.00%" in text
    assert "1 of 2 runs is unstable" in text


def test_a_steady_best_is_named_alone_with_its_best_epoch_and_final_value():
    text = " ".join(read_regularization([make_run(steady_rows(end=0.85), name="steady"),
                                         make_run(steady_rows(end=0.80), name="lower")]))
    assert "The best validation accuracy, 85.00% at epoch 30, comes from steady; it ends at 85.00%." in text
    assert "unstable" not in text


REGULARIZERS = SAVED_MODELS / "regularizers"


@pytest.mark.parametrize("variant", ["l1-batch-norm", "l1-dropout-batch-norm", "l1-dropout"])
def test_saved_regularizer_runs_that_swing_are_unstable(variant):
    assert stability(load_run(REGULARIZERS / variant)).unstable


@pytest.mark.parametrize("variant", ["none", "l1", "l2", "dropout", "batch-norm"])
def test_saved_regularizer_runs_that_settle_are_steady(variant):
    assert not stability(load_run(REGULARIZERS / variant)).unstable


def test_saved_l1_batch_norm_run_ends_far_below_its_best_epoch():
    verdict = stability(load_run(REGULARIZERS / "l1-batch-norm"))
    assert verdict.best > 0.85 and verdict.final < 0.55 and verdict.swing > 0.05


def test_regularization_reading_of_the_saved_runs_prefers_a_steady_run_as_best():
    runs, _ = list_runs(REGULARIZERS, source="experiment")
    text = " ".join(read_regularization(runs))
    assert "comes from l1 + batch norm, but that run is unstable" in text and "ends at 52.48%" in text
    assert "Of the steady runs, dropout is best" in text
    assert "batch + norm" not in text


def test_optimizer_reading_names_the_best_with_its_epoch_and_final_value():
    runs, _ = list_runs(SAVED_MODELS / "optimizers", source="experiment")
    text = " ".join(read_optimizers(runs))
    assert "The best validation accuracy, 99.17% at epoch 18, comes from adadelta (rate 1.0); it ends at 99.03%." in text
    assert "unstable" not in text


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


def test_label_is_the_given_name_else_the_recipe_else_the_id():
    assert Run(Path("runs/r"), TrainingConfig(name="my first", optimizer="adam").to_dict(), [], {}).label == "my first"
    config = TrainingConfig(optimizer="adam", epochs=3, train_samples=6000, batch_norm=True, l1=0.01).to_dict()
    assert Run(Path("runs/20261202-002241-84378b"), config, [], {}).label == \
        "adam lr 0.001, 3 epochs on 6,000 images, l1 + batch norm"
    assert Run(Path("runs/20261202-002241-84378b"), {}, [], {}).label == "20261202-002241-84378b"


def test_label_names_the_rate_used_the_schedule_and_a_model_other_than_lenet5():
    config = TrainingConfig(model="dense", optimizer="sgd", learning_rate=0.05, lr_schedule="cosine", epochs=1)
    assert describe_config(config.to_dict()) == "dense, sgd lr 0.05 (cosine), 1 epoch"


def test_chart_ticks_epochs_in_whole_numbers_with_titled_axes():
    curves = [Curves("run", "#000000", steady_rows(epochs=3))]
    figure, _ = curves_figure(curves, log_loss=True)
    layout = figure.layout
    assert layout.xaxis.dtick == 1 and layout.xaxis2.dtick == 1
    assert [layout.xaxis.title.text, layout.xaxis2.title.text] == ["epoch", "epoch"]
    assert layout.yaxis.title.text == "loss (log scale)" and layout.yaxis2.title.text == "accuracy"


@pytest.mark.parametrize("last_epoch, step", [(3, 1), (10, 1), (20, 2), (25, 5), (80, 10), (300, 50), (1000, 100)])
def test_epoch_tick_step_is_a_whole_number_giving_at_most_ten_ticks(last_epoch, step):
    assert epoch_tick_step(last_epoch) == step


def write_workspace_run(runs_root: Path, token: str, config: TrainingConfig, run_id: str) -> None:
    builder = RunBuilder(workspace_dir(token, runs_root), run_id)
    builder.write_json("config.json", config.to_dict())
    builder.write_json("metrics.json", {"status": "finished", "epochs_completed": 2})
    builder.write_history([{"epoch": 1, "loss": 0.5, "accuracy": 0.85, "val_loss": 0.4, "val_accuracy": 0.88},
                           {"epoch": 2, "loss": 0.3, "accuracy": 0.91, "val_loss": 0.3, "val_accuracy": 0.92}])
    builder.publish()


def test_history_opened_for_a_finished_run_selects_it_beside_its_nearest_book_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    token, run_id = new_token(), "20261202-002241-84378b"
    write_workspace_run(tmp_path / "runs", token, TrainingConfig(optimizer="adam", batch_size=128, epochs=2,
                                                                 train_samples=600), run_id)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.session_state["workspace_token"] = token
    app.run()
    app.session_state[HISTORY_FOCUS_KEY] = run_id
    app.switch_page("pages/training/history.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    picker = app.multiselect(key="history_selected")
    assert picker.value == [f"my runs/{run_id}", "optimizers/adam"]
    assert picker.format_func(picker.value[0]) == "my runs/adam lr 0.001, 2 epochs on 600 images"
    (why,) = [info.value for info in app.info if "nearest" in info.value]
    assert why.startswith("Your run is shown beside **adam (Keras default rate)**, the book run nearest to it: "
                          "same optimizer and regularizers; 3 settings differ")
    assert HISTORY_FOCUS_KEY not in app.session_state

    app.button(key="history_view_Optimizers").click().run()  # a later choice is not overridden by the focus
    assert app.multiselect(key="history_selected").value == [f"optimizers/{variant}" for variant in
                                                             ("sgd", "momentum", "adam", "adadelta")]
    assert not [info for info in app.info if "nearest" in info.value]


def test_a_book_figure_opens_with_a_few_runs_and_shows_all_in_one_click(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/training/history.py")
    app.run()
    app.button(key="history_view_Regularization on 200 samples").click().run()
    opening = ["regularizers/none", "regularizers/l2", "regularizers/dropout", "regularizers/batch-norm"]
    assert app.multiselect(key="history_selected").value == opening
    app.button(key="history_show_all").click().run()
    everything = app.multiselect(key="history_selected").value
    assert len(everything) == 8 and everything[:4] == opening  # the first four keep their colours
    assert not [button for button in app.button if button.key == "history_show_all"]
