"""Convolution: a kernel slides over a real image, with every hyperparameter live."""

import pandas as pd
import streamlit as st

from lib.formulas import output_size_latex
from lib.images import to_display
from lib.kernels import PRESETS, SIZES, parse_kernel, preset
from lib.ops import conv2d, conv_output_size, conv_step, padded_input
from pages.shared.ui import crop_picker, image_picker, number_grid, output_position, window_mask

CUSTOM = "Custom (edit the grid)"


def use_book_example():
    st.session_state.conv_kernel = "Edge detection (book)"
    st.session_state.conv_size = 3
    st.session_state.conv_stride = 2
    st.session_state.conv_dilation = 1


st.title("Convolution")
st.markdown(
    "A convolutional layer slides each of its **N** kernels of size **k x k** over the input "
    "with stride **s**, after padding it with **p** rows and columns of zeros. At every position "
    "it multiplies the kernel with the pixels under it and adds them up. "
    "TensorFlow computes a cross-correlation (the kernel is not flipped); so does this page."
)

with st.sidebar:
    st.subheader("Input")
    pixels = image_picker("conv")

left, right = st.columns([1, 1])
with left:
    st.subheader("Kernel")
    choice = st.selectbox("Preset", [*PRESETS, CUSTOM], key="conv_kernel")
    size = st.select_slider("Kernel size k", SIZES, key="conv_size")
    if choice == CUSTOM:
        st.caption("Type a number in every cell.")
        start = pd.DataFrame(preset("Edge detection (book)", size)).astype(str)
        edited = st.data_editor(start, key=f"conv_custom_{size}", hide_index=True, width="stretch")
        try:
            kernel = parse_kernel(edited.to_numpy().tolist())
        except ValueError as error:
            kernel = None
            st.error(f"{error} The output below waits for a valid kernel.")
    else:
        kernel = preset(choice, size)
    st.button("Book's example: edge kernel, stride 2", on_click=use_book_example)
with right:
    st.subheader("Hyperparameters")
    stride = st.slider("Stride s", 1, 4, 1, key="conv_stride")
    padding_mode = st.radio("Padding", ["valid", "same", "explicit p"], horizontal=True, key="conv_padding")
    explicit = st.slider("p (zero rows/columns on every side)", 0, 5, 1, key="conv_p",
                         disabled=padding_mode != "explicit p")
    dilation = st.slider("Dilation d", 1, 3, 1, key="conv_dilation")
    padding = explicit if padding_mode == "explicit p" else padding_mode
if kernel is None:
    st.stop()
st.plotly_chart(number_grid(kernel, f"Kernel {kernel.shape[0]}x{kernel.shape[1]}", decimals=2, diverging=True),
                width="content", key="conv_kernel_chart")

if pixels is None:
    st.stop()

height, width = pixels.shape[:2]
output = conv2d(pixels, kernel, stride, padding, dilation)
st.subheader("Input and output")
col_in, col_out = st.columns(2)
col_in.image(to_display(pixels), caption=f"Input {pixels.shape}", width=pixels.shape[1])
if output.size == 0:
    col_out.warning(
        f"The output is empty: the kernel spans {dilation * (kernel.shape[0] - 1) + 1} cells, "
        f"more than the padded {height}x{width} image holds. Use a smaller kernel or dilation, or more padding."
    )
else:
    # Shown at its real size in pixels, so a smaller output looks smaller.
    col_out.image(to_display(output), width=max(output.shape[1], 1),
                  caption=f"Output {output.shape}, values {output.min():.1f} to {output.max():.1f} (stretched to show)")
channels = f" x {pixels.shape[2]} channels (the kernel is applied to each and the results summed)" if pixels.ndim == 3 else ""
st.markdown(f"**Shapes:** input {height} x {width}{channels} -> output {output.shape[0]} x {output.shape[1]}")
st.latex(r"H_{out} = " + output_size_latex(height, kernel.shape[0], stride, padding, dilation))
st.latex(r"W_{out} = " + output_size_latex(width, kernel.shape[1], stride, padding, dilation))

st.subheader("SAME vs VALID")
st.caption(f"The current kernel at stride {stride}, dilation {dilation}. SAME pads so that the output is "
           "ceil(n / s) long; VALID only uses positions where the kernel fits.")
for column, mode in zip(st.columns(2), ["same", "valid"]):
    result = conv2d(pixels, kernel, stride, mode, dilation)
    if result.size:
        column.image(to_display(result), caption=f"{mode.upper()}: {result.shape}", width="stretch")
    else:
        column.warning(f"{mode.upper()}: empty output, the kernel does not fit.")

st.subheader("Step through one output value")
crop = crop_picker("conv", pixels)
crop_out = (conv_output_size(crop.shape[0], kernel.shape[0], stride, padding, dilation),
            conv_output_size(crop.shape[1], kernel.shape[1], stride, padding, dilation))
if 0 in crop_out:
    st.warning("The kernel does not fit in this crop with these settings: the output is empty.")
    st.stop()
y, x = output_position("conv", crop_out)
step = conv_step(crop, kernel, y, x, stride, padding, dilation)
padded = padded_input(crop, kernel.shape, stride, padding, dilation)[:, :, 0]
grid_left, grid_right = st.columns(2)
grid_left.plotly_chart(number_grid(padded, f"Padded crop {padded.shape}: the window for output ({y}, {x})",
                                   highlight=window_mask(padded.shape, step.rows, step.cols), decimals=0),
                       key="conv_step_input")
grid_right.plotly_chart(number_grid(step.products[:, :, 0], "Pixel x kernel, cell by cell", decimals=1,
                                    diverging=True), key="conv_step_products")
terms = " + ".join(f"({v:.1f})" for v in step.products[:, :, 0].ravel()[:6])
more = " + ..." if step.products.size > 6 else ""
st.markdown(f"**Output ({y}, {x})** = {terms}{more} = **{step.value:.2f}**")
check = conv2d(crop, kernel, stride, padding, dilation)[y, x]
st.caption(f"The whole-crop convolution gives {check:.2f} at ({y}, {x}): the same number.")
