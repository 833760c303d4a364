"""Code for what you see on the explorer pages: each page's program, run as a learner would run it, prints the
page's own numbers.

Every page is rendered through AppTest with its default controls and three seeded random settings; the program
its panel shows (the `st.code` text itself) runs as a learner runs it (tests/code_programs.py) and its variables
must equal the values the page recorded for them: outputs to 1e-5, parameter counts and shapes exactly. One
notebook per page group runs through nbclient.
"""

from __future__ import annotations

import random

import pytest
from streamlit.testing.v1 import AppTest

import ui.code_panel
from lib.explore.images import PATTERNS, SAMPLE_PHOTOS
from lib.explore.kernels import PRESETS, SIZES
from lib.keras_views.layer_weights import KERNEL_SIZES, MAX_KERNELS
from tests.code_programs import assert_matches, run_notebook, run_program
from tests.conftest import open_app
from ui.code_panel import CODE_CHECKS

TIMEOUT = 180
SEEDS = (1, 2, 3)
COLOUR_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")  # the others are gray already


@pytest.fixture
def panels(monkeypatch) -> dict:
    """Every Program a page hands to its code panel, by the panel's key (the latest one), for its notebook."""
    shown, panel = {}, ui.code_panel.code_panel

    def recording_panel(program, key, **kwargs):
        shown[key] = program
        return panel(program, key, **kwargs)

    monkeypatch.setattr(ui.code_panel, "code_panel", recording_panel)
    return shown


def open_page(path: str) -> AppTest:
    app = open_app(path, timeout=TIMEOUT)
    assert not app.exception, app.exception
    return app


def shown_program(app: AppTest, key: str) -> tuple[str, dict]:
    """The code the page shows in its panel and the values it recorded for the program's variables."""
    checks = app.session_state[CODE_CHECKS][key]
    sources = [block.value for block in app.code if block.language == "python"]
    assert len(sources) == 1, f"expected one program on the page, found {len(sources)}"
    return sources[0], checks


def set_widgets(app: AppTest, settings: list[tuple[str, str, object]]) -> AppTest:
    """Set each (kind, key, value) in order, running the page after each (a later widget may appear only then)."""
    for kind, key, value in settings:
        getattr(app, kind)(key=key).set_value(value)
        app.run()
        assert not app.exception, app.exception
    return app


def image_settings(rng: random.Random, prefix: str) -> list[tuple[str, str, object]]:
    if rng.random() < 0.25:
        return [("radio", f"{prefix}_source", "pattern"),
                ("selectbox", f"{prefix}_pattern", rng.choice(list(PATTERNS)))]
    photo = rng.choice(list(SAMPLE_PHOTOS))
    settings = [("radio", f"{prefix}_source", "photo"), ("selectbox", f"{prefix}_photo", photo)]
    if photo in COLOUR_PHOTOS and rng.random() < 0.5:
        settings.append(("toggle", f"{prefix}_colour", True))
    return settings


def convolution_settings(seed: int) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    settings = image_settings(rng, "conv") + [
        ("selectbox", "conv_kernel", rng.choice(list(PRESETS))),
        ("select_slider", "conv_size", rng.choice(SIZES)),
        ("slider", "conv_stride", rng.randint(1, 4)),
        ("slider", "conv_dilation", rng.randint(1, 3)),
    ]
    padding = rng.choice(["valid", "same", "explicit"])
    settings.append(("radio", "conv_padding", padding))
    if padding == "explicit":
        settings.append(("slider", "conv_p", rng.randint(0, 5)))
    return settings


def pooling_settings(seed: int) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    # Not k = 1: the page's stride slider would run from 1 to 1, which Streamlit refuses (reported; h28a is
    # reworking that slider).
    size = rng.randint(2, 10)
    return image_settings(rng, "pool") + [
        ("radio", "pool_mode", rng.choice(["max", "avg"])),
        ("slider", "pool_size", size),
        ("slider", "pool_stride", rng.randint(1, size)),
        ("radio", "pool_padding", rng.choice(["valid", "same"])),
    ]


# Each seed's input and kernels, so that every kind is run: an image with presets, an MNIST digit with random
# kernels, and LeNet-5's pool1 activations with its trained conv2 kernels; the numbers in them are drawn.
LAYER_SOURCES = {1: ("image", "presets"), 2: ("digit", "random"), 3: ("activations", "conv2")}


def conv_layer_settings(seed: int) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    volume, kernels = LAYER_SOURCES[seed]
    settings = [("radio", "layer_volume", volume)]
    if volume == "image":
        settings += image_settings(rng, "layer")
    else:
        settings += [("radio", "layer_digit_source", "mnist"),
                     ("number_input", "layer_mnist_index", rng.randint(0, 9999))]
    settings.append(("radio", "layer_kernel_source", kernels))
    if kernels == "presets":
        settings += [("slider", "layer_n", rng.randint(1, MAX_KERNELS)), ("select_slider", "layer_k", rng.choice(SIZES)),
                     ("number_input", "layer_bias_0", round(rng.uniform(-50, 50), 2))]
    elif kernels == "random":
        settings += [("slider", "layer_random_n", rng.randint(1, MAX_KERNELS)),
                     ("select_slider", "layer_random_k", rng.choice(KERNEL_SIZES)),
                     ("number_input", "layer_seed", rng.randint(0, 10_000))]
    padding = rng.choice(["valid", "same", "explicit"])
    settings += [("slider", "layer_stride", rng.randint(1, 3)), ("radio", "layer_padding", padding),
                 ("toggle", "layer_relu", rng.random() < 0.5)]
    if padding == "explicit":
        settings.append(("slider", "layer_p", rng.randint(0, 5)))
    return settings


def check_page(path: str, key: str, settings_for, tmp_path, panels: dict) -> list[dict]:
    """Render `path` with the defaults and each seed's settings; run every program shown, and the first one's
    notebook; compare each with what the page recorded."""
    app = open_page(path)
    recorded = []
    for run_number, settings in enumerate([[]] + [settings_for(seed) for seed in SEEDS]):
        set_widgets(app, settings)
        source, checks = shown_program(app, key)
        assert panels[key].source().strip() == source.strip()
        assert_matches(run_program(source, checks, tmp_path / f"run{run_number}"), checks, atol=1e-5)
        if run_number == 0:
            assert_matches(run_notebook(panels[key].notebook(), checks, tmp_path / "notebook"), checks, atol=1e-5)
        recorded.append(checks)
    return recorded


def test_convolution_programs_print_the_pages_output(tmp_path, panels):
    recorded = check_page("pages/operations/convolution.py", "convolution", convolution_settings, tmp_path, panels)
    # The settings differed, so the test compared different outputs, not one twice.
    assert len({checks["output"].shape for checks in recorded}) > 1


def test_pooling_programs_print_the_pages_output(tmp_path, panels):
    recorded = check_page("pages/operations/pooling.py", "pooling", pooling_settings, tmp_path, panels)
    assert len({checks["output"].shape for checks in recorded}) > 1


def test_conv_layer_programs_print_the_pages_maps_and_parameter_count(tmp_path, panels):
    recorded = check_page("pages/operations/conv_layer.py", "conv_layer", conv_layer_settings, tmp_path, panels)
    assert len({checks["parameters"] for checks in recorded}) > 1


def why_cnns_settings(seed: int) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    return [("slider", "why_units", rng.randrange(16, 513, 16)), ("slider", "why_filters", rng.randint(1, 128)),
            ("select_slider", "why_kernel", rng.choice([3, 5, 7]))]


def test_why_cnns_programs_count_the_pages_parameters(tmp_path, panels):
    recorded = check_page("pages/operations/why_cnns.py", "why_cnns", why_cnns_settings, tmp_path, panels)
    assert len({(checks["photo_dense"], checks["photo_conv"]) for checks in recorded}) == len(recorded)


def receptive_settings(seed: int) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    layer = rng.choice(["conv1", "pool1", "conv2", "pool2"])
    last = {"conv1": 27, "pool1": 13, "conv2": 9, "pool2": 4}[layer]  # the shipped LeNet-5's maps
    return [("radio", "receptive_layer", layer), ("slider", f"receptive_row_{layer}", rng.randint(0, last)),
            ("slider", f"receptive_col_{layer}", rng.randint(0, last))]


def test_receptive_field_programs_give_the_pages_field_and_box(tmp_path, panels):
    recorded = check_page("pages/draw/receptive.py", "receptive", receptive_settings, tmp_path, panels)
    assert len({checks["box"] for checks in recorded}) > 1


def test_long_comments_are_wrapped_to_the_panels_width_and_code_is_left_alone():
    from lib.codegen.comments import WIDTH, _columns, wrap_comments

    code = "output = tf.nn.conv2d(x, filters, strides=STRIDE, padding=PADDING, dilations=DILATION)  # " + "a" * 80
    cell = "\n".join(["    # " + "가나다라 " * 40, code, "# short"])
    lines = wrap_comments(cell).split("\n")
    assert lines[-2:] == [code, "# short"]
    wrapped = lines[:-2]
    assert len(wrapped) > 1 and all(_columns(line) <= WIDTH and line.startswith("    # ") for line in wrapped)
    assert " ".join(line[6:] for line in wrapped).split() == ("가나다라 " * 40).split()
