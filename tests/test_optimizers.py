"""The optimizer registry (lib.engine.optimizers) is the one list of optimizers: its entries are consistent, and a
stand-in eighth optimizer registered in it (Keras's Lion) turns up everywhere optimizers are listed — the command
line's choices, the Train page's picker and recipe, the Optimizers page's rates, table, chart, code and rules,
the charts' and class board's colours, the generated programs and the book's optimizer experiment. A place that
kept a list of its own would miss it, and fail here.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from lib.engine.optimizers import FAMILIES, OPTIMIZERS, Optimizer
from lib.keras_views.optimizer_paths import SURFACES
from tests.conftest import open_app

STAND_IN = Optimizer(
    "lion", "Lion", "Lion", 0.001, {"bowl": 0.05, "rosenbrock": 0.01, "saddle": 0.05, "two minima": 0.02},
    r"c \leftarrow \beta_1 m + (1-\beta_1) g;\ \theta \leftarrow \theta - \eta\,\mathrm{sign}(c);\ "
    r"m \leftarrow \beta_2 m + (1-\beta_2) g", "scale_free", "#7f7f7f")


@pytest.fixture
def eighth_optimizer(monkeypatch) -> Optimizer:
    """The registry with a stand-in eighth entry, for this test only."""
    monkeypatch.setitem(OPTIMIZERS, STAND_IN.id, STAND_IN)
    return STAND_IN


def registry_problems() -> list[str]:
    from ui.charts import ADADELTA_1_COLOUR

    problems = []
    colours = [entry.colour for entry in OPTIMIZERS.values()]
    if len(set(colours)) != len(colours) or ADADELTA_1_COLOUR in colours:
        problems.append(f"colours repeat or take Adadelta at 1.0's: {colours}")
    for entry in OPTIMIZERS.values():
        if entry.id not in OPTIMIZERS or OPTIMIZERS[entry.id] is not entry:
            problems.append(f"{entry.id}: listed under another id")
        if set(entry.suited_rates) != set(SURFACES):
            problems.append(f"{entry.id}: suited rates for {sorted(entry.suited_rates)}, surfaces {sorted(SURFACES)}")
        if entry.family not in FAMILIES:
            problems.append(f"{entry.id}: family {entry.family!r} is not one of {FAMILIES}")
    return problems


def test_every_book_optimizer_has_its_own_colour_suited_rates_and_family():
    assert registry_problems() == []


def test_the_stand_in_is_a_consistent_entry(eighth_optimizer):
    assert registry_problems() == []
    assert len(OPTIMIZERS) == 8


def test_the_ids_stay_those_that_saved_runs_and_the_command_line_use():
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam"]


def test_each_entry_builds_its_keras_class_with_its_arguments(eighth_optimizer):
    pytest.importorskip("keras")
    for entry in OPTIMIZERS.values():
        built = entry.build(0.0123)
        assert type(built).__name__ == entry.keras_class
        assert float(built.learning_rate) == pytest.approx(0.0123)
        for key, value in entry.arguments.items():
            assert getattr(built, key) == pytest.approx(value), (entry.id, key)


def test_the_command_line_and_the_config_take_the_stand_in(eighth_optimizer, cli):
    from lib.cli import build_parser, parse_config
    from lib.engine.config import TrainingConfig, command_for

    config, _options = parse_config(build_parser(), ["--optimizer", "lion"])
    assert config.optimizer == "lion"
    assert "--optimizer=lion" in command_for(TrainingConfig(optimizer="lion").validate())
    refused = cli("--optimizer", "lamb")
    assert refused.returncode == 2 and "lion" in refused.stderr


def test_the_train_page_offers_the_stand_in_and_writes_its_recipe(eighth_optimizer, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = open_app("pages/training/train.py")
    picker = app.selectbox(key="train_optimizer")
    assert picker.options == [entry.choice_name for entry in OPTIMIZERS.values()]
    picker.set_value("lion")
    app.run()
    assert not app.exception
    assert any(box.label == "Keras's default learning rate (0.001)" for box in app.checkbox)
    assert any("keras.optimizers.Lion(learning_rate=learning_rate)" in block.value for block in app.code)


def test_the_optimizers_page_steps_draws_and_tabulates_the_stand_in(eighth_optimizer):
    pytest.importorskip("tensorflow")
    app = open_app("pages/training/optimizers.py", timeout=240)
    assert not app.exception, [exception.message for exception in app.exception]
    assert "Lion" in app.multiselect(key="opt_selected").options
    assert app.number_input(key="opt_rate_lion").value == pytest.approx(STAND_IN.suited_rates["bowl"])
    table = next(frame.value for frame in app.dataframe if "final loss" in frame.value.columns)
    assert list(table["optimizer"]) == [entry.choice_name for entry in OPTIMIZERS.values()]
    chart = json.loads(app.get("plotly_chart")[1].proto.spec)  # the primer's, then the surface's
    lines = {trace.get("name"): trace["line"]["color"] for trace in chart["data"] if trace.get("mode") == "lines"}
    assert lines["Lion"] == STAND_IN.colour and len(set(lines.values())) == len(lines)
    assert any(STAND_IN.update_rule in element.value for element in app.get("latex"))


def test_the_stand_in_walks_the_surfaces_with_keras_own_update(eighth_optimizer):
    pytest.importorskip("tensorflow")
    from lib.keras_views.optimizer_paths import trajectory

    bowl = SURFACES["bowl"]
    path = trajectory("lion", "bowl", bowl.start, 20, bowl.suited_rates["lion"])
    # Lion steps by the sign of its update: each coordinate moves by exactly the rate while it does not turn.
    assert abs(path[1] - path[0]) == pytest.approx([0.05, 0.05], rel=1e-5)


def test_the_charts_and_the_class_board_colour_the_stand_in_its_own_way(eighth_optimizer, tmp_path):
    from ui.charts import ADADELTA_1_COLOUR, distinct_colours, run_colour
    from ui.class_board import colour

    run = SimpleNamespace(path=tmp_path / "optimizers" / "lion", run_id="lion", config={"optimizer": "lion"})
    assert run_colour(run, 0) == STAND_IN.colour
    others = [SimpleNamespace(path=tmp_path / "optimizers" / name, run_id=name, config={"optimizer": name})
              for name in OPTIMIZERS]
    colours = distinct_colours(others)
    assert colours[-1] == STAND_IN.colour and STAND_IN.colour != ADADELTA_1_COLOUR
    assert colours == [entry.colour for entry in OPTIMIZERS.values()]
    assert colour("lion", ["lion"]) == STAND_IN.colour


def test_the_generated_programs_build_the_stand_in(eighth_optimizer):
    import numpy as np

    from lib.codegen.optimizers import optimizer_program
    from lib.codegen.training import training_program
    from lib.engine.config import TrainingConfig

    path = np.array([[-4.5, 1.5], [-4.45, 1.45]])
    program = optimizer_program("lion", "bowl", (-4.5, 1.5), 1, 0.05, path)
    assert "optimizer = keras.optimizers.Lion(learning_rate=LEARNING_RATE)" in program.source()
    recipe = training_program(TrainingConfig(optimizer="lion"))
    assert "keras.optimizers.Lion(learning_rate=learning_rate)" in recipe.source()
    assert "LEARNING_RATE = 0.001" in recipe.source()


def test_the_book_optimizer_experiment_trains_the_stand_in(eighth_optimizer):
    from lib.runs.experiments import _optimizers

    variants = _optimizers()
    assert variants["lion"].optimizer == "lion" and variants["lion"].learning_rate is None
