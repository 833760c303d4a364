"""Conv layer: N kernels over D input channels, biases and an activation, exact to Keras's Conv2D."""

import numpy as np
import streamlit as st

from lib.conv_layer import KERNEL_SIZES, MAX_KERNELS, layer_settings, learned_weights, preset_kernels, prove, random_weights
from lib.formulas import output_size_latex
from lib.images import enlarge, to_display
from lib.kernels import PRESETS, SIZES
from lib.ops import conv_layer, conv_layer_parameters, conv_layer_step
from lib.predict import FEATURE_LAYERS
from pages.shared.digits import digit_picker, shipped_classifier, show_digit
from pages.shared.ui import image_picker, kernel_slices, number_grid, output_position

VOLUME_SOURCES = ("Image", "Digit", "LeNet-5 activations")
KERNEL_SOURCES = ("Presets", "Random", "LeNet-5 conv1", "LeNet-5 conv2")
LENET_INPUTS = {"conv1": "the digit itself (D = 1)", "conv2": "pool1's activations (D = 6)"}
DEFAULT_PRESETS = ["Sobel x (vertical edges)", "Sobel y (horizontal edges)", "Edge detection (book)",
                   "Gaussian blur (book)", "Sharpen", "Laplacian", "Emboss", "Box blur"]


def use_lenet_settings(layer_name: str) -> None:
    settings = layer_settings(shipped_classifier().model, layer_name)
    st.session_state.layer_stride = settings["stride"]
    st.session_state.layer_padding = settings["padding"]
    st.session_state.layer_relu = settings["activation"] == "relu"


def channel_images(volume: np.ndarray, label: str) -> None:
    width = 112 if max(volume.shape[:2]) <= 64 else 180
    st.image([enlarge(volume[:, :, d], width) if max(volume.shape[:2]) <= 64 else to_display(volume[:, :, d])
              for d in range(volume.shape[2])],
             caption=[f"{label} {d}: {volume[:, :, d].min():.2f} to {volume[:, :, d].max():.2f}"
                      for d in range(volume.shape[2])], width=width)


st.title("Conv layer")
st.markdown(
    "A convolutional layer is **N neurons that share their weights across the image**: N kernels, each "
    "of shape **D x k x k** (D = the input's channels), and N biases. Kernel n slides over all D channels "
    "at once; at every position it multiplies and adds over the whole k x k x D window, adds its bias and "
    "applies the activation. The H x W x D input volume becomes an H' x W' x N output volume."
)

with st.sidebar:
    st.subheader("Input volume")
    source = st.radio("Input", VOLUME_SOURCES, key="layer_volume")
    volume, volume_note = None, ""
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
            show_digit(digit, caption)
            volume = digit[:, :, np.newaxis] / 255.0
            volume_note = "pixels / 255, as LeNet-5 sees them after its Rescaling layer"
        else:
            show_digit(digit, caption)
            feature_layer = st.selectbox("Activations of", FEATURE_LAYERS, index=1, key="layer_activations")
            volume = shipped_classifier().feature_maps(digit)[feature_layer].astype(np.float64)
            volume_note = f"the shipped LeNet-5's {feature_layer} activations for {caption}"
if volume is None:
    st.info("Choose an input volume in the sidebar.")
    st.stop()
height, width, depth = volume.shape

st.subheader("Kernels")
kernel_source = st.radio("Kernels", KERNEL_SOURCES, horizontal=True, key="layer_kernel_source")
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
    if kernels.shape[2] != depth:
        st.error(f"LeNet-5's {lenet_layer} has kernels of D = {kernels.shape[2]} channels: it reads "
                 f"{LENET_INPUTS[lenet_layer]}, but this input has D = {depth}. Choose "
                 f"{'Digit' if lenet_layer == 'conv1' else 'LeNet-5 activations of pool1'} in the sidebar.")
        st.stop()
    st.button(f"Use {lenet_layer}'s own stride, padding and activation", on_click=use_lenet_settings,
              args=(lenet_layer,))

stride_col, padding_col, p_col, relu_col = st.columns([3, 3, 2, 2])
stride = stride_col.slider("Stride s", 1, 4, 1, key="layer_stride")
padding_mode = padding_col.radio("Padding", ["valid", "same", "explicit p"], horizontal=True, key="layer_padding")
explicit = p_col.slider("p", 0, 5, 1, key="layer_p", disabled=padding_mode != "explicit p")
relu = relu_col.toggle("ReLU activation", True, key="layer_relu")
padding = explicit if padding_mode == "explicit p" else padding_mode
activation = "relu" if relu else None

parameters = conv_layer_parameters(size, depth, count)
st.latex(rf"\text{{parameters}} = N\cdot(D\cdot k\cdot k + 1) = {count}\cdot({depth}\cdot{size}\cdot{size} + 1)"
         rf" = {parameters:,}")
st.caption(f"{count * depth * size * size:,} weights and {count} biases, whatever the image size.")
kernel_col, bias_col = st.columns([4, 1])
kernel_col.plotly_chart(kernel_slices(kernels, f"{count} kernels (rows) x {depth} channel slices (columns)"),
                        key="layer_kernels_chart", width="content")
bias_col.dataframe({"kernel": list(range(count)), "bias": biases.round(4)}, hide_index=True, key="layer_biases")

maps = conv_layer(volume, kernels, biases, stride, padding, activation=activation)
st.subheader("Input volume and output volume")
st.markdown(f"**Input volume:** {height} x {width} x {depth} ({volume_note})")
channel_images(volume, "channel")
if maps.size == 0:
    st.warning("The kernels do not fit in the padded input: the output is empty. Use more padding or a smaller k.")
    st.stop()
st.markdown(f"**Output volume:** {maps.shape[0]} x {maps.shape[1]} x {count}, one map per kernel "
            f"({count} output maps)")
st.latex(r"H' = " + output_size_latex(height, size, stride, padding))
st.latex(r"W' = " + output_size_latex(width, size, stride, padding))
channel_images(maps, "map")

st.subheader("Step through one unit")
row, col = output_position("layer", maps.shape[:2])
n = int(st.number_input("Kernel n", 0, count - 1, 0, key="layer_unit_n"))
step = conv_layer_step(volume, kernels, biases, row, col, n, stride, padding, activation=activation)
shown = min(depth, 6)
for d, column in enumerate(st.columns(shown)):
    column.plotly_chart(number_grid(step.window.products[:, :, d], f"channel {d}: sum {step.channel_sums[d]:.3f}",
                                    decimals=2, diverging=True), key=f"layer_products_{d}", width="content")
if depth > shown:
    st.caption(f"Channels {shown}-{depth - 1} are added the same way; all {depth} sums are in the line below.")
sums = " + ".join(f"({value:.3f})" for value in step.channel_sums)
st.markdown(f"Unit ({row}, {col}, {n}) = {sums} + bias ({step.bias:.3f}) = **{step.pre_activation:.4f}**")
if activation == "relu":
    st.markdown(f"ReLU: max(0, {step.pre_activation:.4f}) = **{step.value:.4f}**")
st.caption(f"The whole layer gives {maps[row, col, n]:.4f} at ({row}, {col}, {n}): the same number.")

if lenet_layer:
    expected_input = "Digit" if lenet_layer == "conv1" else "LeNet-5 activations"
    own = layer_settings(shipped_classifier().model, lenet_layer)
    if (source == expected_input and (stride, padding, activation) == (own["stride"], own["padding"], own["activation"])
            and (lenet_layer == "conv1" or st.session_state.get("layer_activations") == "pool1")):
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
