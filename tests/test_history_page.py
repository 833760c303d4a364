from lib.plain_text import plain

"""The History page through AppTest: arriving from a finished run, the book's figures, and uploads good and bad."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.engine.config import TrainingConfig
from lib.runs.store import RunBuilder
from lib.runs.workspaces import new_token, workspace_dir
from tests.conftest import entry_app, open_app
from ui.job_views import HISTORY_FOCUS_KEY


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
    app = entry_app(timeout=60)
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
    app = open_app("pages/training/history.py", timeout=60)
    app.button(key="history_view_Regularization on 200 samples").click().run()
    opening = ["regularizers/none", "regularizers/l2", "regularizers/dropout", "regularizers/batch-norm"]
    assert app.multiselect(key="history_selected").value == opening
    app.button(key="history_show_all").click().run()
    everything = app.multiselect(key="history_selected").value
    assert len(everything) == 8 and everything[:4] == opening  # the first four keep their colours
    assert not [button for button in app.button if button.key == "history_show_all"]


def open_history(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = open_app("pages/training/history.py", timeout=60)
    return app


def test_an_upload_with_unusable_epochs_is_shown_without_them_and_a_note_says_how_many(tmp_path, monkeypatch):
    app = open_history(tmp_path, monkeypatch)
    app.file_uploader(key="history_uploads").set_value(
        ("odd.csv", b"epoch,loss,val_accuracy\n0,0.5,0.9\nnan,0.4,0.91\n,0.3,0.92\n1e300,0.2,inf\n1,0.2,0.93\n",
         "text/csv")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert any(warning.value.startswith("Upload odd.csv: skipped 3 of 5 rows") for warning in app.warning)
    app.multiselect(key="history_selected").set_value(["upload/odd.csv"]).run()
    assert not app.exception, [exception.message for exception in app.exception]
    table = app.table[0].value  # the comparison table: the only column is the upload, with its 2 usable epochs
    assert list(table.columns) == ["odd"] and table.loc["epochs", "odd"] == "2"


def test_an_upload_with_no_usable_epoch_is_refused_with_a_note_and_no_traceback(tmp_path, monkeypatch):
    app = open_history(tmp_path, monkeypatch)
    app.file_uploader(key="history_uploads").set_value(
        ("nonsense.csv", b"epoch,loss\nnan,0.5\ninf,0.4\n,0.3\n1e300,0.2\n", "text/csv")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert any("Skipped upload nonsense.csv has no usable epochs" in warning.value for warning in app.warning)
    assert "upload/nonsense.csv" not in app.multiselect(key="history_selected").options


def test_a_failed_run_is_marked_failed_in_the_list(tmp_path, monkeypatch):
    token = new_token()
    builder = RunBuilder(workspace_dir(token, tmp_path / "runs"), "20261202-002241-failed")
    builder.write_json("config.json", TrainingConfig(name="diverged", epochs=2).to_dict())
    builder.write_json("metrics.json", {"status": "failed", "epochs_completed": 1})
    builder.write_history([{"epoch": 1, "loss": 0.5, "accuracy": 0.85}])
    builder.publish()
    app = open_history_of(tmp_path, monkeypatch, token)
    picker = app.multiselect(key="history_selected")
    assert picker.format_func("my runs/20261202-002241-failed") == "my runs/diverged (failed)"


def open_history_of(tmp_path, monkeypatch, token) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=60)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/training/history.py")
    app.run()
    assert not app.exception
    return app


def test_a_run_is_deleted_from_history_only_after_a_confirmation(tmp_path, monkeypatch):
    token, run_id = new_token(), "20261202-002241-84378b"
    write_workspace_run(tmp_path / "runs", token, TrainingConfig(name="doomed", epochs=2), run_id)
    app = open_history_of(tmp_path, monkeypatch, token)
    assert app.button(key=f"history_delete_{run_id}").disabled  # not before "Yes, delete"
    app.checkbox(key=f"history_really_{run_id}").check().run()
    app.button(key=f"history_delete_{run_id}").click().run()
    assert not app.exception
    assert not (workspace_dir(token, tmp_path / "runs") / run_id).exists()
    assert not any(key.startswith("my runs/") for key in app.multiselect(key="history_selected").options)


def test_a_run_renamed_on_history_is_listed_under_its_new_name(tmp_path, monkeypatch):
    token, run_id = new_token(), "20261202-002241-84378b"
    write_workspace_run(tmp_path / "runs", token, TrainingConfig(name="first try", epochs=2), run_id)
    app = open_history_of(tmp_path, monkeypatch, token)
    app.text_input(key=f"history_name_{run_id}").input("the good one")
    app.button(key=f"history_rename_{run_id}").click().run()  # typed and clicked in one go
    assert not app.exception
    picker = app.multiselect(key="history_selected")
    assert picker.format_func(f"my runs/{run_id}") == "my runs/the good one"


def test_your_runs_come_first_and_are_drawn_when_the_page_opens(tmp_path, monkeypatch):
    token = new_token()
    for run_id in ("20261202-000001-aaaaaa", "20261202-000002-bbbbbb"):
        write_workspace_run(tmp_path / "runs", token, TrainingConfig(optimizer="adam", epochs=2), run_id)
    app = open_history_of(tmp_path, monkeypatch, token)
    picker = app.multiselect(key="history_selected")
    newest_first = ["my runs/20261202-000002-bbbbbb", "my runs/20261202-000001-aaaaaa"]
    assert list(picker.options[:2]) == [picker.format_func(key) for key in newest_first]  # listed first
    assert list(picker.value) == newest_first  # and drawn


def test_a_run_that_appears_while_history_is_open_is_added_to_the_chart(tmp_path, monkeypatch):
    token = new_token()
    write_workspace_run(tmp_path / "runs", token, TrainingConfig(optimizer="adam", epochs=2), "20261202-000001-aaaaaa")
    app = open_history_of(tmp_path, monkeypatch, token)
    app.button(key="history_view_Optimizers").click().run()
    write_workspace_run(tmp_path / "runs", token, TrainingConfig(optimizer="sgd", epochs=2), "20261202-000002-bbbbbb")
    app.run()
    assert not app.exception
    value = app.multiselect(key="history_selected").value
    assert value[0] == "my runs/20261202-000002-bbbbbb" and "optimizers/sgd" in value
    assert "my runs/20261202-000001-aaaaaa" not in value  # put aside by the click, not brought back
    app.button(key="history_view_own").click().run()
    assert app.multiselect(key="history_selected").value == ["my runs/20261202-000002-bbbbbb",
                                                             "my runs/20261202-000001-aaaaaa"]


def test_runs_that_differ_only_in_momentum_get_different_names_and_colours(tmp_path, monkeypatch):
    token = new_token()
    for run_id, momentum in (("20261202-000001-aaaaaa", 0.9), ("20261202-000002-bbbbbb", 0.99)):
        write_workspace_run(tmp_path / "runs", token, TrainingConfig(optimizer="adam", epochs=2, batch_norm=True,
                                                                     batch_norm_momentum=momentum), run_id)
    app = open_history_of(tmp_path, monkeypatch, token)
    names = list(app.table[0].value.columns)
    assert len(set(names)) == 2 and names[0].endswith(plain(" 0.99)")) and names[1].endswith(plain(" 0.9)"))
    chart = app.get("plotly_chart")[0].proto.spec
    traces = [trace for trace in json.loads(chart)["data"] if trace.get("mode") == "lines"]
    colours = {trace["legendgroup"]: trace["line"]["color"] for trace in traces}
    assert {plain(group) for group in colours} == set(names) and len(set(colours.values())) == 2
