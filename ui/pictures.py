"""The charts that draw images, kernels, feature maps and grids of numbers, each with a colour scale that says
what its colours mean. Shared by the explorer and model pages; not a page itself.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lib.explore.images import (
    DIVERGING_COLOURS,
    enlarge,
    enlarge_signed,
    png_data_uri,
    signed_colours,
    signed_reach,
    to_display,
)
from lib.i18n import N_, _, language

# Building a Plotly figure costs more than computing what it shows (Plotly checks every property it is given):
# on an explorer page, most of a slider's rerun. Many visitors move the same sliders to the same values, so the
# figures are kept server-wide, by what they are made of (the arrays' bytes, every argument, the language), and
# shared by every session: the second visitor to ask for stride 2 gets the first one's figure. A kept figure is
# frozen: its dict (what st.plotly_chart serializes, and the second most costly step) is made once, and the
# figure cannot be changed after (nothing here changes a figure after it is made; a change would be lost).
FIGURES_KEPT = 256


def _digest(value):
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        return "array", array.dtype.str, array.shape, hashlib.sha1(memoryview(array).cast("B")).digest()
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(_digest(item) for item in value)
    if isinstance(value, dict):
        return "dict", tuple(sorted((key, _digest(item)) for key, item in value.items()))
    return value


def _frozen(figure: go.Figure) -> go.Figure:
    """`figure`, whose to_dict() returns one dict made now: Streamlit reads it, never changes it."""
    made = figure.to_dict()
    figure.to_dict = lambda: made
    return figure


def shared_figure(build):
    """`build`, remembered server-wide by its arguments and the reader's language (FIGURES_KEPT, least recently
    used first out). Arguments must be arrays, numbers, strings, None, or lists, tuples and dicts of them."""
    kept: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def remembered(*arguments, **options):
        key = (language(), _digest(arguments), _digest(options))
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        figure = _frozen(build(*arguments, **options))
        with lock:
            kept[key] = figure
            while len(kept) > FIGURES_KEPT:
                kept.popitem(last=False)
        return figure

    remembered.kept = kept
    return remembered


def short_number(value: float) -> str:
    """A number for a title: four significant digits, large ones in full with thousands separators."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def _title(text: str) -> dict:
    # Pinned to the top of the figure, clear of the column numbers and the axis title under it.
    return dict(text=text, font=dict(size=14), x=0, xref="paper", xanchor="left", y=1, yref="container",
                yanchor="top", pad=dict(t=8))


# Weights, products and outputs that can be negative: red below zero, white at zero, blue above.
DIVERGING = [[i / (len(DIVERGING_COLOURS) - 1), f"rgb{colour}"] for i, colour in enumerate(DIVERGING_COLOURS)]
GRAY = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]


# Plotly labels a colour bar's small numbers with SI prefixes ("20μ", "500n"), which read as units; written as
# powers of ten ("2e-5") they read the same in every language. Every colour bar of the app takes this.
NUMBER_TICKS = dict(exponentformat="e")


def colour_bar(title: str) -> dict:
    """A thin upright colour bar with its title beside it, for a heatmap's `colorbar`."""
    return dict(title=dict(text=title, side="right"), thickness=10, len=0.9, **NUMBER_TICKS)


def diverging_range(values) -> dict:
    """zmin and zmax symmetric about zero, so zero is always the scale's white middle."""
    reach = signed_reach(values)
    return {"zmin": -reach, "zmax": reach}


@shared_figure
def number_grid(values: np.ndarray, title: str, highlight=None, decimals: int = 1, diverging: bool = False,
                scale_title: str = N_("value"), width: int = 520) -> go.Figure:
    """A heatmap with each cell's number written in it and its colour bar; `highlight` is a boolean mask to outline.

    Gray for pixels; `diverging` for weights and products, centred on zero (an
    all-positive blur kernel is all blue, never red). Sized to fit `width`
    pixels with square cells; cells too small to hold a number show it on hover.
    `title` is shown as given (translate it first); `scale_title` is translated here.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape if values.size else (1, 1)
    margin = dict(l=40, r=10, t=90, b=10)
    bar = 70  # the colour bar, its numbers and its title, right of the cells
    cell = int(max(12, min(48, (width - margin["l"] - margin["r"] - bar) / cols)))
    values = values + 0.0  # -0.0 becomes 0.0, so no cell reads "-0"
    text = np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.{decimals}f}")(values) if values.size else values
    longest = max((len(cell_text) for cell_text in np.ravel(text)), default=1)
    font = min(14.0, cell * 0.45, cell / (0.62 * max(longest, 1)))  # the longest number fits its cell
    written = font >= 8
    colours = {"colorscale": DIVERGING, **diverging_range(values)} if diverging else {"colorscale": GRAY}
    figure = go.Figure(go.Heatmap(z=values, text=text, texttemplate="%{text}" if written else "",
                                  textfont=dict(size=font), xgap=1, ygap=1,
                                  hovertemplate=_("row %{y}, column %{x}: %{text}") + "<extra></extra>",
                                  colorbar=colour_bar(_(scale_title)),
                                  **colours))
    if highlight is not None:
        for y, x in zip(*np.nonzero(highlight)):
            figure.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5,
                             line=dict(color="#e4572e", width=3))
    figure.update_layout(title=_title(title), margin=margin,
                         width=cell * cols + margin["l"] + margin["r"] + bar,
                         height=cell * rows + margin["t"] + margin["b"],
                         yaxis=dict(range=[rows - 0.5, -0.5], dtick=1, constrain="domain", scaleanchor="x",
                                    title=dict(text=_("row"), standoff=2)),
                         xaxis=dict(range=[-0.5, cols - 0.5], side="top", dtick=1, constrain="domain",
                                    title=dict(text=_("column"), standoff=2)))
    if not written:
        figure.add_annotation(text=_("hover a cell for its number"), showarrow=False, xref="paper", yref="paper",
                              x=0, y=-0.01, yanchor="top", xanchor="left", font=dict(size=11))
        figure.update_layout(margin=dict(b=30), height=cell * rows + margin["t"] + 30)
    return figure


@shared_figure
def picture(values: np.ndarray, title: str, width: int = 400, scale_title: str = N_("value"),
            value_range: tuple[float, float] | None = None, box: tuple[int, int, int, int] | None = None) -> go.Figure:
    """An image as one chart with axes and a colour bar, so the learner can read what its colours mean.

    Values that go below zero are drawn on the diverging scale (white is zero);
    others in gray from `value_range` (by default their own minimum to maximum).
    RGB images (H, W, 3) are drawn as they are, without a bar. `width` is the
    column it is meant for: it sets the height that keeps pixels square. `title` is shown as given
    (translate it first); `scale_title` is translated here. `box` (top, left, height, width) outlines those cells.
    """
    values = np.asarray(values, dtype=np.float64)
    scale_title = _(scale_title)
    rows, cols = values.shape[:2]
    traces = []
    if values.ndim == 3:
        pixels = np.clip(np.round(values), 0, 255).astype(np.uint8)
    elif values.size and np.nanmin(values) < 0:
        # A few strong responses would leave everything else near white: the scale ends where 99.5 % of the
        # values lie, and the rest are drawn in its darkest colours, as the bar's title says.
        reach = float(np.percentile(np.abs(values), 99.5)) or signed_reach(values)
        if reach < signed_reach(values):
            scale_title = _("{title} (colours stop at ±{reach:.3g})").format(title=scale_title, reach=reach)
        pixels = signed_colours(values, reach)
        traces.append(_bar_only(DIVERGING, -reach, reach, scale_title))
    else:
        low, high = value_range or ((float(values.min()), float(values.max())) if values.size else (0.0, 1.0))
        high = high if high > low else low + 1
        pixels = to_display(values, (low, high))
        traces.append(_bar_only(GRAY, low, high, scale_title))
    figure = go.Figure([go.Image(source=png_data_uri(pixels), hoverinfo="skip"), *traces])
    margin = dict(l=50, r=10, t=80, b=80 if traces else 10)
    plot_width = width - margin["l"] - margin["r"]
    figure.update_layout(title=_title(title), margin=margin, showlegend=False,
                         height=round(plot_width * rows / cols) + margin["t"] + margin["b"],
                         xaxis=dict(range=[-0.5, cols - 0.5], side="top", constrain="domain", showgrid=False,
                                    zeroline=False, title=dict(text=_("column"), standoff=2)),
                         yaxis=dict(range=[rows - 0.5, -0.5], constrain="domain", scaleanchor="x", showgrid=False,
                                    zeroline=False, title=dict(text=_("row"), standoff=2)))
    if box is not None:
        top, left, box_height, box_width = box
        figure.add_shape(type="rect", x0=left - 0.5, x1=left + box_width - 0.5, y0=top - 0.5,
                         y1=top + box_height - 0.5, line=dict(color="#e4572e", width=3))
    return figure


def _bar_only(colorscale, low: float, high: float, title: str) -> go.Scatter:
    """A trace that draws nothing but the colour bar of an image drawn as a picture."""
    return go.Scatter(x=[None, None], y=[None, None], mode="markers", hoverinfo="skip",
                      marker=dict(color=[low, high], cmin=low, cmax=high, colorscale=colorscale, showscale=True,
                                  colorbar=dict(title=dict(text=title, side="top"), orientation="h", thickness=12,
                                                            x=0.5, xanchor="center", y=-0.03, yanchor="top", **NUMBER_TICKS)))


@shared_figure
def kernel_slices(kernels: np.ndarray, title: str = "", width: int = 800, largest: int = 96) -> go.Figure:
    """Kernels (k, k, D, N) as a grid on one scale centred on zero: kernel n is column n, its D channel slices below.

    Each slice is a square at most `largest` pixels wide, and the whole grid fits `width` pixels.
    """
    from plotly.subplots import make_subplots

    channels, count = kernels.shape[2:]
    margin = dict(l=70 if channels > 1 else 10, r=110, t=80 if title else 50, b=30)
    gap = 12 if count <= 8 else 6  # white space between kernels, so each reads as one square
    side = int(max(16, min(largest, (width - margin["l"] - margin["r"] - gap * (count - 1)) / count)))
    plot_width, plot_height = side * count + gap * (count - 1), side * channels + gap * (channels - 1)
    x_title = _("kernel n: each column is one k x k x D kernel") if channels > 1 else _("kernel n")
    y_title = _("input channel d") if channels > 1 else None
    figure = make_subplots(rows=channels, cols=count, column_titles=[f"{n}" if count > 8 else _("kernel {n}").format(n=n)
                                                                     for n in range(count)],
                           horizontal_spacing=gap / plot_width if count > 1 else 0,
                           vertical_spacing=gap / plot_height if channels > 1 else 0,
                           x_title=x_title, y_title=y_title)
    cell = _("row %{y}, column %{x}: %{z:.3f}")
    for n in range(count):
        for d in range(channels):
            figure.add_trace(go.Heatmap(z=kernels[:, :, d, n], coloraxis="coloraxis", xgap=1, ygap=1,
                                        hovertemplate=_("kernel {n}, channel {d}").format(n=n, d=d)
                                                      + f"<br>{cell}<extra></extra>"), row=d + 1, col=n + 1)
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, autorange="reversed")
    for note in figure.layout.annotations:  # the axis titles, close to the grid: it has no tick labels
        if note.text == x_title:
            note.yshift = -6
        elif note.text == y_title:
            note.xshift = -45
    if channels > 1:
        for d in range(channels):
            figure.update_yaxes(title=dict(text=f"{d}", font=dict(size=11), standoff=2), row=d + 1, col=1)
    figure.for_each_annotation(lambda note: note.update(font=dict(size=12)))
    reach = signed_reach(kernels)
    figure.update_layout(title=_title(title), margin=margin,
                         coloraxis=dict(colorscale=DIVERGING, cmin=-reach, cmax=reach,
                                        colorbar=dict(title=dict(text=_("weight"), side="right"), thickness=12,
                                                      x=1, xpad=12, **NUMBER_TICKS)),
                         width=plot_width + margin["l"] + margin["r"], height=plot_height + margin["t"] + margin["b"])
    return figure


def map_grid(volume: np.ndarray, label: str, per_row: int | None = None, shared_scale: bool = False) -> None:
    """The channels of an (H, W, C) volume as a grid of images, under a line that says what their colours mean.

    Volumes with negative values are drawn on the diverging scale (white is
    zero), others in gray. Each map is on its own scale, its range under it, or
    with `shared_scale` all on the volume's one scale, so weak maps look weak.
    `label` ("channel", "map") names each map and is shown as given: translate it first.
    """
    count, signed = volume.shape[2], bool(np.nanmin(volume) < 0) if volume.size else False
    per_row = per_row or (4 if max(volume.shape[:2]) > 64 else 8)
    low, high = float(np.nanmin(volume)), float(np.nanmax(volume))
    if signed and shared_scale:
        st.caption(_("Colours: red below zero, white at zero, blue above; all on one scale from -{reach:.3g} to "
                     "{reach:.3g}. Its range is under each map.").format(reach=signed_reach(volume)))
    elif signed:
        st.caption(_("Colours: red below zero, white at zero, blue above; each on its own scale, symmetric about "
                     "zero. Its range is under each map."))
    elif shared_scale:
        st.caption(_("Gray: all on one scale: black {low:.3g}, white {high:.3g}. Its range is under each map.").format(
            low=low, high=high))
    else:
        st.caption(_("Gray: each from its lowest value (black) to its highest (white). Its range is under each map."))
    side = 200 if per_row <= 4 else 100  # small maps are blown up with square pixels, never blurred
    for start in range(0, count, per_row):
        for column, c in zip(st.columns(per_row), range(start, min(start + per_row, count))):
            values, small = volume[:, :, c], max(volume.shape[:2]) <= 64
            if signed:
                reach = signed_reach(volume if shared_scale else values)
                shown = enlarge_signed(values, side, reach) if small else signed_colours(values, reach)
            else:
                value_range = (low, high) if shared_scale else None
                shown = enlarge(values, side, value_range) if small else to_display(values, value_range)
            digits = 3 if per_row <= 4 else 2  # narrow images get short captions
            name = f"{label} {c}".strip()
            column.image(shown, width="stretch", caption=_("{name}: {low} to {high}").format(
                name=name, low=f"{np.nanmin(values):.{digits}g}", high=f"{np.nanmax(values):.{digits}g}"))
