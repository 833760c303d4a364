"""Pooling: max and average over windows, with the book's two demonstrations."""

import numpy as np
import streamlit as st

from lib.codegen.pooling import pooling_program
from lib.explore.formulas import output_size_latex
from lib.explore.images import mark_cells
from lib.explore.ops import conv_output_size, padded_input, pool2d, pool_step, uncovered_inputs
from lib.i18n import N_, _, ngettext
from lib.server.guide_controls import label as control_label
from ui.code_panel import code_panel, image_choice
from ui.layout import captioned_image
from ui.pictures import number_grid, picture
from ui.widgets import crop_picker, image_picker, labelled, output_position, set_state, window_mask

# Half of the main area on a 1280-pixel screen: the widest an image may be drawn beside another.
COLUMN_WIDTH = 400
MAX_STRIDE = 10  # any stride runs: larger than k, the windows skip the inputs between them
OPERATIONS = {"max": N_("Max pooling"), "avg": N_("Average pooling")}  # value: what the choice shows
BOOK_HALVING = {"pool_size": 2, "pool_stride": 2, "pool_padding": "valid"}  # the book's two demonstrations
BOOK_TOO_LARGE = {"pool_size": 10, "pool_stride": 10, "pool_padding": "valid"}


st.title(_("Pooling"))
st.markdown(_(
    "A pooling layer slides a **k x k** window over each channel with stride **s** and keeps one "
    "number per window: the **maximum** or the **average**. It shrinks the feature maps and makes "
    "the network tolerate small shifts. **Pooling has no trainable parameters**: "
    "the window only selects or averages, so Keras counts 0 parameters for it."
))

window_col, stride_col, demos_col = st.columns(3)
with window_col:
    mode = st.radio(control_label("pool_mode"), list(OPERATIONS), horizontal=True, key="pool_mode",
                    format_func=labelled(OPERATIONS))
    size = st.slider(_("Pool size k"), 1, 10, 2, key="pool_size")
with stride_col:
    stride = st.slider(_("Stride s"), 1, MAX_STRIDE, 2, key="pool_stride")
    padding = st.radio(_("Padding"), ["valid", "same"], horizontal=True, key="pool_padding")
with demos_col:
    st.markdown(_("**The book's demonstrations**"))
    st.button(_("2x2, stride 2: halves the image"), on_click=set_state, args=(BOOK_HALVING,))
    st.button(_("10x10 window: excessively large"), on_click=set_state, args=(BOOK_TOO_LARGE,))

st.subheader(_("Input and output"))
picker_col, shapes_col = st.columns(2)
with picker_col:
    pixels = image_picker("pool")
if pixels is None:
    st.stop()

height, width = pixels.shape[:2]
output = pool2d(pixels, size, stride, padding, mode)
col_in, col_out = st.columns(2)
# Both on the pixels' own 0-255 scale, so a value means the same gray in the input and the output.
col_in.plotly_chart(picture(pixels, _("Input {height} x {width}").format(height=height, width=width),
                            scale_title=N_("pixel value"), value_range=(0, 255)),
                    key="pool_input_picture")
if output.size == 0:
    col_out.warning(_("The output is empty: a {size}x{size} window does not fit in {height}x{width} without "
                      "padding.").format(size=size, height=height, width=width))
else:
    pooled = _("Max pooled {height} x {width}") if mode == "max" else _("Average pooled {height} x {width}")
    # As wide as the input, so each output value is a visible block; and at its real size below.
    col_out.plotly_chart(picture(output, pooled.format(height=output.shape[0], width=output.shape[1]),
                                 scale_title=N_("pixel value"), value_range=(0, 255)), key="pool_output_picture")
    real_width = min(output.shape[1], COLUMN_WIDTH)
    captioned_image(col_out, np.round(np.clip(output, 0, 255)).astype(np.uint8), width=real_width,
                    caption=_("The output at its real size: one screen pixel per value")
                    if real_width == output.shape[1] else _("The output, shrunk to {shown} of its {columns} columns to "
                                                            "fit").format(shown=real_width, columns=output.shape[1]))
ratio = height * width / max(output.shape[0] * output.shape[1], 1)
shapes_col.markdown(_("**Shapes:** {height} x {width} -> {out_height} x {out_width} ({ratio:.1f} times fewer values)").format(
    height=height, width=width, out_height=output.shape[0], out_width=output.shape[1], ratio=ratio))
st.latex(r"H_{out} = " + output_size_latex(height, size, stride, padding))
st.latex(r"W_{out} = " + output_size_latex(width, size, stride, padding))
skipped = uncovered_inputs((height, width), size, stride, padding)
if skipped.any():
    count, total = int(skipped.sum()), skipped.size
    if stride > size:
        note = ngettext("{count:,} of the {total:,} input pixels ({share:.0%}, red) lie in no window: with stride {stride} "
                        "larger than the window {size}, the windows skip the rows and columns between them, and the "
                        "output is a sparse sample of the input.",
                        "{count:,} of the {total:,} input pixels ({share:.0%}, red) lie in no window: with stride {stride} "
                        "larger than the window {size}, the windows skip the rows and columns between them, and the "
                        "output is a sparse sample of the input.", count)
    else:
        note = ngettext("{count:,} of the {total:,} input pixels ({share:.0%}, red) lie in no window: VALID padding stops "
                        "at the last window that fits whole.",
                        "{count:,} of the {total:,} input pixels ({share:.0%}, red) lie in no window: VALID padding stops "
                        "at the last window that fits whole.", count)
    st.info(note.format(count=count, total=total, share=count / total, stride=stride, size=size))
    st.image(mark_cells(pixels, skipped), width=min(width, COLUMN_WIDTH * 2),
             caption=_("Red: input pixels that never reach the output"))
if size >= 8:
    st.info(_("With a window this large, whole regions collapse into one value: the output keeps "
              "little more than the coarse layout of the image, as the book warns."))

if output.size:
    code_panel(pooling_program(image_choice("pool", pixels), mode, size, stride, padding, output,
                               ratio), "pooling")

st.subheader(_("Step through one output value"))
crop, _top, _left = crop_picker("pool", pixels)
crop_out = (conv_output_size(crop.shape[0], size, stride, padding), conv_output_size(crop.shape[1], size, stride, padding))
if 0 in crop_out:
    st.warning(_("The window does not fit in this crop with these settings: the output is empty."))
    st.stop()
y, x = output_position("pool", crop_out)
step = pool_step(crop, size, y, x, stride, padding, mode)
padded = padded_input(crop, (size, size), stride, padding, value=float("nan"))[:, :, 0]
crop_title = (_("Crop {height} x {width} (blank cells are SAME padding, ignored)") if padded.shape != crop.shape[:2]
              else _("Crop {height} x {width}")).format(height=padded.shape[0], width=padded.shape[1])
st.plotly_chart(number_grid(padded, crop_title, highlight=window_mask(padded.shape, step.rows, step.cols), decimals=0,
                            scale_title=N_("pixel value"), width=820),
                key="pool_step_input", width="content")
values = step.patch[~(step.patch != step.patch)]  # drop padding (NaN) cells
if mode == "max":
    st.markdown(ngettext("**Output ({row}, {column})** = max of the {count} real cell in the window = **{value:.0f}**",
                         "**Output ({row}, {column})** = max of the {count} real cells in the window = **{value:.0f}**",
                         values.size).format(row=y, column=x, count=values.size, value=step.value))
else:
    st.markdown(ngettext("**Output ({row}, {column})** = {total:.0f} / {count} real cell = **{value:.2f}**",
                         "**Output ({row}, {column})** = {total:.0f} / {count} real cells = **{value:.2f}**",
                         values.size).format(row=y, column=x, total=values.sum(), count=values.size, value=step.value))
