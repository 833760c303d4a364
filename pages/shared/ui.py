"""Streamlit pieces that several pages share: the image picker and the step-through view.

Not a page itself: it is not listed in lib.navigation.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lib.images import PATTERNS, SAMPLE_PHOTOS, ImageInputError, load_upload, pattern, sample_photo, to_gray

SOURCES = ("Sample photo", "Pattern", "Upload", "Camera")


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_photo(name: str) -> np.ndarray:
    return sample_photo(name)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_upload(data: bytes, name: str):
    try:
        loaded = load_upload(data, name)
    except ImageInputError as error:
        return None, [str(error)]
    return loaded.pixels, loaded.notes


def image_picker(prefix: str, default_photo: str = "Cameraman", allow_colour: bool = True) -> np.ndarray | None:
    """Let the user choose an image; return float 0-255 pixels, or None after showing why not."""
    source = st.radio("Image source", SOURCES, horizontal=True, key=f"{prefix}_source")
    pixels = None
    if source == "Sample photo":
        names = list(SAMPLE_PHOTOS)
        name = st.selectbox("Photo", names, index=names.index(default_photo), key=f"{prefix}_photo")
        pixels = _cached_photo(name)
    elif source == "Pattern":
        pixels = pattern(st.selectbox("Pattern", PATTERNS, key=f"{prefix}_pattern"))
    else:
        if source == "Upload":
            upload = st.file_uploader("Upload an image", key=f"{prefix}_upload",
                                      type=["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"])
        else:
            upload = st.camera_input("Take a picture", key=f"{prefix}_camera")
        if upload is None:
            st.info("Choose a file to see it here." if source == "Upload" else "Take a picture to use it.")
            return None
        pixels, messages = _cached_upload(upload.getvalue(), upload.name)
        if pixels is None:
            st.error(messages[0])
            return None
        for message in messages:
            st.caption(message)
    if pixels.ndim == 3 and not (allow_colour and st.toggle("Colour", value=False, key=f"{prefix}_colour")):
        pixels = to_gray(pixels)
    return pixels


# Weights and products that can be negative: red below zero, blue above, white at zero.
DIVERGING = "RdBu"


def diverging_range(values) -> dict:
    """zmin and zmax symmetric about zero, so zero is always the scale's white middle."""
    reach = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    reach = reach or 1.0
    return {"zmin": -reach, "zmax": reach}


def number_grid(values: np.ndarray, title: str, highlight=None, decimals: int = 1, diverging: bool = False) -> go.Figure:
    """A heatmap with each cell's number written in it; `highlight` is a boolean mask to outline.

    Gray for pixels; `diverging` for weights and products, centred on zero (an
    all-positive blur kernel is all blue, never red). Sized in pixels per cell,
    so numbers stay readable and cells stay square.
    """
    values = np.asarray(values, dtype=float)
    text = np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.{decimals}f}")(values) if values.size else values
    colours = {"colorscale": DIVERGING, **diverging_range(values)} if diverging else {"colorscale": "Greys_r"}
    figure = go.Figure(go.Heatmap(z=values, text=text, texttemplate="%{text}", showscale=False, hoverinfo="skip",
                                  xgap=1, ygap=1, **colours))
    if highlight is not None:
        for y, x in zip(*np.nonzero(highlight)):
            figure.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5,
                             line=dict(color="#e4572e", width=3))
    rows, cols = values.shape if values.size else (1, 1)
    cell = max(24, min(48, 480 // max(rows, cols)))
    figure.update_layout(title=dict(text=title, font=dict(size=14)), width=cell * cols + 60, height=cell * rows + 90,
                         margin=dict(l=30, r=10, t=60, b=10),
                         yaxis=dict(range=[rows - 0.5, -0.5], dtick=1, constrain="domain"),
                         xaxis=dict(range=[-0.5, cols - 0.5], side="top", dtick=1, constrain="domain"))
    return figure


def kernel_slices(kernels: np.ndarray, title: str = "", cell: int = 64) -> go.Figure:
    """Kernels (k, k, D, N) as a grid: one row per kernel n, one column per input channel d, centred on zero.

    Kernels of a single channel stand in one row instead.
    """
    import plotly.express as px

    k, _, channels, count = kernels.shape
    slices = np.moveaxis(kernels, (2, 3), (1, 0)).reshape(count * channels, k, k)
    columns, rows = (count, 1) if channels == 1 else (channels, count)
    figure = px.imshow(slices, facet_col=0, facet_col_wrap=columns, color_continuous_scale=DIVERGING,
                       facet_row_spacing=0.02 if rows > 1 else 0, facet_col_spacing=0.01, **diverging_range(slices))
    figure.for_each_annotation(lambda note: note.update(text=""))
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    figure.update_layout(title=dict(text=title, font=dict(size=14)), coloraxis_showscale=False,
                         width=max(cell * columns + 40, 160), height=cell * rows + (60 if title else 20),
                         margin=dict(l=10, r=10, t=50 if title else 10, b=10))
    return figure


def crop_picker(prefix: str, pixels: np.ndarray, size: int = 12) -> np.ndarray:
    """A small gray crop of the image, where numbers are readable; the user picks its corner."""
    gray = to_gray(pixels)
    height, width = gray.shape
    size_y, size_x = min(size, height), min(size, width)
    left, right = st.columns(2)
    top = left.slider("Crop top row", 0, height - size_y, (height - size_y) // 2, key=f"{prefix}_crop_top")
    start = right.slider("Crop left column", 0, width - size_x, (width - size_x) // 2, key=f"{prefix}_crop_left")
    return np.round(gray[top: top + size_y, start: start + size_x])


def output_position(prefix: str, out_shape) -> tuple[int, int]:
    left, right = st.columns(2)
    y = left.number_input("Output row", 0, out_shape[0] - 1, out_shape[0] // 2, key=f"{prefix}_out_y")
    x = right.number_input("Output column", 0, out_shape[1] - 1, out_shape[1] // 2, key=f"{prefix}_out_x")
    return int(y), int(x)


def window_mask(shape, rows, cols) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[np.ix_(rows, cols)] = True
    return mask
