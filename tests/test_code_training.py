"""'Code for what you see' on Keras basics, Train LeNet-5 and Scaling out: each page's program runs in a Python of
its own (tests/code_programs.py) and prints the page's numbers; a training recipe builds the engine's model (the same
parameter counts) and its first epoch on 1,000 images has the engine's loss, within 2 %.

The Train page is rendered with its default form and three seeded random forms (1,000 images, one epoch); the code
it shows is run as shown, and the engine trains the same form in this process.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from lib.codegen.keras_basics import MODEL_EXAMPLES, built_example, model_program
from lib.codegen.training import training_program
from lib.engine.config import ARCHITECTURES, SCHEDULES, STYLES, TrainingConfig
from lib.engine.optimizers import OPTIMIZERS
from tests.code_programs import assert_matches, run_notebook, run_program
from tests.conftest import ROOT, entry_app, open_app
from ui.training_form import MNIST_PRESETS, mnist_training_form

TIMEOUT = 180
LOSS_TOLERANCE = 0.02
EXAMPLES = {example.key: example for example in MODEL_EXAMPLES}
COUNTS = ("total_params", "trainable_params", "non_trainable_params")


def open_page(path: str, tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = open_app(path, timeout=TIMEOUT)
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def shown_code(app: AppTest, marker: str) -> list[str]:
    """The code blocks the page shows that hold `marker`, as a program file holds them (st.code drops the last
    newline)."""
    return [block.value.rstrip("\n") + "\n" for block in app.code if marker in block.value]


# --- Keras basics: the book's three styles, and batch norm ------------------------------------------------------

def test_subclassed_lenet5_summary_shows_every_output_shape_and_61706_parameters():
    example = built_example(EXAMPLES["lenet5_subclassed"])
    shapes = ["(None, 28, 28, 6)", "(None, 14, 14, 6)", "(None, 10, 10, 16)", "(None, 5, 5, 16)", "(None, 400)",
              "(None, 120)", "(None, 84)", "(None, 10)"]
    lines = [line for line in example["summary"].splitlines() if "(None" in line]
    assert [shape for line, shape in zip(lines, shapes) if shape in line] == shapes
    assert "?" not in example["summary"]
    assert example["total_params"] == 61_706 and "Total params: 61,706" in example["summary"]


def test_batch_norm_model_shows_the_engines_non_trainable_parameters():
    from lib.engine.models import build_model

    example = built_example(EXAMPLES["lenet5_batch_norm"])
    engine = build_model("lenet5", "sequential", batch_norm=True)
    frozen = sum(int(weight.numpy().size) for weight in engine.non_trainable_weights)
    assert example["non_trainable_params"] == frozen > 0
    assert example["total_params"] == engine.count_params()
    assert f"Non-trainable params: {frozen:,}" in example["summary"]


@pytest.mark.parametrize("style", STYLES)
def test_each_style_has_the_engines_parameter_count(style):
    from lib.engine.models import build_model

    for example in MODEL_EXAMPLES:
        if example.style == style:
            engine = build_model(example.options.architecture, style, batch_norm=example.options.batch_norm)
            assert built_example(example)["total_params"] == engine.count_params()


@pytest.mark.parametrize("program", [
    lambda: model_program(EXAMPLES["lenet5_subclassed"]),
    lambda: training_program(TrainingConfig(lr_schedule="cosine", strategy="mirrored", scale_learning_rate=True)),
], ids=["subclassed", "training"])
def test_comments_are_translated_and_the_code_stays_code(program):
    from lib.i18n import language_override

    english = program().source().splitlines()
    with language_override("ko"):
        korean = program().source().splitlines()
    assert len(english) == len(korean)
    comments = [(en, ko) for en, ko in zip(english, korean) if en.lstrip().startswith("#")]
    assert comments and all(en != ko and re.search("[\uac00-\ud7a3]", ko) for en, ko in comments)
    assert [en for en in english if not en.lstrip().startswith("#")] == \
        [ko for ko in korean if not ko.lstrip().startswith("#")]


def test_keras_basics_page_shows_its_programs_and_they_print_its_numbers(tmp_path, monkeypatch):
    app = open_page("pages/chapter2/keras_basics.py", tmp_path, monkeypatch)
    checks = app.session_state["code_checks"]
    for example in MODEL_EXAMPLES:
        program = model_program(example)
        assert shown_code(app, f"# {program.title}\n") == [program.source()]
        page_checks = checks[f"basics_{example.key}"]
        values = run_program(program.source(), page_checks, tmp_path / example.key)
        assert_matches(values, page_checks)
        assert f"{page_checks['total_params']:,}" in values["__stdout__"]
    notebook = model_program(EXAMPLES["lenet5_subclassed"]).notebook()
    assert_matches(run_notebook(notebook, COUNTS, tmp_path / "notebook"), checks["basics_lenet5_subclassed"])


# --- Train LeNet-5: the recipe of the form -----------------------------------------------------------------------

def random_form(seed: int) -> dict:
    """Widget values of the Train page's form (keys without the `train_` prefix), chosen by a seeded generator."""
    rng = random.Random(seed)
    schedule = rng.choice(SCHEDULES)
    rate = rng.choice([None, 0.003, 0.02])
    return {"model": rng.choice(ARCHITECTURES), "style": rng.choice(STYLES), "optimizer": rng.choice(list(OPTIMIZERS)),
            "default_rate": rate is None, **({"learning_rate": rate} if rate else {}),
            "batch_size": rng.choice([32, 64, 128]), "seed": rng.randrange(1000),
            "l1": rng.choice([0.0, 0.0001]), "l2": rng.choice([0.0, 0.001]), "dropout": rng.choice([0.0, 0.25]),
            "batch_norm": rng.random() < 0.5, "batch_norm_momentum": 0.9, "early_stopping": rng.random() < 0.5,
            "reduce_lr_on_plateau": schedule != "cosine" and rng.random() < 0.5, "lr_schedule": schedule}


FORMS = [{}] + [random_form(seed) for seed in (1, 2, 3)]


def fill_form(app: AppTest, values: dict) -> None:
    """Set the form's widgets in order, as a visitor would: one that is disabled (a batch-norm momentum without
    batch norm, a rate left at Keras's default) stays as it is."""
    for name, value in {**values, "train_samples": 1000, "epochs": 1}.items():
        key = f"train_{name}"
        if isinstance(value, bool):
            widget = app.checkbox(key=key)
        elif isinstance(value, str):
            widget = app.selectbox(key=key)
        else:
            widget = app.number_input(key=key)
        if widget.disabled:
            continue
        widget.set_value(value)
        app.run()
        assert not app.exception, [exception.message for exception in app.exception]


@pytest.fixture(scope="module")
def engine_run(tmp_path_factory):
    """The engine's run of a config, trained once for the module: the Train page's form as it opens and the
    Scaling out page's recipe are one config, and one run answers both."""
    from lib.engine.training import train

    runs = {}

    def run(config: TrainingConfig):
        key = json.dumps(config.to_dict(), sort_keys=True)
        if key not in runs:
            runs[key] = train(config, tmp_path_factory.mktemp("engine"))
        return runs[key]

    return run


@pytest.mark.parametrize("form", FORMS, ids=["default", "random-1", "random-2", "random-3"])
def test_train_page_recipe_builds_the_engines_model_and_its_first_epoch_loss(form, tmp_path, monkeypatch,
                                                                            real_mnist_path, engine_run):
    app = open_page("pages/training/train.py", tmp_path, monkeypatch)
    fill_form(app, form)
    form = mnist_training_form()
    config = TrainingConfig.from_dict(form.saved_values(app.session_state))
    program = training_program(config)
    assert shown_code(app, "model.fit(") == [program.source()]
    page_checks = app.session_state["code_checks"]["train"]
    assert page_checks["TRAIN_SAMPLES"] == 1000 and page_checks["EPOCHS"] == 1
    values = run_program(program.source(), [*page_checks, *COUNTS, "first_epoch_loss"], tmp_path / "program")
    assert_matches(values, page_checks)

    result = engine_run(config)
    assert values["total_params"] == result.metrics["parameters"]
    engine_loss = result.history[0]["loss"]
    assert values["first_epoch_loss"] == pytest.approx(engine_loss, rel=LOSS_TOLERANCE)


# --- Scaling out: the same recipe under MirroredStrategy ---------------------------------------------------------

def test_scaling_page_mirrored_program_trains_as_the_engine_does(tmp_path, monkeypatch, real_mnist_path, engine_run):
    # The Train page's form as it opens (its default preset), cut to 1,000 images and one epoch as the recipe
    # tests cut it: the engine's run of it is the one the default form's recipe test compares with.
    config = replace(TrainingConfig(**MNIST_PRESETS[mnist_training_form().default_preset]), train_samples=1000,
                     epochs=1)
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=TIMEOUT)
    form = mnist_training_form()  # the Train page's form, as it saves itself for the Scaling out page
    app.session_state[form.saved_key] = {form.key(name): value for name, value in config.to_dict().items()}
    app.run()
    app.switch_page("pages/training/scaling.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    program = training_program(replace(config, strategy="mirrored"))
    assert shown_code(app, "MirroredStrategy()") == [program.source()]
    values = run_program(program.source(), ["first_epoch_loss", "total_params"], tmp_path / "program")
    assert "replicas: 1" in values["__stdout__"]
    result = engine_run(config)
    assert values["total_params"] == result.metrics["parameters"]
    assert values["first_epoch_loss"] == pytest.approx(result.history[0]["loss"], rel=LOSS_TOLERANCE)


# --- Your own classes: the downloaded set read with image_dataset_from_directory ---------------------------------

def test_own_classes_program_reads_the_downloaded_set_and_builds_the_engines_model(tmp_path, monkeypatch):
    import io
    import zipfile

    from lib.engine.labelled_images import image_set_zip_bytes
    from lib.engine.models import build_model
    from tests.test_own_classes_page import two_class_set
    from ui.own_classes import data_set

    examples = two_class_set(5)
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=TIMEOUT)
    app.session_state[data_set.SET_KEY] = examples
    app.run()
    app.switch_page("pages/training/own_classes.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    app.number_input(key="own_epochs").set_value(1).run()
    [source] = shown_code(app, "image_dataset_from_directory(")
    page_checks = app.session_state["code_checks"]["own_train"]
    assert page_checks == {"num_classes": 2, "num_examples": 10}
    folder = tmp_path / "program"
    zipfile.ZipFile(io.BytesIO(image_set_zip_bytes(data_set.to_image_set(examples)))).extractall(folder / "my-classes")
    values = run_program(source, [*page_checks, "total_params"], folder)
    assert_matches(values, page_checks)
    form = {name.removeprefix("own_"): value for name, value in app.session_state["own_saved_form"].items()}
    engine = build_model(form["model"], form["style"], batch_norm=form["batch_norm"], num_classes=2)
    assert values["total_params"] == engine.count_params()
    assert "validation accuracy:" in values["__stdout__"]


def test_writing_a_recipe_loads_no_tensorflow():
    """The Train and own-classes forms open without TensorFlow: their programs are written from the config alone."""
    import subprocess
    import sys

    probe = ("import sys; import lib.codegen.training, lib.codegen.own_classes; "
             "print('tensorflow' in sys.modules or 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
