"""The History page's charts: epochs ticked in whole numbers, axes titled."""

import numpy as np
import pytest

from ui.charts import Curves, curves_figure, epoch_tick_step

ROWS = [{"epoch": 1, "accuracy": 0.5, "val_accuracy": 0.45, "loss": 1.0}, {"epoch": 2, "accuracy": 0.8, "loss": 0.5},
        {"epoch": 3, "accuracy": 0.9, "val_accuracy": 0.85, "loss": 0.3}]


def test_chart_ticks_epochs_in_whole_numbers_with_titled_axes():
    curves = [Curves("run", "#000000", ROWS)]
    figure, _ = curves_figure(curves, log_loss=True)
    layout = figure.layout
    assert layout.xaxis.dtick == 1 and layout.xaxis2.dtick == 1
    assert [layout.xaxis.title.text, layout.xaxis2.title.text] == ["epoch", "epoch"]
    assert layout.yaxis.title.text == "loss (log scale)" and layout.yaxis2.title.text == "accuracy"


@pytest.mark.parametrize("last_epoch, step", [(3, 1), (10, 1), (20, 2), (25, 5), (80, 10), (300, 50), (1000, 100)])
def test_epoch_tick_step_is_a_whole_number_giving_at_most_ten_ticks(last_epoch, step):
    assert epoch_tick_step(last_epoch) == step


def test_colours_do_not_repeat_among_more_runs_than_the_palette_holds():
    from pathlib import Path
    from types import SimpleNamespace

    from ui.charts import PALETTE, distinct_colours
    runs = [SimpleNamespace(path=Path("/runs/my") / f"run{index}", run_id=f"run{index}", config={})
            for index in range(3 * len(PALETTE))]
    colours = distinct_colours(runs)
    assert len(set(colours)) == len(runs)
    assert colours[:len(PALETTE)] == PALETTE


def test_a_book_optimizer_run_keeps_its_colour_unless_an_earlier_run_holds_it():
    from pathlib import Path
    from types import SimpleNamespace

    from lib.engine.optimizers import OPTIMIZER_COLOURS
    from ui.charts import PALETTE, distinct_colours
    adam = SimpleNamespace(path=Path("/saved_models/optimizers/adam"), run_id="adam", config={"optimizer": "adam"})
    mine = [SimpleNamespace(path=Path("/runs/my") / f"run{index}", run_id=f"run{index}", config={})
            for index in range(PALETTE.index(OPTIMIZER_COLOURS["adam"]) + 1)]
    assert distinct_colours([adam])[0] == OPTIMIZER_COLOURS["adam"]
    colours = distinct_colours([*mine, adam])
    assert colours[-2] == OPTIMIZER_COLOURS["adam"] and len(set(colours)) == len(mine) + 1


def test_a_one_epoch_run_is_drawn_with_markers_so_its_one_point_shows():
    one = [{"epoch": 1, "loss": 0.3, "accuracy": 0.91, "val_loss": 0.2, "val_accuracy": 0.94}]
    figure, plotted = curves_figure([Curves("run", "#000000", one)])
    assert len(figure.data) == 4 and all("markers" in trace.mode for trace in figure.data)
    # training a filled dot, validation an open one, so the two points tell apart without the legend
    assert {trace.marker.symbol for trace in figure.data if "(validation)" in trace.name} == {"circle-open"}
    assert {trace.marker.symbol for trace in figure.data if "(train)" in trace.name} == {"circle"}
    assert len(plotted) == 4


def test_a_run_of_several_epochs_keeps_plain_lines():
    figure, _ = curves_figure([Curves("run", "#000000", ROWS)])
    train = [trace for trace in figure.data if "(train)" in trace.name]
    assert train and all(trace.mode == "lines" for trace in train)


def plotly_range(values, axis: dict) -> tuple[float, float]:
    """The range Plotly shows for `values` under `axis`: the axis's own range if it has one; else Plotly's
    autorange, the values' span with some padding (taken as a tenth each side), or the value plus or minus 1 when
    the values are all alike (plotly.js's autorange does that for a single value)."""
    import math

    if "range" in axis:
        return tuple(axis["range"])
    finite = [value for value in values if value is not None and math.isfinite(value)] or [0.0]
    low, high = min(finite), max(finite)
    if low == high:
        return low - 1, high + 1
    return low - (high - low) / 10, high + (high - low) / 10


def shown_tick_labels(values) -> list[str]:
    """The tick labels an axis made by percent_axis(values) shows, formatted as d3 formats them."""
    import math

    from ui.charts import percent_axis

    axis = percent_axis(values)
    decimals = int(axis["tickformat"][1:-1])
    assert decimals <= 4, axis
    low, high = plotly_range(values, axis)
    first, last = math.ceil(low / axis["dtick"] - 1e-9), math.floor(high / axis["dtick"] + 1e-9)
    assert last - first < 20, (values, axis)  # before formatting thousands of them
    return [f"{index * axis['dtick']:.{decimals}%}" for index in range(first, last + 1)]


@pytest.mark.parametrize("seed", range(40))
def test_percent_axis_ticks_read_differently_and_are_few(seed):
    rng = np.random.default_rng(seed)
    low = float(rng.uniform(0, 0.99))
    values = list(low + rng.uniform(0, 1 - low, 5) * float(rng.choice([1, 0.1, 0.01, 0.001])))
    if seed % 4 == 0:
        values = values[:1] * (1 + seed % 3)  # a live chart's first batch, or values all alike
    labels = shown_tick_labels(values)
    assert len(set(labels)) == len(labels), (values, labels)
    assert 2 <= len(labels) <= 8 + 4, (values, labels)


@pytest.mark.parametrize("values", [[0.6], [0.0], [1.0], [0.97, 0.97], [], [None, float("nan")]])
def test_percent_axis_around_values_all_alike_shows_a_point_inside_0_to_100_percent(values):
    from ui.charts import percent_axis

    axis = percent_axis(values)
    low, high = axis["range"]
    assert high - low == pytest.approx(0.01)
    assert low >= -0.001 - 1e-12 and high <= 1.001 + 1e-12
    centre = next((value for value in values if value is not None and value == value), None)
    if centre is not None:
        assert low < centre < high
    labels = shown_tick_labels(values)
    assert 4 <= len(labels) <= 6 and all(0 <= float(label[:-1]) <= 100 for label in labels), labels


def test_percent_axis_of_the_class_boards_narrow_curves_no_longer_repeats_a_tick():
    from ui.charts import percent_axis

    assert percent_axis([0.972, 0.975, 0.978]) == {"tickformat": ".1%", "dtick": 0.001}
    assert percent_axis([0.5, 0.99])["tickformat"] == ".0%"


def test_a_live_charts_first_batch_has_a_few_accuracy_ticks_not_a_thousand():
    figure, _ = curves_figure([Curves("run", "#000000", [], [{"position": 0.01, "loss": 2.2, "accuracy": 0.6}])])
    axis = figure.layout.yaxis2
    assert list(axis.range) == pytest.approx([0.595, 0.605])
    assert (axis.range[1] - axis.range[0]) / axis.dtick <= 10
