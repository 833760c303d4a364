"""The Your own classes page through AppTest: classes, examples, the starter, zips, and a job submitted for them.

The job registry is replaced by one whose "training process" only publishes a run folder when the test says
so (with an untrained model of the right number of classes), so no test here trains.
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.engine.image_sets import image_set_from_zip_bytes
from lib.engine.labelled_images import image_set_zip_bytes
from lib.runs.store import history_csv
from lib.runs.workspaces import new_token
from lib.server.jobs import JobRegistry
from lib.server.process_runner import Outcome
from lib.settings import ServerSettings
from tests.conftest import entry_app
from ui.own_classes import data_set

PAGE = "pages/training/own_classes.py"


def bar(vertical: bool, shift: int = 0) -> np.ndarray:
    """A prepared 28 x 28 example: a white bar on black, upright or lying."""
    image = np.zeros((28, 28), np.uint8)
    if vertical:
        image[4:24, 12 + shift:16 + shift] = 255
    else:
        image[12 + shift:16 + shift, 4:24] = 255
    return image


def two_class_set(count: int = 4) -> dict:
    examples = data_set.empty_set()
    data_set.add_class(examples, "upright")
    data_set.add_class(examples, "lying")
    data_set.add_examples(examples, "upright", [bar(True, shift % 3) for shift in range(count)])
    data_set.add_examples(examples, "lying", [bar(False, shift % 3) for shift in range(count)])
    return examples


def open_page(tmp_path, monkeypatch, examples: dict | None = None) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=120)
    if examples is not None:
        app.session_state[data_set.SET_KEY] = examples
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert_no_exception(app)
    return app


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [exception.message for exception in app.exception]


def the_set(app: AppTest) -> dict:
    return app.session_state[data_set.SET_KEY]


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_the_page_opens_empty_with_its_four_steps_and_nothing_to_train(tmp_path, monkeypatch):
    app = open_page(tmp_path, monkeypatch)
    assert app.title[0].value == "Your own classes"
    assert texts(app.subheader)[:4] == ["1. Your classes", "2. Examples", "3. Train", "4. Results"]
    assert app.button(key="own_train").disabled
    assert any("at least 2 classes" in caption for caption in texts(app.caption))


def test_a_class_is_added_by_name_and_removed_with_its_button(tmp_path, monkeypatch):
    app = open_page(tmp_path, monkeypatch)
    app.text_input(key="own_new_class").input("  circle ")
    app.button(key="own_add_class").click().run()
    assert_no_exception(app)
    assert the_set(app)["classes"] == ["circle"]
    assert any("Class 'circle' added." in text for text in texts(app.success))
    assert app.text_input(key="own_new_class").value == ""
    app.button(key="own_remove_class_circle").click().run()
    assert the_set(app)["classes"] == []


@pytest.mark.parametrize(("name", "message"), [
    ("", "A class needs a name."),
    ("../up", "holds a slash"),
    (".hidden", "would be a hidden folder"),
    ("Circle", "There is already a class 'Circle'"),
])
def test_a_bad_class_name_is_refused_with_a_message_and_the_set_kept(tmp_path, monkeypatch, name, message):
    examples = data_set.empty_set()
    data_set.add_class(examples, "circle")
    app = open_page(tmp_path, monkeypatch, examples)
    app.text_input(key="own_new_class").input(name)
    app.button(key="own_add_class").click().run()
    assert_no_exception(app)
    assert any(message in text for text in texts(app.error)), texts(app.error)
    assert the_set(app)["classes"] == ["circle"]


def test_a_name_longer_than_a_folder_name_may_be_is_refused():
    with pytest.raises(ValueError, match="longer than 40 characters"):
        data_set.add_class(data_set.empty_set(), "x" * 41)


def test_more_than_ten_classes_are_refused():
    examples = data_set.empty_set()
    for index in range(data_set.MAX_CLASSES):
        data_set.add_class(examples, f"class {index}")
    with pytest.raises(ValueError, match="at most 10 classes"):
        data_set.add_class(examples, "one more")


def test_examples_show_in_a_grid_per_class_with_counts_and_one_click_removes_one(tmp_path, monkeypatch):
    app = open_page(tmp_path, monkeypatch, two_class_set(3))
    assert [expander.label for expander in app.expander][:2] == ["upright: 3 examples", "lying: 3 examples"]
    assert "#### Your data set: 6 examples" in texts(app.markdown)
    first_id = the_set(app)["examples"]["upright"][0][0]
    app.button(key=f"own_remove_{first_id}").click().run()
    assert_no_exception(app)
    assert [item_id for item_id, _image in the_set(app)["examples"]["upright"]] == [1, 2]
    assert app.expander[0].label == "upright: 2 examples"


def test_a_class_without_examples_is_named_and_training_waits_for_it(tmp_path, monkeypatch):
    examples = two_class_set(2)
    data_set.add_class(examples, "empty one")
    app = open_page(tmp_path, monkeypatch, examples)
    assert app.button(key="own_train").disabled
    assert any("The class empty one has no examples yet." in caption for caption in texts(app.caption))


def test_the_mnist_starter_fills_three_digit_classes(tmp_path, monkeypatch, real_mnist_path):
    monkeypatch.setenv("MNIST_PATH", str(real_mnist_path))
    app = open_page(tmp_path, monkeypatch)
    app.button(key="own_starter").click().run()
    assert_no_exception(app)
    assert the_set(app)["classes"] == ["0", "1", "2"]
    assert data_set.total_examples(the_set(app)) == 90
    assert any("Loaded MNIST's digits 0, 1 and 2: 3 classes, 90 images." in text for text in texts(app.success))
    assert not app.button(key="own_train").disabled


def test_the_starter_asks_before_it_replaces_examples_and_a_class_with_examples_is_removed_on_a_second_click(
        tmp_path, monkeypatch, real_mnist_path):
    monkeypatch.setenv("MNIST_PATH", str(real_mnist_path))
    app = open_page(tmp_path, monkeypatch, two_class_set(2))
    popovers = [popover.proto.popover.label for popover in app.get("popover")]
    assert "Start from MNIST digits 0-2 only" in popovers and "Remove upright (2)" in popovers
    assert any("This replaces your set and its 4 examples" in text for text in texts(app.warning))
    assert the_set(app)["classes"] == ["upright", "lying"]  # nothing changed before the second click
    app.button(key="own_remove_class_upright").click().run()
    assert the_set(app)["classes"] == ["lying"]
    app.button(key="own_starter").click().run()
    assert_no_exception(app)
    assert the_set(app)["classes"] == ["0", "1", "2"]
    assert any("Replaced the set with MNIST's digits 0, 1 and 2: 3 classes, 90 images." in text
               for text in texts(app.success))


def test_uploaded_images_are_added_to_a_class_and_a_file_that_is_no_image_is_named(tmp_path, monkeypatch):
    from PIL import Image

    examples = data_set.empty_set()
    data_set.add_class(examples, "lying")
    app = open_page(tmp_path, monkeypatch, examples)
    photo = io.BytesIO()
    big = np.full((90, 120), 230, np.uint8)  # dark on light, another size
    big[40:50, 10:110] = 20
    Image.fromarray(big).save(photo, format="PNG")
    uploader = app.file_uploader(key="own_upload_0")
    uploader.set_value([("bar.png", photo.getvalue(), "image/png"), ("notes.txt", b"not an image", "text/plain")])
    app.run()
    app.button(key="own_add_upload_lying").click().run()
    assert_no_exception(app)
    (added,) = [image for _id, image in the_set(app)["examples"]["lying"]]
    assert added.shape == (28, 28) and added[14, 14] == 255 and added[0, 0] == 0  # white on black now
    (message,) = [text for text in texts(app.warning) if text.startswith("Added")]
    assert "Added 1 image to lying." in message and "Skipped 1 file" in message and "notes.txt" in message


def test_a_blank_upload_is_called_blank_not_unreadable(tmp_path, monkeypatch):
    from PIL import Image

    examples = data_set.empty_set()
    data_set.add_class(examples, "lying")
    app = open_page(tmp_path, monkeypatch, examples)
    blank = io.BytesIO()
    Image.new("L", (64, 64), 255).save(blank, format="PNG")
    app.file_uploader(key="own_upload_0").set_value([("white.png", blank.getvalue(), "image/png")])
    app.run()
    app.button(key="own_add_upload_lying").click().run()
    assert_no_exception(app)
    (message,) = texts(app.error)
    assert message == "Skipped 1 blank image (nothing stands out from its background): white.png."
    assert the_set(app)["examples"]["lying"] == []


def test_the_set_goes_to_a_zip_of_class_folders_and_comes_back_unchanged(tmp_path, monkeypatch):
    examples = two_class_set(3)
    data = image_set_zip_bytes(data_set.to_image_set(examples))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted({name.split("/")[0] for name in archive.namelist()}) == ["lying", "upright"]
    app = open_page(tmp_path, monkeypatch)
    app.file_uploader(key="own_zip_0").set_value(("my-classes.zip", data, "application/zip")).run()
    app.button(key="own_zip_load").click().run()
    assert_no_exception(app)
    assert sorted(the_set(app)["classes"]) == ["lying", "upright"]
    assert data_set.to_image_set(the_set(app)) == data_set.to_image_set(examples)
    assert any("Loaded the zip: 2 classes, 6 images." in text for text in texts(app.success))


def test_zips_and_uploads_are_decoded_outside_the_server_process(tmp_path, monkeypatch):
    from lib.engine import image_prep, image_sets

    def not_here(*arguments):
        raise AssertionError("decoded in the server process")

    monkeypatch.setattr(image_prep, "decode_image", not_here)  # every image the server process would decode
    monkeypatch.setattr(image_sets, "_image_set_from_members", not_here)  # every set it would read
    examples = two_class_set(2)
    data = image_set_zip_bytes(data_set.to_image_set(examples))
    app = open_page(tmp_path, monkeypatch)
    app.file_uploader(key="own_zip_0").set_value(("my-classes.zip", data, "application/zip")).run()
    app.button(key="own_zip_load").click().run()
    assert_no_exception(app)
    assert data_set.to_image_set(the_set(app)) == data_set.to_image_set(examples)
    photo = io.BytesIO()
    from PIL import Image

    Image.fromarray(bar(False)).save(photo, format="PNG")
    app.file_uploader(key="own_upload_0").set_value([("bar.png", photo.getvalue(), "image/png")]).run()
    app.button(key="own_add_upload_lying").click().run()
    assert_no_exception(app)
    assert len(the_set(app)["examples"]["lying"]) == 3


def test_a_zip_merged_into_the_set_adds_to_classes_of_the_same_name():
    examples = two_class_set(2)
    other = data_set.empty_set()
    data_set.add_class(other, "Upright")  # the same class, as another computer capitalized it
    data_set.add_class(other, "dot")
    data_set.add_examples(other, "Upright", [bar(True)])
    data_set.add_examples(other, "dot", [bar(False)])
    incoming = image_set_from_zip_bytes(image_set_zip_bytes(data_set.to_image_set(other)))
    message = data_set.load_image_set(examples, incoming, replace=False)
    assert examples["classes"] == ["upright", "lying", "dot"]
    assert [len(examples["examples"][name]) for name in examples["classes"]] == [3, 2, 1]
    assert message == "Merged the zip into the set: 2 images added; new classes: dot."


def test_a_bad_zip_is_refused_with_one_message_and_the_set_kept(tmp_path, monkeypatch):
    examples = two_class_set(2)
    app = open_page(tmp_path, monkeypatch, examples)
    app.file_uploader(key="own_zip_0").set_value(("broken.zip", b"PK\x03\x04 this is no zip", "application/zip"))
    app.run()
    app.button(key="own_zip_load").click().run()
    assert_no_exception(app)
    (error,) = texts(app.error)
    assert error.startswith("The zip was not loaded: ") and "not a zip file" in error
    assert data_set.total_examples(the_set(app)) == 4


def test_a_zip_that_climbs_out_of_its_folder_is_refused(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/1.png", b"x")
        archive.writestr("../b/2.png", b"x")
    app = open_page(tmp_path, monkeypatch)
    app.file_uploader(key="own_zip_0").set_value(("evil.zip", buffer.getvalue(), "application/zip")).run()
    app.button(key="own_zip_load").click().run()
    assert_no_exception(app)
    assert any("climbs out of its folder" in text for text in texts(app.error))
    assert the_set(app)["classes"] == []


# --- training, with a stand-in process ---------------------------------------------------------------------


class PublishingProcess:
    """Stands in for the training process: it publishes a run folder (an untrained model of the right number
    of classes) when the test calls `publish`."""

    model_bytes = b""

    def __init__(self, config, out_dir, run_id, on_event, env=None):
        self.config, self.out_dir, self.run_id = config, out_dir, run_id
        self.pid, self.result = None, None

    def start(self):
        self.pid = 4242

    def alive(self):
        return self.pid is not None and self.result is None

    def failed_early(self):
        return False

    def request_stop(self):
        self.result = Outcome("stopped", "stopped by the test", "")

    def enforce_stop(self):
        pass

    def kill(self):
        self.result = self.result or Outcome("failed", "killed by the test", "")

    def outcome(self):
        return self.result

    def publish(self, names: tuple[str, ...]):
        folder = self.out_dir / self.run_id
        folder.mkdir(parents=True)
        config = {**self.config.to_dict(), "class_names": list(names)}
        matrix = [[2 if row == column else 0 for column in range(len(names))] for row in range(len(names))]
        metrics = {"status": "finished", "test_accuracy": 0.75, "parameters": 61000, "wall_seconds": 4.0,
                   "epochs_completed": 1, "class_names": list(names), "confusion_matrix": matrix}
        (folder / "config.json").write_text(json.dumps(config))
        (folder / "metrics.json").write_text(json.dumps(metrics))
        (folder / "history.csv").write_text(history_csv([{"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.6,
                                                          "val_accuracy": 0.75, "learning_rate": 0.001,
                                                          "seconds": 1.0}]))
        (folder / "model.keras").write_bytes(self.model_bytes)
        self.result = Outcome("finished", "Trained 1 epoch(s).", str(folder))


@pytest.fixture(scope="module")
def two_class_model(tmp_path_factory) -> bytes:
    """An untrained LeNet-5 with two outputs, as model.keras bytes."""
    pytest.importorskip("keras")
    from lib.engine.models import build_model

    path = tmp_path_factory.mktemp("model") / "model.keras"
    build_model("lenet5", num_classes=2).save(path)
    return path.read_bytes()


@pytest.fixture
def stand_in_registry(tmp_path, monkeypatch):
    """Every module of the page asks this registry; the processes it made are listed, newest last."""
    import ui.job_views
    import ui.jobs
    import ui.own_classes.training
    from lib.server import jobs as jobs_module

    monkeypatch.setattr(jobs_module, "WATCH_INTERVAL", 0.001)
    made = []

    def factory(*arguments):
        made.append(PublishingProcess(*arguments))
        return made[-1]

    registry = JobRegistry(out_dir=lambda: tmp_path / "runs", settings=ServerSettings(), process_factory=factory)
    for module in (ui.jobs, ui.job_views, ui.own_classes.training):
        monkeypatch.setattr(module, "registry", lambda: registry)
    registry.made = made
    yield registry
    for process in made:
        process.kill()


def wait_for(condition, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_train_writes_the_set_into_the_workspace_and_queues_a_job_that_trains_on_it(
        tmp_path, monkeypatch, stand_in_registry, two_class_model):
    app = open_page(tmp_path, monkeypatch, two_class_set(4))
    estimate = next(caption for caption in texts(app.caption) if "Estimated time" in caption)
    assert estimate.startswith("6 examples train and 2 are held out for validation. Estimated time: about ")
    app.button(key="own_train").click().run()
    assert_no_exception(app)
    wait_for(lambda: stand_in_registry.made)
    process = stand_in_registry.made[0]
    config = process.config
    data = config.data
    assert "/.image_sets/" in data and data.endswith(".zip")
    assert image_set_from_zip_bytes(Path(data).read_bytes()).class_names == ("lying", "upright")
    assert config.name == "lying, upright" and config.train_samples == 10
    assert not list((tmp_path / "runs").rglob(".writing-*")), "no half-written set is left behind"

    PublishingProcess.model_bytes = two_class_model
    process.publish(("lying", "upright"))
    wait_for(lambda: not stand_in_registry.get(app.session_state["train_job_id"]).active)
    app.run()
    assert_no_exception(app)
    assert any("Model card: lying, upright" in header for header in texts(app.subheader))
    assert any("measured on the examples held out for validation (20% of each class)" in caption
               for caption in texts(app.caption))
    assert any("Read a new example" in header for header in texts(app.subheader))


def test_a_new_example_is_read_with_a_word_that_softmax_must_pick_a_known_class(
        tmp_path, monkeypatch, stand_in_registry, two_class_model):
    from PIL import Image

    app = open_page(tmp_path, monkeypatch, two_class_set(4))
    app.button(key="own_train").click().run()
    wait_for(lambda: stand_in_registry.made)
    PublishingProcess.model_bytes = two_class_model
    stand_in_registry.made[0].publish(("lying", "upright"))
    wait_for(lambda: not stand_in_registry.get(app.session_state["train_job_id"]).active)
    app.run()
    app.radio(key="own_try_source").set_value("upload").run()
    triangle = np.zeros((60, 60), np.uint8)  # a shape of neither class
    for row in range(10, 50):
        triangle[row, 30 - (row - 10) // 2: 30 + (row - 10) // 2 + 1] = 255
    photo = io.BytesIO()
    Image.fromarray(triangle).save(photo, format="PNG")
    app.file_uploader(key="own_try_upload").set_value([("triangle.png", photo.getvalue(), "image/png")]).run()
    assert_no_exception(app)
    (metric,) = [metric for metric in app.metric if metric.label == "Read as"]
    share = float(metric.proto.delta.split("%")[0])
    (note,) = [text for text in texts(app.caption) if text.startswith("Softmax shares")]
    assert "among the 2 classes this model knows (lying, upright), so it must pick one of them" in note
    assert f"{share:.1f}% for {metric.value} compares it with the other known classes only" in note


def test_a_set_is_written_once_whole_under_a_name_made_from_its_contents(tmp_path):
    from ui.own_classes.training import save_set

    first = save_set(b"PK one set", tmp_path)
    again = save_set(b"PK one set", tmp_path)
    other = save_set(b"PK another set", tmp_path)
    assert first == again != other
    assert first.read_bytes() == b"PK one set"
    assert sorted(path.name for path in (tmp_path / ".image_sets").iterdir()) == sorted([first.name, other.name])


def test_use_as_is_adds_uploads_only_resized_and_the_run_trains_and_reads_that_way(
        tmp_path, monkeypatch, stand_in_registry):
    from PIL import Image

    app = open_page(tmp_path, monkeypatch, two_class_set(4))
    assert app.radio(key="own_images_preparation").value == "ink"
    app.radio(key="own_images_preparation").set_value("as_is").run()
    photo = io.BytesIO()
    big = np.full((90, 120), 230, np.uint8)  # dark on light, the bar near the top
    big[5:15, 10:110] = 20
    Image.fromarray(big).save(photo, format="PNG")
    app.file_uploader(key="own_upload_0").set_value([("bar.png", photo.getvalue(), "image/png")]).run()
    app.button(key="own_add_upload_lying").click().run()
    assert_no_exception(app)
    added = the_set(app)["examples"]["lying"][-1][1]
    assert added.shape == (28, 28) and added[2, 14] < 60 and added[20, 14] > 200  # still dark on light, still high
    app.button(key="own_train").click().run()
    assert_no_exception(app)
    wait_for(lambda: stand_in_registry.made)
    assert stand_in_registry.made[0].config.preparation == "as_is"


def test_the_set_and_its_split_count_one_example_in_the_singular(tmp_path, monkeypatch):
    examples = data_set.empty_set()
    data_set.add_class(examples, "upright")
    data_set.add_class(examples, "lying")
    data_set.add_examples(examples, "upright", [bar(True)])
    app = open_page(tmp_path, monkeypatch, examples)
    shown = " ".join(texts(app.markdown) + texts(app.caption))
    assert "Your data set: 1 example" in shown and "1 examples" not in shown


def test_a_loaded_set_counts_its_images_with_a_thousands_separator():
    from lib.engine.labelled_images import ImageSet

    count = 1200
    incoming = ImageSet(np.stack([bar(index % 2 == 0) for index in range(count)]), np.arange(count) % 2,
                        ("upright", "lying"))
    message = data_set.load_image_set(data_set.empty_set(), incoming, replace=False)
    assert message == f"Loaded the zip: 2 classes, {count:,} images."


# --- the set is kept with the workspace --------------------------------------------------------------------

def open_tab(tmp_path, monkeypatch, token: str) -> AppTest:
    """Another tab (or a reload) of the browser whose cookie holds `token`, on the same server."""
    from ui import workspace as ui_workspace

    monkeypatch.setattr(ui_workspace, "browser_cookie", lambda: token)
    return open_page(tmp_path, monkeypatch)


def test_the_set_is_kept_with_the_workspace_so_a_reload_or_a_second_tab_shows_it(tmp_path, monkeypatch):
    app = open_page(tmp_path, monkeypatch, two_class_set(3))
    token = app.session_state["workspace_token"]
    first_id = the_set(app)["examples"]["upright"][0][0]
    app.button(key=f"own_remove_{first_id}").click().run()  # a change: the set is saved as it is now
    app.text_input(key="own_new_class").input("dot")
    app.button(key="own_add_class").click().run()
    again = open_tab(tmp_path, monkeypatch, token)
    assert the_set(again)["classes"] == ["upright", "lying", "dot"]
    assert [item_id for item_id, _image in the_set(again)["examples"]["upright"]] == [1, 2]
    assert "#### Your data set: 5 examples" in texts(again.markdown)
    stranger = open_tab(tmp_path, monkeypatch, new_token())
    assert the_set(stranger)["classes"] == [], "another workspace does not see it"


def test_a_change_made_in_one_tab_is_seen_by_the_other_on_its_next_run(tmp_path, monkeypatch):
    first = open_page(tmp_path, monkeypatch)
    token = first.session_state["workspace_token"]
    first.text_input(key="own_new_class").input("circle")
    first.button(key="own_add_class").click().run()
    second = open_tab(tmp_path, monkeypatch, token)
    second.text_input(key="own_new_class").input("cross")
    second.button(key="own_add_class").click().run()
    first.text_input(key="own_new_class").input("square")
    first.button(key="own_add_class").click().run()  # adds to the set as the second tab left it
    second.run()
    assert the_set(first)["classes"] == the_set(second)["classes"] == ["circle", "cross", "square"]
    first.button(key="own_remove_class_cross").click().run()
    second.run()
    assert the_set(second)["classes"] == ["circle", "square"]


def test_an_unreadable_stored_set_leaves_an_empty_set_and_says_so_once(tmp_path, monkeypatch):
    from lib.runs.own_sets import own_set_path

    token = new_token()
    path = own_set_path(token, tmp_path / "runs")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a set")
    app = open_tab(tmp_path, monkeypatch, token)
    assert the_set(app)["classes"] == []
    assert any("could not be read back" in text for text in texts(app.warning))
    app.text_input(key="own_new_class").input("circle")
    app.button(key="own_add_class").click().run()
    assert not any("could not be read back" in text for text in texts(app.warning))
    assert open_tab(tmp_path, monkeypatch, token).session_state[data_set.SET_KEY]["classes"] == ["circle"]


def test_a_set_that_cannot_be_written_stays_in_the_tab_and_the_page_says_so(tmp_path, monkeypatch):
    from ui.own_classes import data_set as ui_data_set

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    app = open_page(tmp_path, monkeypatch)
    monkeypatch.setattr(ui_data_set, "save_own_set", full)
    app.text_input(key="own_new_class").input("circle")
    app.button(key="own_add_class").click().run()
    assert_no_exception(app)
    assert the_set(app)["classes"] == ["circle"]
    assert any("could not be kept with your workspace (No space left on device)" in text for text in texts(app.warning))
