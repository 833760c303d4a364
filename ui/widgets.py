"""Streamlit widgets that several pages share: the image picker, the crop and output position of the
step-through view, and whether the visitor sits at the server. The charts are in ui.pictures.

Not a page itself: it is not listed in lib.server.navigation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from lib.explore.images import DEFAULT_PHOTOS, PATTERNS, SAMPLE_PHOTOS, ImageInputError, load_upload, pattern, sample_photo, to_gray
from lib.i18n import N_, _, ngettext
from lib.server.hosts import is_local_host
from ui.caching import cache_data_per_language

# Where an image comes from, by id (what the widget keeps) and label (what it shows, translated).
SOURCES = {"photo": N_("Sample photo"), "pattern": N_("Pattern"), "upload": N_("Upload"), "camera": N_("Camera")}


def runs_locally() -> bool:
    """Whether this visitor is at the machine the app runs on, so server paths and shell commands help them.

    The browser's URL comes first: behind a reverse proxy the Host header often
    reads "localhost" while the visitor is far away. Then the proxy's
    X-Forwarded-Host, then Host. Without a request (a test) nothing is known,
    which counts as not local.
    """
    headers = st.context.headers
    for candidate in (st.context.url, headers.get("X-Forwarded-Host"), headers.get("Host")):
        if candidate:
            return is_local_host(candidate)
    return False


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_photo(name: str) -> np.ndarray:
    return sample_photo(name)


@cache_data_per_language(max_entries=16, show_spinner=False)
def _cached_upload(data: bytes, name: str):
    """The upload's pixels and its notes (or its error), in the reader's language."""
    try:
        loaded = load_upload(data, name)
    except ImageInputError as error:
        return None, [str(error)]
    return loaded.pixels, loaded.notes


# A convolution's padding, by id: "valid" and "same" are the Keras values; "explicit" asks for p rows and columns.
# Shown translated: a Korean reader reads the API's words with what they mean beside them.
PADDING_CHOICES = {"valid": N_("valid"), "same": N_("same"), "explicit": N_("explicit p")}


def set_state(values: dict) -> None:
    """A button's or widget's callback (`on_click=set_state, args=({key: value},)`): set these session keys.

    Pages take their callbacks from ui/, never define them: a function a page defines keeps the page's whole
    module alive (its images and feature maps) in every session that shows the widget, until that visitor's next
    run (tests/test_page_callbacks.py)."""
    st.session_state.update(values)


def labelled(labels: dict[str, str]) -> Callable[[str], str]:
    """A `format_func` for widgets whose options are ids: each id shown as its label, translated. Translated now, in
    the script's thread (the visitor's language): AppTest calls a format_func in the test's own thread."""
    shown = {value: _(label) for value, label in labels.items()}
    return lambda value: shown.get(value, value)


def image_picker(prefix: str, allow_colour: bool = True) -> np.ndarray | None:
    """Let the user choose an image; return float 0-255 pixels, or None after showing why not. The photo it opens
    with is DEFAULT_PHOTOS[prefix] (lib.explore.images)."""
    source = st.radio(_("Image source"), list(SOURCES), horizontal=True, key=f"{prefix}_source",
                      format_func=labelled(SOURCES))
    pixels = None
    if source == "photo":
        names = list(SAMPLE_PHOTOS)
        name = st.selectbox(_("Photo"), names, index=names.index(DEFAULT_PHOTOS[prefix]), key=f"{prefix}_photo",
                            format_func=labelled(SAMPLE_PHOTOS))
        pixels = _cached_photo(name)
    elif source == "pattern":
        pixels = pattern(st.selectbox(_("Pattern"), list(PATTERNS), key=f"{prefix}_pattern",
                                      format_func=labelled(PATTERNS)))
    else:
        if source == "upload":
            upload = st.file_uploader(_("Upload an image"), key=f"{prefix}_upload",
                                      type=["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"])
        else:
            upload = st.camera_input(_("Take a picture"), key=f"{prefix}_camera")
        if upload is None:
            st.info(_("Choose a file to see it here.") if source == "upload" else _("Take a picture to use it."))
            return None
        pixels, messages = _cached_upload(upload.getvalue(), upload.name)
        if pixels is None:
            st.error(messages[0])
            return None
        for message in messages:
            st.caption(message)
    if pixels.ndim == 3 and not (allow_colour and st.toggle(_("Colour"), value=False, key=f"{prefix}_colour")):
        pixels = to_gray(pixels)
    return pixels


def crop_picker(prefix: str, pixels: np.ndarray, size: int = 12) -> tuple[np.ndarray, int, int]:
    """A gray crop at most `size` pixels on a side, where numbers are readable; the user picks its corner.

    Returns the crop and its top row and left column in the image, so a page can mark where it came from.
    Along a side no longer than the crop the whole image is taken, and there is no slider to move.
    """
    gray = to_gray(pixels)
    height, width = gray.shape
    size_y, size_x = min(size, height), min(size, width)
    left, right = st.columns(2)
    top = _crop_start(left, _("Crop top row"), height, size_y, "rows", f"{prefix}_crop_top")
    start = _crop_start(right, _("Crop left column"), width, size_x, "columns", f"{prefix}_crop_left")
    return np.round(gray[top: top + size_y, start: start + size_x]), top, start


def _crop_start(column, label: str, length: int, size: int, unit: str, key: str) -> int:
    """Where the crop starts along one side: a slider, or 0 with a note when the crop holds the whole side."""
    if length <= size:
        # A slider from 0 to 0 is refused by Streamlit: there is nothing to choose.
        whole = (ngettext("{label}: 0. The image has {n} row, all in the crop.",
                          "{label}: 0. The image has {n} rows, all in the crop.", length) if unit == "rows" else
                 ngettext("{label}: 0. The image has {n} column, all in the crop.",
                          "{label}: 0. The image has {n} columns, all in the crop.", length))
        column.caption(whole.format(label=label, n=length))
        return 0
    return column.slider(label, 0, length - size, (length - size) // 2, key=key)


def output_position(prefix: str, out_shape) -> tuple[int, int]:
    left, right = st.columns(2)
    y = left.number_input(_("Output row"), 0, out_shape[0] - 1, out_shape[0] // 2, key=f"{prefix}_out_y")
    x = right.number_input(_("Output column"), 0, out_shape[1] - 1, out_shape[1] // 2, key=f"{prefix}_out_x")
    return int(y), int(x)


def window_mask(shape, rows, cols) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[np.ix_(rows, cols)] = True
    return mask
