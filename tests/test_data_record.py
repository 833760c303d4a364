"""A shared run gives nothing of its owner away: no server path, no workspace token, in its files or on any page.

An own-classes run is trained on a zip the page saves in the owner's workspace folder, whose name is the owner's
token; the run records a digest of the set instead, and keeps the examples it was tested on. Runs written before
that recorded the path: they are read without it.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.engine.data_record import (
    EVALUATION_FILE,
    UNRECORDED,
    EvaluationUnavailable,
    public_config,
    read_evaluation,
    set_digest,
)
from lib.engine.image_sets import load_image_set, split_image_set
from lib.engine.labelled_images import image_set_zip_bytes
from lib.runs.recipes import differing_config
from lib.runs.store import load_run
from lib.runs.workspaces import new_token, set_shared, shared_runs, workspace_dir
from tests.conftest import entry_app
from tests.run_folders import make_run
from tests.shape_drawings import shape_files, shape_zip


def test_a_config_naming_a_server_path_is_read_without_it(tmp_path):
    token = new_token()
    path = make_run(workspace_dir(token, tmp_path), "20260101-000000-a")
    legacy = {"name": "a", "optimizer": "adam", "epochs": 2, "class_names": ["a", "b"],
              "data": f"{tmp_path}/workspaces/{token}/.image_sets/0123456789abcdef0123.zip",
              "test_data": "/home/operator/held-out"}
    (path / "config.json").write_text(json.dumps(legacy))
    run = load_run(path)
    assert run.config["data"] == run.config["test_data"] == UNRECORDED
    assert run.trained_on_own_data and token not in json.dumps(run.config) and str(tmp_path) not in run.label


def test_public_config_keeps_digests_and_mnist_and_hides_anything_else():
    digest = "sha256:0123456789abcdef"
    assert public_config({"data": digest, "test_data": ""}) == {"data": digest, "test_data": ""}
    assert public_config({"data": "runs/x.zip", "test_data": f"{digest}/../x"}) == {"data": UNRECORDED,
                                                                                    "test_data": UNRECORDED}
    assert public_config({"optimizer": "sgd"}) == {"optimizer": "sgd"}


def test_the_settings_that_differ_never_show_another_workspaces_path(tmp_path):
    owner, visitor = new_token(), new_token()
    theirs = make_run(workspace_dir(owner, tmp_path), "20260101-000000-theirs")
    (theirs / "config.json").write_text(json.dumps({"optimizer": "adam", "epochs": 3, "data": str(
        workspace_dir(owner, tmp_path) / ".image_sets" / "0123456789abcdef0123.zip")}))
    set_shared(theirs, True)
    mine = make_run(workspace_dir(visitor, tmp_path), "20260101-000001-mine")
    (shared,) = shared_runs(exclude=visitor, root=tmp_path)[0]
    differences = differing_config([shared, load_run(mine)])
    assert differences["data"] == [UNRECORDED, ""]
    assert owner not in json.dumps(differences) and str(tmp_path) not in json.dumps(differences)


def test_stored_examples_are_checked_before_they_are_shown(tmp_path):
    with pytest.raises(EvaluationUnavailable, match="not stored with this run") as missing:
        read_evaluation(tmp_path, classes=2)
    assert str(tmp_path) not in str(missing.value)
    np.savez(tmp_path / EVALUATION_FILE, images=np.zeros((2, 28, 28), np.uint8), labels=np.array([0, 5]))
    with pytest.raises(EvaluationUnavailable, match="cannot be read"):
        read_evaluation(tmp_path, classes=2)  # a label beyond the run's classes
    (tmp_path / EVALUATION_FILE).write_bytes(b"not an npz")
    with pytest.raises(EvaluationUnavailable, match="cannot be read"):
        read_evaluation(tmp_path, classes=2)


@pytest.fixture(scope="module")
def app_set_run(tmp_path_factory):
    """A run trained as the own-classes page trains one: on a zip saved in its workspace's .image_sets folder."""
    pytest.importorskip("keras")
    from lib.engine.config import TrainingConfig
    from lib.engine.training import train
    from ui.own_classes.training import save_set

    root, token = tmp_path_factory.mktemp("runs"), new_token()
    image_set = load_image_set_from_bytes(shape_zip(shape_files(5, seed=0, shapes=("circle", "cross")), top="s"),
                                          tmp_path_factory.mktemp("sets"))
    data = save_set(image_set_zip_bytes(image_set), workspace_dir(token, root))
    config = TrainingConfig(data=str(data), model="dense", optimizer="adam", epochs=1, batch_size=8, seed=3,
                            validation_fraction=0.4)
    result = train(config, out_dir=workspace_dir(token, root))
    return result.path, token, root, image_set, config


def load_image_set_from_bytes(data: bytes, folder):
    path = folder / "set.zip"
    path.write_bytes(data)
    return load_image_set(path)


def test_a_run_on_a_workspace_set_records_its_digest_never_its_path_or_token(app_set_run):
    path, token, root, image_set, _config = app_set_run
    for name in ("config.json", "metrics.json"):
        text = (path / name).read_text()
        assert token not in text and str(root) not in text and ".image_sets" not in text
    config = json.loads((path / "config.json").read_text())
    assert config["data"] == set_digest(image_set.images, image_set.labels, image_set.class_names)
    assert config["test_data"] == "" and config["class_names"] == ["circle", "cross"]


def test_a_run_keeps_the_examples_it_was_tested_on_and_reads_them_once_its_set_is_gone(app_set_run):
    path, _token, _root, image_set, config = app_set_run
    for zipped in (path.parent / ".image_sets").glob("*.zip"):
        zipped.unlink()
    images, labels = read_evaluation(path, classes=2)
    validation = split_image_set(image_set, config.validation_fraction, config.seed)[1]
    assert np.array_equal(images, validation.images) and np.array_equal(labels, validation.labels)
    assert len(labels) == load_run(path).metrics["validation_examples"]


def test_the_model_card_of_a_shared_run_shows_its_gallery_and_no_path_once_its_set_is_gone(app_set_run, monkeypatch):
    path, token, root, _image_set, _config = app_set_run
    for zipped in (path.parent / ".image_sets").glob("*.zip"):
        zipped.unlink()
    set_shared(path, True)
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(root))
    app = entry_app(timeout=120)
    app.session_state["workspace_token"] = new_token()
    app.run()
    app.switch_page("pages/draw/draw.py")
    app.run()
    app.selectbox(key="draw_model").set_value(str(path / "model.keras")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    shown = page_text(app)
    assert token not in shown and str(root) not in shown and ".image_sets" not in shown
    assert "held out of its set for validation" in shown


def page_text(app: AppTest) -> str:
    """Every element the page sent, as its protobuf text: what reaches the browser."""
    texts = []

    def walk(node):
        if getattr(node, "proto", None) is not None:
            texts.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(texts)


def test_training_a_run_again_with_another_momentum_uses_the_set_its_job_trained_on(app_set_run):
    from types import SimpleNamespace

    from ui.job_views import lag_rerun_config

    path, _token, root, image_set, config = app_set_run
    run, lag = load_run(path), SimpleNamespace(suggested_momentum=0.9)
    Path(config.data).unlink(missing_ok=True)
    with pytest.raises(ValueError, match="no longer kept on this server") as gone:
        lag_rerun_config(run, lag, config)
    assert str(root) not in str(gone.value)
    Path(config.data).write_bytes(image_set_zip_bytes(image_set))
    again = lag_rerun_config(run, lag, config)
    assert again.data == config.data and again.batch_norm_momentum == 0.9
    assert again.model == "dense" and again.validation_fraction == config.validation_fraction
