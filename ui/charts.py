"""The app's one loss-and-accuracy chart and its colours, for the Training and History pages. Not a page itself."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.engine.optimizers import OPTIMIZER_COLOURS
from lib.i18n import _
from lib.plain_text import plain_html
from lib.runs.comparison import smooth

# One colour per run, the same on every chart of the app.
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22"]
# Each of the book's optimizers has its own colour on the Optimizers page and on History's optimizer runs (its
# registry entry's, lib.engine.optimizers: the palette's first seven); Adadelta at 1.0 (a run, not an optimizer)
# has one too, which no optimizer may take (tests/test_optimizers.py).
ADADELTA_1_COLOUR = PALETTE[7]
METRICS = ("loss", "accuracy")


def run_colour(run, index: int) -> str:
    """A run's colour: its optimizer's for the book's optimizer runs, otherwise by its place in the list."""
    if run.path.parent.name == "optimizers":
        if run.run_id == "adadelta-lr1":
            return ADADELTA_1_COLOUR
        return OPTIMIZER_COLOURS.get(run.config.get("optimizer"), PALETTE[index % len(PALETTE)])
    return PALETTE[index % len(PALETTE)]


def extra_colour(number: int) -> str:
    """The `number`-th colour after the palette's: hues a golden angle apart, so neighbours in the list differ
    most, at a darker lightness for the first 360 and a lighter one for the next."""
    hue = round(number * 137.508) % 360
    lightness = 38 if (number // 360) % 2 == 0 else 55
    return f"hsl({hue}, 70%, {lightness}%)"


def distinct_colours(runs: list) -> list[str]:
    """One colour per run, none repeated: a book optimizer run keeps its optimizer's colour while no earlier run
    holds it; every other run takes the first palette colour not yet taken, then colours beyond the palette."""
    taken, colours = set(), []
    extra = iter(extra_colour(number) for number in range(10**6))
    for index, run in enumerate(runs):
        wanted = run_colour(run, index)
        if wanted in taken:
            wanted = next((colour for colour in PALETTE if colour not in taken), None) or next(
                colour for colour in extra if colour not in taken)
        taken.add(wanted)
        colours.append(wanted)
    return colours


@dataclass
class Curves:
    """What one run contributes to the chart."""

    label: str
    colour: str
    history: list[dict]  # one row per epoch, epochs counted from 1
    # Training loss and accuracy within epochs ({"position": epochs, "loss", "accuracy"}), while a job runs.
    batch_points: list[dict] = field(default_factory=list)
    best_epoch: int | None = None  # starred
    stopped_epoch: int | None = None  # a dotted line where early stopping ended the run


def epoch_tick_step(last_epoch: float, most_ticks: int = 10) -> int:
    """A whole-number step between epoch ticks (1, 2, 5, 10, 20, 25, 50, ...) giving at most `most_ticks` ticks.

    Plotly would tick a three-epoch run at 0.5, 1, 1.5...: epochs are counted, so every tick is a whole one.
    """
    scale = 1
    while True:
        for step in (1, 2, 5, 10, 20, 25, 50):
            if step * scale * most_ticks >= last_epoch:
                return step * scale
        scale *= 100


# The span shown around values that are all alike: one percentage point.
ALIKE_SPAN = 0.01


def percent_axis(values, most_ticks: int = 8) -> dict:
    """Tick settings for an axis of shares shown in percent: a step of 1, 2 or 5 times a power of ten giving at
    most `most_ticks` ticks over the values' span, and as many decimals as that step needs, so no two ticks read
    the same (".0%" over 97.2-97.8 % labels every tick "97%").

    Values that are all alike (one point: a live chart's first batch) also get the axis's range, a percentage
    point around them inside 0-100 %: Plotly's own range for a single value is that value plus or minus 1,
    -40 % to 160 % around 60 %, which at this step would be a thousand ticks."""
    finite = [float(value) for value in values if value is not None and math.isfinite(value)]
    span = max(finite) - min(finite) if finite else 0.0
    shown = None
    if span <= 0:
        span = ALIKE_SPAN
        centre = finite[0] if finite else 0.5
        low = min(max(centre - span / 2, -ALIKE_SPAN / 10), 1 + ALIKE_SPAN / 10 - span)
        shown = [low, low + span]
    step = 1e-6
    while not any(multiple * step * most_ticks >= span for multiple in (1, 2, 5)):
        step *= 10
    step = round(next(multiple * step for multiple in (1, 2, 5) if multiple * step * most_ticks >= span), 12)
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    axis = {"tickformat": f".{decimals}%", "dtick": step}
    return axis | {"range": shown} if shown else axis


def curves_figure(runs: list[Curves], smoothing: float = 0.0, log_loss: bool = False, show_train: bool = True,
                  height: int = 420) -> tuple[go.Figure, list[dict]]:
    """Loss and accuracy: training solid, validation dashed; and the plotted values as rows for a download.

    Training comes per batch when a run has batch points (its validation
    still per epoch), otherwise per epoch. `smoothing` is the weight of the
    bias-corrected moving average applied to every curve.
    """
    figure = make_subplots(rows=1, cols=2, subplot_titles=(_("Loss"), _("Accuracy")))
    # Each series' legend name, in the reader's language: "train" and "validation" themselves are ids.
    shown = {"train": _("{run} (train)"), "validation": _("{run} (validation)")}
    plotted = []
    for run in runs:
        epochs = [row.get("epoch") for row in run.history]
        for col, metric in enumerate(METRICS, start=1):
            series = []
            if show_train and run.batch_points:
                series.append(("train", [point["position"] for point in run.batch_points],
                               [point[metric] for point in run.batch_points], "solid", "lines"))
            elif show_train:
                series.append(("train", epochs, [row.get(metric) for row in run.history], "solid", "lines"))
            series.append(("validation", epochs, [row.get(f"val_{metric}") for row in run.history], "dash",
                           "lines+markers" if run.batch_points else "lines"))
            for name, xs, values, dash, mode in series:
                values = smooth(values, smoothing)
                if all(value is None for value in values):
                    continue
                single = sum(value is not None for value in values) == 1
                if single:
                    mode = "lines+markers"  # a line through one point (a one-epoch run) draws nothing at all
                marker = dict(symbol="circle-open" if name == "validation" else "circle", size=10) if single else None
                figure.add_trace(go.Scatter(x=xs, y=values, name=shown[name].format(run=plain_html(run.label)), mode=mode,
                                            legendgroup=plain_html(run.label), line=dict(color=run.colour, dash=dash),
                                            marker=marker, showlegend=col == 1), row=1, col=col)
                series_name = metric if name == "train" else f"val_{metric}"
                plotted += [{"run": run.label, "series": series_name, "epoch": x, "value": value}
                            for x, value in zip(xs, values)]
                if name == "validation" and run.best_epoch in epochs:
                    figure.add_trace(go.Scatter(x=[run.best_epoch], y=[values[epochs.index(run.best_epoch)]],
                                                mode="markers", showlegend=False,
                                                marker=dict(color=run.colour, size=11, symbol="star"),
                                                hovertext=_("{run}: best epoch {epoch}").format(
                                                    run=plain_html(run.label), epoch=run.best_epoch)), row=1, col=col)
        if run.stopped_epoch:
            for col in (1, 2):
                figure.add_vline(x=run.stopped_epoch, line=dict(color=run.colour, dash="dot"), row=1, col=col)
    figure.update_yaxes(type="log" if log_loss else "linear",
                        title_text=_("loss (log scale)") if log_loss else _("loss"), row=1, col=1)
    accuracies = [row["value"] for row in plotted if row["series"] in ("accuracy", "val_accuracy")]
    figure.update_yaxes(title_text=_("accuracy"), **percent_axis(accuracies), row=1, col=2)
    last_epoch = max([row.get("epoch") or 0 for run in runs for row in run.history]
                     + [point["position"] for run in runs for point in run.batch_points], default=1)
    figure.update_xaxes(title_text=_("epoch"), tick0=0, dtick=epoch_tick_step(last_epoch))
    figure.update_layout(height=height, legend=dict(orientation="h", y=-0.2), margin=dict(t=40, b=10))
    return figure, plotted
