"""The Optimizers page's two pictures: the primer's steps down a parabola, and the paths on a surface. Not a page."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_COLOURS, OPTIMIZER_NAMES, OPTIMIZERS
from lib.i18n import LANGUAGES, N_, _, language_override
from lib.keras_views.optimizer_paths import SURFACES, loss_grid, primer_loss, trajectory
from lib.keras_views.optimizer_wording import defaults_explanation
from ui.caching import cache_data_per_language

PRIMER_COLOUR = "#1f77b4"


def optimizer_choice_name(name: str) -> str:
    """An optimizer as a choice reads: the book's name (its registry entry, lib.engine.optimizers) in English,
    with its Korean name beside it in Korean (the catalog's words). A plot's legend keeps the short name."""
    return OPTIMIZERS[name].choice_name if name in OPTIMIZERS else name


def primer_figure(runs: dict[str, np.ndarray]) -> go.Figure:
    """One panel per run (title: its iterates), the parabola with an arrow for every step between iterates."""
    titles = list(runs)
    columns = 2
    rows = -(-len(runs) // columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.2,
                           horizontal_spacing=0.12)
    for index, path in enumerate(runs.values()):
        row, col = index // columns + 1, index % columns + 1
        reach = max(4.5, 1.1 * float(np.abs(path).max()))
        curve = np.linspace(-reach, reach, 201)
        figure.add_trace(go.Scatter(x=curve, y=primer_loss(curve), mode="lines", line=dict(color="#999999"),
                                    showlegend=False, hoverinfo="skip"), row=row, col=col)
        figure.add_trace(go.Scatter(x=path, y=primer_loss(path), mode="markers", showlegend=False,
                                    marker=dict(color=PRIMER_COLOUR, size=7),
                                    hovertemplate=_("step %{text}: x = %{x:.3g}") + "<extra></extra>",
                                    text=list(range(len(path)))), row=row, col=col)
        suffix = "" if index == 0 else str(index + 1)
        for before, after in pairwise(path):
            figure.add_annotation(x=after, y=primer_loss(after), ax=before, ay=primer_loss(before),
                                  xref=f"x{suffix}", yref=f"y{suffix}", axref=f"x{suffix}", ayref=f"y{suffix}",
                                  showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1.5,
                                  arrowcolor=PRIMER_COLOUR, text="")
    figure.update_xaxes(title_text="x", title_standoff=4)
    figure.update_yaxes(title_text=_("loss f(x) = x²"), title_standoff=4)
    figure.update_layout(height=330 * rows, margin=dict(t=40, b=10, l=10, r=10))
    return figure


def _colour_ticks(values: np.ndarray) -> tuple[list[float], list[str]]:
    """Where real heights fall on the signed-log colour scale, so the colour bar reads in f, not in log f."""
    low, high = float(values.min()), float(values.max())
    magnitudes = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000)
    heights = [-height for height in reversed(magnitudes)] + [0, *magnitudes]
    heights = [height for height in heights if low - 0.5 <= height <= high]
    return [float(np.sign(height) * np.log1p(abs(height))) for height in heights], [f"{height:g}" for height in heights]


def surface_figure(surface_name: str, grid: tuple, paths: dict[str, np.ndarray], step: int) -> go.Figure:
    """The surface's contours with a colour scale in f, its minima, and each path drawn up to `step`."""
    chosen = SURFACES[surface_name]
    xs, ys, values = grid
    # Contours of a signed log of the height, so the narrow valleys show as well as the walls.
    shaded = np.sign(values) * np.log1p(np.abs(values))
    tick_values, tick_text = _colour_ticks(values)
    figure = go.Figure(go.Contour(
        x=xs, y=ys, z=shaded, colorscale="Greys", ncontours=30, contours=dict(coloring="heatmap"), opacity=0.55,
        hoverinfo="skip", showscale=True,
        colorbar=dict(title=dict(text="f(x, y)", side="right"), tickvals=tick_values, ticktext=tick_text,
                      thickness=14)))
    if chosen.minima:
        minima = np.asarray(chosen.minima)
        figure.add_trace(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name=_("minimum") if len(minima) == 1
                                    else _("minima"), marker=dict(symbol="x", size=14, color="black")))
    for name, path in paths.items():
        shown = path[: step + 1]
        colour = OPTIMIZER_COLOURS[name]
        figure.add_trace(go.Scatter(x=shown[:, 0], y=shown[:, 1], mode="lines", line=dict(color=colour, width=2.5),
                                    name=OPTIMIZER_NAMES[name], legendgroup=name))
        figure.add_trace(go.Scatter(x=shown[-1:, 0], y=shown[-1:, 1], mode="markers", showlegend=False,
                                    marker=dict(color=colour, size=11, line=dict(color="white", width=1.5)),
                                    legendgroup=name, hovertext=_("{name}: step {step}").format(name=OPTIMIZER_NAMES[name],
                                                                                          step=len(shown) - 1)))
    figure.update_layout(height=580, margin=dict(t=30, b=10), legend=dict(orientation="h", y=-0.14),
                         xaxis=dict(range=chosen.x_range, title="x"),
                         yaxis=dict(range=chosen.y_range, title="y"))
    return figure


# The Optimizers page's computations, cached here (not in the page) so the server's warm-up (ui/warmup.py) can
# fill the entries the page's first open asks for: the default surface at its suited rates.
@st.cache_data(max_entries=512, show_spinner=False)
def cached_path(optimizer: str, surface: str, start: tuple, steps: int, rate: float) -> np.ndarray:
    return trajectory(optimizer, surface, start, steps, rate)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_grid(surface: str):
    return loss_grid(surface)


@cache_data_per_language(max_entries=64, show_spinner=False)
def cached_explanation(surface: str, start: tuple) -> str:
    """Why not Keras's default rates, in the reader's language (cached per language)."""
    return defaults_explanation(surface, start)


# The Optimizers page's learning-rate sets (its radio's ids and labels) and its surfaces' titles.
RATE_SETS = {"suited": N_("Rates that suit this surface"), "keras": N_("Keras's defaults"), "own": N_("Your own")}
SURFACE_TITLES = {name: surface.title for name, surface in SURFACES.items()}


def apply_rate_set() -> None:
    """The rate set's callback: fill the rate boxes from the chosen set; "your own" keeps whatever they hold."""
    choice = st.session_state.opt_rate_set
    rates = {"suited": SURFACES[st.session_state.opt_surface].suited_rates,
             "keras": KERAS_DEFAULT_LEARNING_RATES}.get(choice, {})
    for name, rate in rates.items():
        st.session_state[f"opt_rate_{name}"] = float(rate)


def change_surface() -> None:
    """The surface picker's callback: start from the new surface's start, at the chosen set's rates."""
    x, y = SURFACES[st.session_state.opt_surface].start
    st.session_state.opt_start_x, st.session_state.opt_start_y = float(x), float(y)
    apply_rate_set()


def own_rates() -> None:
    """A rate box's callback: a rate typed by hand makes the set the learner's own."""
    st.session_state.opt_rate_set = "own"


# What the Optimizers page opens with (its widgets' defaults); the server's warm-up computes the same.
DEFAULT_SURFACE = "bowl"
DEFAULT_STEPS = 200


def warm_default_surface() -> None:
    """What the Optimizers page computes when it first opens: DEFAULT_SURFACE from its start at its suited rates,
    DEFAULT_STEPS steps, every optimizer."""
    surface = SURFACES[DEFAULT_SURFACE]
    start = (float(surface.start[0]), float(surface.start[1]))
    cached_grid(DEFAULT_SURFACE)
    for lang in LANGUAGES:
        with language_override(lang):
            cached_explanation(DEFAULT_SURFACE, start)
    for name in OPTIMIZERS:
        cached_path(name, DEFAULT_SURFACE, start, DEFAULT_STEPS, float(surface.suited_rates[name]))

