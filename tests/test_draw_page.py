"""The Draw page through AppTest: every model is offered, two runs of one name each under a label of its own."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.plain_text import plain
from lib.runs.store import SHIPPED_MODEL
from lib.runs.workspaces import new_token, set_shared, workspace_dir
from tests.conftest import entry_app, open_app
from tests.run_folders import make_run


def test_two_runs_of_one_name_are_both_listed_and_each_can_be_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token, classmate = new_token(), new_token()
    mine = make_run(workspace_dir(token, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL)
    also_mine = make_run(workspace_dir(token, tmp_path), "20260101-000001-dup", name="dup", model=SHIPPED_MODEL)
    set_shared(make_run(workspace_dir(classmate, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL),
               True)
    app = entry_app(timeout=120)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/draw/draw.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    picker = app.selectbox(key="draw_model")
    shown = set(picker.options)  # AppTest lists the options as the page shows them
    assert {"my runs: dup (20260101-000000-dup)", "my runs: dup (20260101-000001-dup)", "shared: dup"} <= shown
    assert len(set(picker.options)) == len(picker.options)
    for path in (also_mine, mine):  # the options are the runs' model paths: each is chosen by its own
        picker.set_value(str(path / "model.keras")).run()
        assert not app.exception, [exception.message for exception in app.exception]
        picker = app.selectbox(key="draw_model")
        assert picker.value == str(path / "model.keras")
        assert picker.options[picker.index] == f"my runs: dup ({path.name})"


def test_receptive_fields_offers_both_runs_of_one_name_and_opens_on_the_shipped_model(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    second = make_run(workspace_dir(token, tmp_path), "20260101-000001-dup", name="dup", model=SHIPPED_MODEL)
    make_run(workspace_dir(token, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL)
    app = entry_app(timeout=120)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/draw/receptive.py")
    app.run()
    picker = app.selectbox(key="receptive_model")
    assert picker.value == str(SHIPPED_MODEL)
    assert {"my runs: dup (20260101-000000-dup)", "my runs: dup (20260101-000001-dup)"} <= set(picker.options)
    picker.set_value(str(second / "model.keras")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert app.selectbox(key="receptive_model").value == str(second / "model.keras")


def uploader_types(app: AppTest) -> set[str]:
    (uploader,) = app.get("file_uploader")
    return set(uploader.proto.type)


def test_draw_accepts_the_image_kinds_the_explorers_accept_animated_gifs_included(tmp_path, monkeypatch):
    import io

    import numpy as np
    from PIL import Image

    from lib.explore.drawing import preprocess_photo
    from lib.explore.images import load_upload

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = open_app("pages/draw/draw.py", timeout=120)
    app.radio(key="draw_source").set_value("Photo of a digit").run()
    assert not app.exception, [exception.message for exception in app.exception]
    draw_types = uploader_types(app)
    explorer = open_app("pages/operations/convolution.py", timeout=120)
    explorer.radio(key="conv_source").set_value("upload").run()
    assert draw_types >= uploader_types(explorer) and {".gif", ".tif", ".tiff"} <= draw_types
    # An animated GIF of a dark digit on light paper reads as its first frame, with a note saying so.
    frames = [Image.new("L", (56, 56), 255) for _ in range(3)]
    for index, frame in enumerate(frames):  # frames that differ, or the GIF writer merges them
        frame.paste(0, (24 + index, 8, 32 + index, 48))
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    photo = load_upload(buffer.getvalue(), "one.gif")
    assert any("animated (3 frames)" in note for note in photo.notes)
    assert np.asarray(preprocess_photo(photo.pixels).image).max() > 0


# --- a run trained on classes of its own ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_model(tmp_path_factory):
    """An untrained LeNet-5 with three outputs, saved as model.keras."""
    pytest.importorskip("keras")
    from lib.engine.models import build_model

    path = tmp_path_factory.mktemp("shapes") / "model.keras"
    build_model("lenet5", num_classes=3).save(path)
    return path


def make_own_run(folder, shapes_model, names=("circle", "cross", "line")):
    """A finished run as the engine writes one for a set of its own: its class names, confusion matrix and data."""
    import json

    from lib.engine.data_record import EVALUATION_FILE, evaluation_bytes, set_digest
    from lib.engine.image_sets import split_image_set
    from lib.engine.labelled_images import build_image_set
    from lib.runs.store import history_csv

    rng = np.random.default_rng(0)
    examples = {}
    for index, name in enumerate(names):
        images = []
        for _ in range(5):
            image = np.zeros((28, 28), np.uint8)
            image[4:24, 4 + 6 * index: 8 + 6 * index] = 255
            image[rng.integers(0, 28), rng.integers(0, 28)] = 255
            images.append(image)
        examples[name] = images
    image_set = build_image_set(examples)
    path = folder / "20260101-000000-shapes"
    path.mkdir(parents=True)
    # The engine records the set's digest, never its path, and keeps the examples it was tested on in the run.
    held_out = split_image_set(image_set, 0.2, 42)[1]
    (path / EVALUATION_FILE).write_bytes(evaluation_bytes(held_out.images, held_out.labels))
    config = {"name": "shapes", "optimizer": "adam", "epochs": 1, "validation_fraction": 0.2, "seed": 42,
              "data": set_digest(image_set.images, image_set.labels, image_set.class_names),
              "class_names": list(names)}
    metrics = {"status": "finished", "test_accuracy": 0.5, "parameters": 61000, "epochs_completed": 1,
               "class_names": list(names), "tested_on": "validation", "confusion_matrix": [[1, 0, 0], [1, 0, 0], [0, 0, 1]]}
    (path / "config.json").write_text(json.dumps(config))
    (path / "metrics.json").write_text(json.dumps(metrics))
    (path / "history.csv").write_text(history_csv([{"epoch": 1, "loss": 1.0, "accuracy": 0.5}]))
    (path / "model.keras").write_bytes(shapes_model.read_bytes())
    return path


def dark_bar_photo() -> bytes:
    import io

    from PIL import Image

    photo = np.full((120, 120), 225, np.uint8)
    photo[15:105, 55:65] = 30
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_run_of_its_own_classes_is_read_with_their_names_and_judged_on_its_own_examples(
        tmp_path, monkeypatch, shapes_model):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    run = make_own_run(workspace_dir(token, tmp_path), shapes_model)
    app = entry_app(timeout=120)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/draw/draw.py")
    app.run()
    app.selectbox(key="draw_model").set_value(str(run / "model.keras")).run()
    app.radio(key="draw_source").set_value("Photo of a digit").run()
    app.file_uploader(key="draw_photo").set_value(("bar.png", dark_bar_photo(), "image/png")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    (prediction,) = [metric for metric in app.metric if metric.label == "Prediction"]
    assert prediction.value in ("circle", "cross", "line")
    assert "Model card: my runs: shapes" in [header.value for header in app.subheader]
    # The gallery is of the run's own held-out examples (one of each class: 5 examples, a fifth held out).
    assert any("of the 3 examples held out of its set for validation" in caption.value for caption in app.caption)
    app.toggle(key="draw_compare").set_value(True).run()
    assert not app.exception, [exception.message for exception in app.exception]


def test_receptive_fields_looks_inside_a_run_of_its_own_classes(tmp_path, monkeypatch, shapes_model):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    run = make_own_run(workspace_dir(token, tmp_path), shapes_model)
    app = entry_app(timeout=120)
    app.session_state["workspace_token"] = token
    app.session_state["drawn_digit"] = np.pad(np.full((20, 4), 255, np.uint8), ((4, 4), (12, 12)))
    app.run()
    app.switch_page("pages/draw/receptive.py")
    app.run()
    app.selectbox(key="receptive_model").set_value(str(run / "model.keras")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert any("unit" in markdown.value and "Input box" in markdown.value for markdown in app.markdown)


def wide_stripe_photo(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    photo = np.full((height, width), 225, np.uint8)
    photo[:, width // 3: width // 2] = 30
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(600, 1), (1, 6000), (20000, 3)])
def test_a_photo_far_wider_or_taller_than_the_preview_is_shown_and_read_without_an_exception(size):
    app = open_app("pages/draw/draw.py", timeout=120)
    app.radio(key="draw_source").set_value("Photo of a digit").run()
    app.file_uploader(key="draw_photo").set_value(("wide.png", wide_stripe_photo(*size), "image/png")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    captions = [image.caption for element in app.get("image") for image in element.proto.imgs]
    assert plain("wide.png") in captions  # the photo's preview is on the page, its name as plain text
