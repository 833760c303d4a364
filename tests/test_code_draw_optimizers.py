"""'Code for what you see' on Draw and Optimizers: the code each page shows runs and prints the page's numbers.

Each page is rendered through AppTest with its default controls and three seeded random settings; the program
in its code panel is run as a learner would run it, each from its own file and folder (tests/code_programs.py),
and what it leaves is compared with the checks the page recorded. Tolerances: probabilities, occlusion maps and
optimizer paths 1e-5; integrated gradients 1e-4 relative (plus 1e-6 absolute: the page sums its gradients in
batches of 256, the program in one batch). The Draw notebook runs once, through nbclient.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lib.codegen.training import optimizer_code
from lib.engine.optimizers import OPTIMIZERS
from lib.keras_views.optimizer_paths import SURFACES
from tests.code_programs import assert_matches, run_notebook, run_program
from tests.conftest import ROOT, open_app
from tests.digit_strokes import DIGITS, PLACEMENTS, place, rasterize
from ui.code_panel import CODE_CHECKS

TIMEOUT = 300
SEEDS = (1, 2, 3)


def run_programs(sources: list[str], names: list[str], folders: list) -> list[dict]:
    """Each program from its own file, in its own folder (tests/code_programs.py: one interpreter for them all,
    outside the repository)."""
    return [run_program(source, names, folder, timeout=900) for source, folder in zip(sources, folders)]


def shown_code(app: AppTest, marker: str) -> str:
    (code,) = [block.value for block in app.code if marker in block.value]
    return code


def open_page(path: str) -> AppTest:
    app = open_app(path, timeout=TIMEOUT)
    return app


def no_exception(app: AppTest) -> None:
    assert not app.exception, [exception.message for exception in app.exception]


# Draw -----------------------------------------------------------------------------------------------------------

class FakeCanvas:
    """Stands in for streamlit_drawable_canvas in AppTest (a component draws nothing there): returns `rgba`."""

    rgba = None

    def __call__(self, **_arguments):
        return types.SimpleNamespace(image_data=self.rgba)


def drawing(digit: int, style: int, placement: int) -> np.ndarray:
    return rasterize(place(DIGITS[digit][style], *PLACEMENTS[placement]))


def draw_settings() -> list[dict]:
    """The default drawing with the default controls, then three random drawings with random controls."""
    settings = [dict(rgba=drawing(3, 0, 0), crop=True, centre=True, patch=4, stride=2)]
    rng = np.random.default_rng(SEEDS[0])
    for digit in rng.choice([digit for digit in DIGITS if digit != 3], len(SEEDS), replace=False):
        settings.append(dict(rgba=drawing(int(digit), int(rng.integers(2)), int(rng.integers(len(PLACEMENTS)))),
                             crop=bool(rng.integers(2)), centre=bool(rng.integers(2)),
                             patch=int(rng.integers(2, 15)), stride=int(rng.integers(1, 8))))
    return settings


@pytest.fixture(scope="module")
def draw_pages(tmp_path_factory):
    """(settings, code, checks) for each drawing, from one AppTest session that changes the controls."""
    canvas = FakeCanvas()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path_factory.mktemp("draw_runs")))
        # The real module registers its component on import, which needs a Streamlit runtime; the page imports
        # this one instead.
        patch.setitem(sys.modules, "streamlit_drawable_canvas", types.SimpleNamespace(st_canvas=canvas))
        shown = []
        canvas.rgba = draw_settings()[0]["rgba"]
        app = open_page("pages/draw/draw.py")
        for settings in draw_settings():
            canvas.rgba = settings["rgba"]
            app.checkbox(key="draw_crop").set_value(settings["crop"])
            app.checkbox(key="draw_centre").set_value(settings["centre"])
            app.slider(key="draw_why_patch").set_value(settings["patch"])
            app.slider(key="draw_why_stride").set_value(settings["stride"])
            app.run()
            no_exception(app)
            checks = app.session_state[CODE_CHECKS]["draw"]
            shown.append((settings, shown_code(app, "MODEL_PATH"), dict(checks)))
        # The last drawing's charts with "Two more methods" closed, then opened by the learner.
        shown = DrawPages(shown)
        closed = chart_keys(app)
        app.session_state["draw_why_more"] = True
        app.run()
        no_exception(app)
        shown.expander_charts = (closed, chart_keys(app))
        shown.expander_captions = [caption.value for caption in app.caption]
        return shown


class DrawPages(list):
    """(settings, code, checks) for each drawing; `expander_charts`: the page's Plotly charts (their keys) for the
    last drawing with its "Two more methods" expander closed, and opened."""

    expander_charts: tuple[set[str], set[str]]
    expander_captions: list[str]  # the page's captions with the expander open


def chart_keys(app) -> set[str]:
    return {chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")}


def folder_with_models(folder):
    """A folder as the app's own: the program names the shipped model by its path in the app's folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "saved_models").symlink_to(ROOT / "saved_models")
    return folder


def assert_draw_matches(values: dict, checks: dict) -> None:
    exact = {name: value for name, value in checks.items() if name != "attributions"}
    assert_matches(values, exact, atol=1e-5)
    assert_matches(values, {"attributions": checks["attributions"]}, atol=1e-6, rtol=1e-4)


def test_draw_pages_code_reads_every_drawing_as_the_page_does(draw_pages, tmp_path):
    folders = [folder_with_models(tmp_path / f"drawing{index}") for index in range(len(draw_pages))]
    # The last program reads the drawing from my_digit.png through its own preprocessing functions.
    Image.fromarray(draw_pages[-1][0]["rgba"]).save(folders[-1] / "my_digit.png")
    names = list(draw_pages[0][2])
    results = run_programs([code for _settings, code, _checks in draw_pages], names, folders)
    for (settings, code, checks), values in zip(draw_pages, results):
        assert f"PATCH = {settings['patch']}" in code and f"STRIDE = {settings['stride']}" in code
        assert f"CROP_AND_SCALE = {settings['crop']}" in code
        assert_draw_matches(values, checks)


def test_draw_page_shows_the_answer_its_code_predicts(draw_pages):
    for _settings, _code, checks in draw_pages:
        assert checks["prediction"] == int(np.argmax(checks["probabilities"])) == checks["answer"]
        assert checks["occlusions"].shape == checks["attributions"].shape == (2, 28, 28)
    # The drawings differ, and so does what the page computed from them: the checks are not one fixed answer.
    assert len({checks["DIGIT"].tobytes() for _settings, _code, checks in draw_pages}) == len(draw_pages)


def test_the_two_more_methods_are_made_and_drawn_only_while_their_expander_is_open(draw_pages):
    closed, opened = draw_pages.expander_charts
    assert any(key.startswith("draw_why_occlusion_") for key in closed)
    assert not {"draw_why_smoothgrad", "draw_why_gradcam"} & closed
    assert opened == closed | {"draw_why_smoothgrad", "draw_why_gradcam"}
    # Beside the two maps, why their numbers are tiny, exactly when the answer's probability is saturated.
    from lib.keras_views.explain import SATURATED

    checks = draw_pages[-1][2]
    probability = float(checks["probabilities"][checks["answer"]])
    notes = [caption for caption in draw_pages.expander_captions if "the softmax is saturated" in caption]
    assert len(notes) == (probability > SATURATED)
    if notes:
        assert f"p({checks['answer']}) is {probability:.4f}" in notes[0]


def test_draw_notebook_runs_top_to_bottom_with_the_same_results(draw_pages, tmp_path):
    from lib.codegen.draw import draw_program
    from lib.runs.store import SHIPPED_MODEL

    settings, code, checks = draw_pages[0]
    program = draw_program(SHIPPED_MODEL, checks["DIGIT"], settings["crop"], settings["centre"], settings["patch"],
                           settings["stride"], checks["probabilities"], (checks["answer"], checks["runner_up"]),
                           checks["occlusions"], checks["attributions"])
    assert program.source().strip() == code.strip()  # the very program the page showed, whose notebook it offers
    folder = folder_with_models(tmp_path / "notebook")
    assert_draw_matches(run_notebook(program.notebook(), checks, folder), checks)


# Optimizers -----------------------------------------------------------------------------------------------------

def optimizer_settings() -> list[dict]:
    settings = [{}]  # the page as it opens
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        settings.append(dict(surface=str(rng.choice(list(SURFACES))), steps=int(rng.integers(1, 51)) * 10,
                             optimizer=str(rng.choice(list(OPTIMIZERS))),
                             rate=None if seed == 1 else float(np.round(rng.uniform(0.001, 0.3), 4)),
                             start=(float(np.round(rng.uniform(-2, 2), 1)), float(np.round(rng.uniform(-1, 1), 1)))))
    return settings


@pytest.fixture(scope="module")
def optimizer_pages(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path_factory.mktemp("optimizer_runs")))
        app = open_page("pages/training/optimizers.py")
        no_exception(app)
        shown = []
        for settings in optimizer_settings():
            if settings:
                app.selectbox(key="opt_surface").set_value(settings["surface"]).run()
                app.slider(key="opt_steps").set_value(settings["steps"])
                app.number_input(key="opt_start_x").set_value(settings["start"][0])
                app.number_input(key="opt_start_y").set_value(settings["start"][1])
                app.selectbox(key="opt_code_optimizer").set_value(settings["optimizer"])
                if settings["rate"] is not None:
                    app.number_input(key=f"opt_rate_{settings['optimizer']}").set_value(settings["rate"])
                app.run()
            no_exception(app)
            shown.append((settings, shown_code(app, "optimizer.apply"),
                          dict(app.session_state[CODE_CHECKS]["optimizers"])))
        return shown


def test_optimizers_code_walks_the_path_the_page_draws(optimizer_pages, tmp_path):
    folders = [tmp_path / f"setting{index}" for index in range(len(optimizer_pages))]
    results = run_programs([code for _settings, code, _checks in optimizer_pages], ["path"], folders)
    for (settings, code, checks), values in zip(optimizer_pages, results):
        if settings:
            assert f"STEPS = {settings['steps']}" in code
            assert f"START = ({settings['start'][0]!r}, {settings['start'][1]!r})" in code
            if settings["rate"] is not None:
                assert f"LEARNING_RATE = {settings['rate']!r}" in code
            assert optimizer_code(settings["optimizer"], "LEARNING_RATE") in code
        assert_matches(values, checks, atol=1e-5)
    assert len({checks["path"].tobytes() for _settings, _code, checks in optimizer_pages}) == len(optimizer_pages)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_programs_optimizer_is_the_one_the_page_steps_with(name):
    import keras

    from lib.engine.optimizers import build_optimizer

    written = eval(optimizer_code(name, "LEARNING_RATE"), {"keras": keras, "LEARNING_RATE": 0.0123})
    built = build_optimizer(name, 0.0123)
    assert type(written) is type(built)
    ignore = {"name"}
    assert ({key: value for key, value in written.get_config().items() if key not in ignore}
            == {key: value for key, value in built.get_config().items() if key not in ignore})
