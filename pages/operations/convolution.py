"""Convolution: a kernel slides over a real image, with every hyperparameter live."""

import numpy as np
import pandas as pd
import streamlit as st

from lib.codegen.convolution import convolution_program
from lib.explore.formulas import output_size_latex
from lib.explore.kernels import (
    BOOK_EXAMPLE_PRESET,
    DEFAULT_PRESET,
    PRESET_EFFECTS,
    PRESET_LABELS,
    PRESETS,
    SIZES,
    parse_kernel,
    preset,
)
from lib.explore.ops import conv2d, conv_output_size, conv_step, padded_input
from lib.i18n import N_, _
from lib.server.guide_controls import label as control_label
from ui.code_panel import code_panel, image_choice
from ui.pictures import number_grid, picture, short_number
from ui.widgets import PADDING_CHOICES, crop_picker, image_picker, labelled, output_position, set_state, window_mask

CUSTOM = "custom"  # the kernel picker's last option: a grid to edit
KERNEL_LABELS = {**PRESET_LABELS, CUSTOM: N_("Custom (edit the grid)")}
BOOK_EXAMPLE = {"conv_kernel": BOOK_EXAMPLE_PRESET, "conv_size": 3, "conv_stride": 2, "conv_dilation": 1}


st.title(_("Convolution"))
st.markdown(_(
    "A convolutional layer slides each of its **N** kernels of size **k x k** over the input "
    "with stride **s**, after padding it with **p** rows and columns of zeros. At every position "
    "it multiplies the kernel with the pixels under it and adds them up. "
    "TensorFlow computes a cross-correlation (the kernel is not flipped); so does this page."
))

kernel_col, grid_col, settings_col = st.columns(3)
with kernel_col:
    st.subheader(_("Kernel"))
    choice = st.selectbox(control_label("conv_kernel"), [*PRESETS, CUSTOM], index=list(PRESETS).index(DEFAULT_PRESET),
                          key="conv_kernel", format_func=labelled(KERNEL_LABELS))
    size = st.select_slider(_("Kernel size k"), SIZES, key="conv_size")
    st.button(_("Book's example: edge kernel, stride 2"), on_click=set_state, args=(BOOK_EXAMPLE,))
    if choice == CUSTOM:
        st.caption(_("Type a number in every cell."))
        start = pd.DataFrame(preset(BOOK_EXAMPLE_PRESET, size)).astype(str)
        edited = st.data_editor(start, key=f"conv_custom_{size}", hide_index=True, width="stretch")
        try:
            kernel = parse_kernel(edited.to_numpy().tolist())
        except ValueError as error:
            kernel = None
            st.error(_("{error} The output below waits for a valid kernel.").format(error=error))
    else:
        kernel = preset(choice, size)
with settings_col:
    st.subheader(_("Hyperparameters"))
    stride = st.slider(control_label("conv_stride"), 1, 4, 1, key="conv_stride")
    dilation = st.slider(_("Dilation d"), 1, 3, 1, key="conv_dilation")
    padding_mode = st.radio(control_label("conv_padding"), list(PADDING_CHOICES), horizontal=True, key="conv_padding",
                            format_func=labelled(PADDING_CHOICES))
    # p is asked for only when it is used.
    padding = (st.slider(_("p (zero rows/columns on every side)"), 0, 5, 1, key="conv_p")
               if padding_mode == "explicit" else padding_mode)
if kernel is None:
    st.stop()
with grid_col:
    whole = bool(np.all(kernel == np.round(kernel)))
    label = _("Custom kernel") if choice == CUSTOM else _(PRESET_LABELS[choice])
    st.plotly_chart(number_grid(kernel, f"{label}, {kernel.shape[0]}x{kernel.shape[1]}", decimals=0 if whole else 2,
                                diverging=True, scale_title=N_("weight"), width=270),
                    width="content", key="conv_kernel_chart")
    if choice in PRESET_EFFECTS:
        st.caption(f"**{_(PRESET_LABELS[choice])}**: {_(PRESET_EFFECTS[choice])}")

st.subheader(_("Input and output"))
picker_col, shapes_col = st.columns(2)
with picker_col:
    pixels = image_picker("conv")
if pixels is None:
    st.stop()
height, width = pixels.shape[:2]
output = conv2d(pixels, kernel, stride, padding, dilation)
shapes = (_("**Shapes:** input {height} x {width} x {channels} channels (the kernel is applied to each and the results "
             "summed) -> output {out_height} x {out_width}") if pixels.ndim == 3
          else _("**Shapes:** input {height} x {width} -> output {out_height} x {out_width}"))
shapes_col.markdown(shapes.format(height=height, width=width, channels=pixels.shape[2] if pixels.ndim == 3 else 1,
                                  out_height=output.shape[0], out_width=output.shape[1]))
shapes_col.caption(_("Below, both are drawn as wide as their column; the axes count their real rows and columns. "
                     "The colour bars say which number each colour stands for."))
col_in, col_out = st.columns(2)
col_in.plotly_chart(picture(pixels, _("Input {height} x {width}").format(height=height, width=width),
                            scale_title=N_("pixel value"), value_range=(0, 255)),
                    key="conv_input_picture")
if output.size == 0:
    col_out.warning(_(
        "The output is empty: the kernel spans {span} cells, more than the padded {height}x{width} image holds. "
        "Use a smaller kernel or dilation, or more padding."
    ).format(span=dilation * (kernel.shape[0] - 1) + 1, height=height, width=width))
else:
    title = _("Output {height} x {width}: values {low} to {high}").format(
        height=output.shape[0], width=output.shape[1], low=short_number(output.min()), high=short_number(output.max()))
    col_out.plotly_chart(picture(output, title, scale_title=N_("output value")), key="conv_output_picture")
st.latex(r"H_{out} = " + output_size_latex(height, kernel.shape[0], stride, padding, dilation))
st.latex(r"W_{out} = " + output_size_latex(width, kernel.shape[1], stride, padding, dilation))

st.subheader(_("SAME vs VALID"))
st.caption(_("The current kernel at stride {stride}, dilation {dilation}. SAME pads so that the output is "
             "ceil(n / s) long; VALID only uses positions where the kernel fits.").format(stride=stride, dilation=dilation))
results = {mode: conv2d(pixels, kernel, stride, mode, dilation) for mode in ("same", "valid")}
for column, mode in zip(st.columns(2), ["same", "valid"]):
    result = results[mode]
    if result.size:
        column.plotly_chart(picture(result, f"{mode.upper()}: {result.shape}", scale_title=N_("output value")),
                            key=f"conv_{mode}_picture")
    else:
        column.warning(_("{mode}: empty output, the kernel does not fit.").format(mode=mode.upper()))

if output.size:
    code_panel(convolution_program(image_choice("conv", pixels), kernel, stride, padding, dilation, output,
                                   results["same"].shape, results["valid"].shape), "convolution")

st.subheader(_("Step through one output value"))
crop, top, left = crop_picker("conv", pixels)
crop_out = (conv_output_size(crop.shape[0], kernel.shape[0], stride, padding, dilation),
            conv_output_size(crop.shape[1], kernel.shape[1], stride, padding, dilation))
if 0 in crop_out:
    st.warning(_("The kernel does not fit in this crop with these settings: the output is empty."))
    st.stop()
y, x = output_position("conv", crop_out)
step = conv_step(crop, kernel, y, x, stride, padding, dilation)
padded = padded_input(crop, kernel.shape, stride, padding, dilation)[:, :, 0]
where_col, padding_col = st.columns([1, 1])
where = _("The crop: rows {top}-{bottom}, columns {left}-{right}").format(
    top=top, bottom=top + crop.shape[0] - 1, left=left, right=left + crop.shape[1] - 1)
where_col.plotly_chart(picture(pixels, where, width=420, scale_title=N_("pixel value"), value_range=(0, 255),
                               box=(top, left, crop.shape[0], crop.shape[1])), key="conv_crop_where", width="content")
if padded.shape != crop.shape:
    inside = top > 0 and left > 0 and top + crop.shape[0] < height and left + crop.shape[1] < width
    padding_col.info((_("The step-through convolves this {height} x {width} crop on its own, so the padding is the "
                        "crop's: the zeros around it make it {padded_height} x {padded_width}. The image has real "
                        "pixels there, and its whole output (above) uses them.") if inside else
                      _("The step-through convolves this {height} x {width} crop on its own, so the padding is the "
                        "crop's: the zeros around it make it {padded_height} x {padded_width}. Only where the crop "
                        "meets the image's border is the whole image padded too; elsewhere the image has real "
                        "pixels there.")).format(height=crop.shape[0], width=crop.shape[1],
                                                  padded_height=padded.shape[0], padded_width=padded.shape[1]))
grid_left, grid_right = st.columns([3, 2])
window_title = _("Padded crop {height} x {width}: the window for output ({row}, {column})").format(
    height=padded.shape[0], width=padded.shape[1], row=y, column=x)
grid_left.plotly_chart(number_grid(padded, window_title, highlight=window_mask(padded.shape, step.rows, step.cols),
                                   decimals=0, scale_title=N_("pixel value"), width=490),
                       key="conv_step_input", width="content")
grid_right.plotly_chart(number_grid(step.products[:, :, 0], _("Pixel x kernel, cell by cell"), decimals=1,
                                    diverging=True, scale_title=N_("product"), width=320),
                        key="conv_step_products", width="content")
terms = " + ".join(f"({v:.1f})" for v in step.products[:, :, 0].ravel()[:6])
more = " + ..." if step.products.size > 6 else ""
st.markdown(_("**Output ({row}, {column})** = {terms} = **{value:.2f}**").format(row=y, column=x, terms=terms + more,
                                                                                  value=step.value))
check = conv2d(crop, kernel, stride, padding, dilation)[y, x]
st.caption(_("The whole-crop convolution gives {value:.2f} at ({row}, {column}): the same number.").format(
    value=check, row=y, column=x))
