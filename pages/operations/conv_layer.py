"""Conv layer: N kernels over D input channels, biases and an activation, exact to Keras's Conv2D."""

import numpy as np
import streamlit as st

from lib.explore.formulas import output_size_latex
from lib.explore.kernels import PRESETS, SIZES
from lib.explore.ops import conv_layer, conv_layer_parameters, conv_layer_step
from lib.keras_views.layer_weights import (
    KERNEL_SIZES,
    MAX_KERNELS,
    layer_settings,
    learned_weights,
    preset_kernels,
    prove,
    random_weights,
)
from lib.keras_views.predict import FEATURE_LAYERS
from ui.digits import digit_picker, shipped_classifier, show_digit
from ui.pictures import kernel_slices, map_grid, number_grid
from ui.widgets import image_picker, output_position

VOLUME_SOURCES = ("Image", "Digit", "LeNet-5 activations")
# How many channels the kernels of the shipped LeNet-5's conv layers read, known without loading it
# (TensorFlow stays out of this page until a LeNet-5 choice needs it).
LENET_DEPTHS = {"conv1": 1, "conv2": 6}
LENET_INPUTS = {"conv1": "D = 1 (a digit or a gray image)", "conv2": "D = 6 (conv1's or pool1's activations)"}
DEFAULT_PRESETS = ["Sobel x (vertical edges)", "Sobel y (horizontal edges)", "Edge detection (book)",
                   "Gaussian blur (book)", "Sharpen", "Laplacian", "Emboss", "Box blur"]


def use_lenet_settings(layer_name: str) -> None:
    settings = layer_settings(shipped_classifier().model, layer_name)
    st.session_state.layer_stride = settings["stride"]
    st.session_state.layer_padding = settings["padding"]
    st.session_state.layer_relu = settings["activation"] == "relu"


st.title("Conv layer")
st.markdown(
    "A convolutional layer is **N neurons that share their weights across the image**: N kernels, each "
    "of shape **D x k x k** (D = the input's channels), and N biases. Kernel n slides over all D channels "
    "at once; at every position it multiplies and adds over the whole k x k x D window, adds its bias and "
    "applies the activation. The H x W x D input volume becomes an H' x W' x N output volume."
)

st.subheader("Input volume")
choose_col, preview_col = st.columns(2)
volume, volume_note, digit, feature_layer = None, "", None, None
with choose_col:
    source = st.radio("Input", VOLUME_SOURCES, horizontal=True, key="layer_volume")
    if source == "Image":
        pixels = image_picker("layer")
        if pixels is not None:
            volume = pixels if pixels.ndim == 3 else pixels[:, :, np.newaxis]
            volume_note = "pixels 0-255; colour gives D = 3 (red, green, blue)"
    else:
        digit, caption = digit_picker("layer")
        if digit is None:
            st.info(caption)
        elif source == "Digit":
            volume = digit[:, :, np.newaxis] / 255.0
            volume_note = "pixels / 255, as LeNet-5 sees them after its Rescaling layer"
        else:
            feature_layer = st.selectbox("Activations of", FEATURE_LAYERS, index=1, key="layer_activations")
            volume = shipped_classifier().feature_maps(digit)[feature_layer].astype(np.float64)
            volume_note = f"the shipped LeNet-5's {feature_layer} activations for {caption}"
with preview_col:
    if digit is not None:
        show_digit(digit, caption)
if volume is None:
    st.stop()
height, width, depth = volume.shape

st.subheader("Kernels")
# Only the LeNet-5 layers whose kernels have as many channels as this input are offered.
lenet_sources = [f"LeNet-5 {name}" for name, channels in LENET_DEPTHS.items() if channels == depth]
kernel_sources = ["Presets", "Random", *lenet_sources]
if st.session_state.get("layer_kernel_source") not in kernel_sources:
    st.session_state.layer_kernel_source = "Presets"
kernel_source = st.radio("Kernels", kernel_sources, horizontal=True, key="layer_kernel_source")
if not lenet_sources:
    st.caption(f"LeNet-5's own kernels: conv1's read {LENET_INPUTS['conv1']}, conv2's {LENET_INPUTS['conv2']}. "
               f"This input has D = {depth}, so neither fits it; choose such an input to use them.")
lenet_layer = kernel_source.removeprefix("LeNet-5 ") if kernel_source.startswith("LeNet-5") else None
if kernel_source == "Presets":
    count_col, size_col = st.columns(2)
    count = count_col.slider("Number of kernels N", 1, MAX_KERNELS, 2, key="layer_n")
    size = size_col.select_slider("Kernel size k", SIZES, value=3, key="layer_k")
    names, used, bias_list = [], [], []
    with st.expander("Each kernel: its preset, the input channels it reads, its bias", expanded=count <= 2):
        for n in range(count):
            name_col, channel_col, bias_col = st.columns([3, 3, 2])
            names.append(name_col.selectbox(f"Kernel {n}", list(PRESETS), key=f"layer_preset_{n}",
                                            index=list(PRESETS).index(DEFAULT_PRESETS[n])))
            used.append(channel_col.multiselect(f"Input channels kernel {n} reads", list(range(depth)),
                                                default=list(range(depth)), key=f"layer_used_{n}_{depth}"))
            bias_list.append(bias_col.number_input(f"Bias b{n}", -1000.0, 1000.0, 0.0, key=f"layer_bias_{n}"))
    kernels, biases = preset_kernels(names, used, size, depth), np.array(bias_list)
elif kernel_source == "Random":
    count_col, size_col, seed_col = st.columns([2, 2, 1])
    count = count_col.slider("Number of kernels N", 1, MAX_KERNELS, 4, key="layer_random_n")
    size = size_col.select_slider("Kernel size k", KERNEL_SIZES, value=3, key="layer_random_k")
    seed = seed_col.number_input("Seed", 0, 10_000, 0, key="layer_seed")
    kernels, biases = random_weights(size, depth, count, int(seed))
    st.caption("Kernels drawn as Keras's default Glorot-uniform initializer draws them; biases small and random.")
else:
    kernels, biases = learned_weights(shipped_classifier().model, lenet_layer)
    size, count = kernels.shape[0], kernels.shape[3]
    st.button(f"Use {lenet_layer}'s own stride, padding and activation", on_click=use_lenet_settings,
              args=(lenet_layer,))

stride_col, padding_col, p_col, relu_col = st.columns([3, 3, 2, 2])
stride = stride_col.slider("Stride s", 1, 4, 1, key="layer_stride")
padding_mode = padding_col.radio("Padding", ["valid", "same", "explicit p"], horizontal=True, key="layer_padding")
# p is asked for only when it is used.
padding = p_col.slider("p", 0, 5, 1, key="layer_p") if padding_mode == "explicit p" else padding_mode
relu = relu_col.toggle("ReLU activation", True, key="layer_relu")
activation = "relu" if relu else None

parameters = conv_layer_parameters(size, depth, count)
st.latex(rf"\text{{parameters}} = N\cdot(D\cdot k\cdot k + 1) = {count}\cdot({depth}\cdot{size}\cdot{size} + 1)"
         rf" = {parameters:,}")
st.caption(f"{count * depth * size * size:,} weights and {count} biases, whatever the image size.")
st.plotly_chart(kernel_slices(kernels, f"{count} kernels of {size} x {size} x {depth}"
                                       + (f" (columns), their {depth} channel slices (rows)" if depth > 1 else ""),
                              width=820), key="layer_kernels_chart", width="content")
st.dataframe({f"b{n}": [round(float(bias), 4)] for n, bias in enumerate(biases)}, hide_index=True,
             key="layer_biases")

maps = conv_layer(volume, kernels, biases, stride, padding, activation=activation)
st.subheader("Input volume and output volume")
st.markdown(f"**Input volume:** {height} x {width} x {depth} ({volume_note})")
map_grid(volume, "channel")
if maps.size == 0:
    st.warning("The kernels do not fit in the padded input: the output is empty. Use more padding or a smaller k.")
    st.stop()
st.markdown(f"**Output volume:** {maps.shape[0]} x {maps.shape[1]} x {count}, one map per kernel "
            f"({count} output maps)")
st.latex(r"H' = " + output_size_latex(height, size, stride, padding))
st.latex(r"W' = " + output_size_latex(width, size, stride, padding))
map_grid(maps, "map")

st.subheader("Step through one unit")
row, col = output_position("layer", maps.shape[:2])
n = int(st.number_input("Kernel n", 0, count - 1, 0, key="layer_unit_n"))
step = conv_layer_step(volume, kernels, biases, row, col, n, stride, padding, activation=activation)
shown = min(depth, 6)
for d in range(shown):
    if d % 3 == 0:
        row_columns = st.columns(3)
    row_columns[d % 3].plotly_chart(number_grid(step.window.products[:, :, d], f"channel {d}: sum "
                                                f"{step.channel_sums[d]:.3f}", decimals=2, diverging=True,
                                                scale_title="pixel x weight", width=265),
                                    key=f"layer_products_{d}", width="content")
if depth > shown:
    st.caption(f"Channels {shown}-{depth - 1} are added the same way; all {depth} sums are in the line below.")
sums = " + ".join(f"({value:.3f})" for value in step.channel_sums)
st.markdown(f"Unit ({row}, {col}, {n}) = {sums} + bias ({step.bias:.3f}) = **{step.pre_activation:.4f}**")
if activation == "relu":
    st.markdown(f"ReLU: max(0, {step.pre_activation:.4f}) = **{step.value:.4f}**")
st.caption(f"The whole layer gives {maps[row, col, n]:.4f} at ({row}, {col}, {n}): the same number.")

# What LeNet-5 itself feeds each of its conv layers, for the check against the Draw page's maps.
own_input = {"conv1": source == "Digit", "conv2": source == "LeNet-5 activations" and feature_layer == "pool1"}
if lenet_layer and own_input[lenet_layer]:
    own = layer_settings(shipped_classifier().model, lenet_layer)
    if (stride, padding, activation) == (own["stride"], own["padding"], own["activation"]):
        digit_maps = shipped_classifier().feature_maps(digit)[lenet_layer]
        st.success(f"Same as the Draw page's {lenet_layer} for this digit: largest difference "
                   f"{np.abs(digit_maps - maps).max():.1e}.")

st.subheader("Proof, not a claim")
if st.toggle("Run these weights through the book's SimpleConvolutionLayer and Keras's Conv2D (loads TensorFlow)",
             key="layer_prove"):
    with st.spinner("Running TensorFlow..."):
        proof = prove(volume, kernels, biases, stride, padding, activation)
    st.markdown(f"numpy `conv_layer` vs the book's `SimpleConvolutionLayer`: largest difference "
                f"**{proof.numpy_vs_book:.1e}**  \nnumpy `conv_layer` vs `keras.layers.Conv2D`: largest difference "
                f"**{proof.numpy_vs_keras:.1e}**  \n(values reach {proof.largest_value:,.2f}; TensorFlow "
                "computes in float32, so differences are its round-off)")
