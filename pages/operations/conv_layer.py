"""Conv layer: N kernels over D input channels, biases and an activation, exact to Keras's Conv2D."""

import numpy as np
import streamlit as st

from lib.codegen.conv_layer import KernelChoice, conv_layer_program
from lib.engine.architectures import input_depths
from lib.explore.conv_layer import conv_layer, conv_layer_parameters, conv_layer_step
from lib.explore.formulas import output_size_latex
from lib.explore.kernels import PRESET_LABELS, PRESETS, SIZES
from lib.i18n import N_, _, ngettext
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
from lib.server.guide_controls import label as control_label
from ui.code_panel import code_panel, image_choice
from ui.digits import digit_picker, shipped_classifier, show_digit
from ui.pictures import kernel_slices, map_grid, number_grid
from ui.widgets import PADDING_CHOICES, image_picker, labelled, output_position, set_state

# The input volume's sources and the kernels' sources, by id (what the widgets keep), shown by label, translated.
VOLUME_SOURCES = {"image": N_("Image"), "digit": N_("Digit"), "activations": N_("LeNet-5 activations")}
KERNEL_SOURCES = {"presets": N_("Presets"), "random": N_("Random")}  # and a LeNet-5 layer, by its name
# How many channels the kernels of the shipped LeNet-5's conv layers read, known without loading it from the
# widths lib.engine.models builds it with (TensorFlow stays out of this page until a LeNet-5 choice needs it).
LENET_DEPTHS = input_depths("lenet5")
LENET_INPUTS = {"conv1": N_("D = {depth} (a digit or a gray image)"), "conv2": N_("D = {depth} (conv1's or pool1's activations)")}
DEFAULT_PRESETS = ["sobel_x", "sobel_y", "edge_detection", "gaussian_blur", "sharpen", "laplacian", "emboss", "box_blur"]


st.title(_("Conv layer"))
st.markdown(_(
    "A convolutional layer is **N neurons that share their weights across the image**: N kernels, each "
    "of shape **D x k x k** (D = the input's channels), and N biases. Kernel n slides over all D channels "
    "at once; at every position it multiplies and adds over the whole k x k x D window, adds its bias and "
    "applies the activation. The H x W x D input volume becomes an H' x W' x N output volume."
))

st.subheader(_("Input volume"))
choose_col, preview_col = st.columns(2)
volume, volume_note, digit, feature_layer = None, "", None, None
with choose_col:
    source = st.radio(control_label("layer_volume"), list(VOLUME_SOURCES), horizontal=True, key="layer_volume",
                      format_func=labelled(VOLUME_SOURCES))
    if source == "image":
        pixels = image_picker("layer")
        if pixels is not None:
            volume = pixels if pixels.ndim == 3 else pixels[:, :, np.newaxis]
            volume_note = _("pixels 0-255; colour gives D = 3 (red, green, blue)")
    else:
        digit, caption = digit_picker("layer")
        if digit is None:
            st.info(caption)
        elif source == "digit":
            volume = digit[:, :, np.newaxis] / 255.0
            volume_note = _("pixels / 255, as LeNet-5 sees them after its Rescaling layer")
        else:
            feature_layer = st.selectbox(_("Activations of"), FEATURE_LAYERS, index=1, key="layer_activations")
            volume = shipped_classifier().feature_maps(digit)[feature_layer].astype(np.float64)
            volume_note = _("the shipped LeNet-5's {layer} activations for {digit}").format(layer=feature_layer,
                                                                                            digit=caption)
with preview_col:
    if digit is not None:
        show_digit(digit, caption)
if volume is None:
    st.stop()
height, width, depth = volume.shape

st.subheader(_("Kernels"))
# Only the LeNet-5 layers whose kernels have as many channels as this input are offered.
lenet_sources = [name for name, channels in LENET_DEPTHS.items() if channels == depth]
kernel_sources = [*KERNEL_SOURCES, *lenet_sources]
if st.session_state.get("layer_kernel_source") not in kernel_sources:
    st.session_state.layer_kernel_source = "presets"
kernel_source = st.radio(control_label("layer_kernel_source"), kernel_sources, horizontal=True, key="layer_kernel_source",
                         format_func=labelled({**KERNEL_SOURCES, **{name: f"LeNet-5 {name}" for name in lenet_sources}}))
if not lenet_sources:
    st.caption(_("LeNet-5's own kernels: conv1's read {conv1}, conv2's {conv2}. This input has D = {depth}, so neither "
                 "fits it; choose such an input to use them.").format(
        conv1=_(LENET_INPUTS["conv1"]).format(depth=LENET_DEPTHS["conv1"]),
        conv2=_(LENET_INPUTS["conv2"]).format(depth=LENET_DEPTHS["conv2"]), depth=depth))
lenet_layer = kernel_source if kernel_source in LENET_DEPTHS else None
if kernel_source == "presets":
    count_col, size_col = st.columns(2)
    count = count_col.slider(_("Number of kernels N"), 1, MAX_KERNELS, 2, key="layer_n")
    size = size_col.select_slider(_("Kernel size k"), SIZES, value=3, key="layer_k")
    names, used, bias_list = [], [], []
    with st.expander(_("Each kernel: its preset, the input channels it reads, its bias"), expanded=count <= 2):
        for n in range(count):
            name_col, channel_col, bias_col = st.columns([3, 3, 2])
            names.append(name_col.selectbox(_("Kernel {n}").format(n=n), list(PRESETS), key=f"layer_preset_{n}",
                                            index=list(PRESETS).index(DEFAULT_PRESETS[n]),
                                            format_func=labelled(PRESET_LABELS)))
            used.append(channel_col.multiselect(_("Input channels kernel {n} reads").format(n=n), list(range(depth)),
                                                default=list(range(depth)), key=f"layer_used_{n}_{depth}"))
            bias_list.append(bias_col.number_input(_("Bias b{n}").format(n=n), -1000.0, 1000.0, 0.0,
                                                   key=f"layer_bias_{n}"))
    kernels, biases = preset_kernels(names, used, size, depth), np.array(bias_list)
elif kernel_source == "random":
    count_col, size_col, seed_col = st.columns([2, 2, 1])
    count = count_col.slider(_("Number of kernels N"), 1, MAX_KERNELS, 4, key="layer_random_n")
    size = size_col.select_slider(_("Kernel size k"), KERNEL_SIZES, value=3, key="layer_random_k")
    seed = seed_col.number_input(_("Seed"), 0, 10_000, 0, key="layer_seed")
    kernels, biases = random_weights(size, depth, count, int(seed))
    st.caption(_("Kernels drawn as Keras's default Glorot-uniform initializer draws them; biases small and random."))
else:
    kernels, biases = learned_weights(shipped_classifier().model, lenet_layer)
    size, count = kernels.shape[0], kernels.shape[3]
    lenet_settings = layer_settings(shipped_classifier().model, lenet_layer)
    st.button(_("Use {layer}'s own stride, padding and activation").format(layer=lenet_layer), on_click=set_state,
              args=({"layer_stride": lenet_settings["stride"], "layer_padding": lenet_settings["padding"],
                     "layer_relu": lenet_settings["activation"] == "relu"},))

stride_col, padding_col, p_col, relu_col = st.columns([3, 3, 2, 2])
stride = stride_col.slider(_("Stride s"), 1, 4, 1, key="layer_stride")
padding_mode = padding_col.radio(_("Padding"), list(PADDING_CHOICES), horizontal=True, key="layer_padding",
                                 format_func=labelled(PADDING_CHOICES))
# p is asked for only when it is used.
padding = p_col.slider("p", 0, 5, 1, key="layer_p") if padding_mode == "explicit" else padding_mode
relu = relu_col.toggle(_("ReLU activation"), True, key="layer_relu")
activation = "relu" if relu else None

parameters = conv_layer_parameters(size, depth, count)
parameters_word = _("parameters")  # the formula's one word is translated; its math is not
st.latex(rf"\text{{{parameters_word}}} = N\cdot(D\cdot k\cdot k + 1) = {count}\cdot({depth}\cdot{size}\cdot{size} + 1)"
         rf" = {parameters:,}")
st.caption(ngettext("{weights:,} weights and {count} bias, whatever the image size.",
                    "{weights:,} weights and {count} biases, whatever the image size.", count).format(
    weights=count * depth * size * size, count=count))
slices_title = (ngettext("{count} kernel of {size} x {size} x {depth} (columns), its {depth} channel slices (rows)",
                         "{count} kernels of {size} x {size} x {depth} (columns), their {depth} channel slices (rows)",
                         count) if depth > 1 else
                ngettext("{count} kernel of {size} x {size} x {depth}", "{count} kernels of {size} x {size} x {depth}", count))
st.plotly_chart(kernel_slices(kernels, slices_title.format(count=count, size=size, depth=depth), width=820),
                key="layer_kernels_chart", width="content")
st.dataframe({f"b{n}": [round(float(bias), 4)] for n, bias in enumerate(biases)}, hide_index=True,
             key="layer_biases")

maps = conv_layer(volume, kernels, biases, stride, padding, activation=activation)
st.subheader(_("Input volume and output volume"))
st.markdown(_("**Input volume:** {height} x {width} x {depth} ({note})").format(height=height, width=width, depth=depth,
                                                                                note=volume_note))
map_grid(volume, _("channel"))
if maps.size == 0:
    st.warning(_("The kernels do not fit in the padded input: the output is empty. Use more padding or a smaller k."))
    st.stop()
st.markdown(ngettext("**Output volume:** {height} x {width} x {count}, one map per kernel ({count} output map)",
                     "**Output volume:** {height} x {width} x {count}, one map per kernel ({count} output maps)",
                     count).format(height=maps.shape[0], width=maps.shape[1], count=count))
st.latex(r"H' = " + output_size_latex(height, size, stride, padding))
st.latex(r"W' = " + output_size_latex(width, size, stride, padding))
map_grid(maps, _("map"))
kernel_choice = KernelChoice(kernel_source, size, count, depth,
                             names=tuple(names) if kernel_source == "presets" else (),
                             channels=tuple(map(tuple, used)) if kernel_source == "presets" else (),
                             seed=int(seed) if kernel_source == "random" else None)
code_panel(conv_layer_program(
    kernels=kernels, biases=biases, choice=kernel_choice, stride=stride, padding=padding, activation=activation,
    maps=maps, parameters=parameters, image=image_choice("layer", pixels) if source == "image" else None,
    digit=digit if source == "digit" else None, activations=volume if source == "activations" else None,
    note=volume_note if source == "activations" else caption if source == "digit" else ""), "conv_layer")

st.subheader(_("Step through one unit"))
row, col = output_position("layer", maps.shape[:2])
n = int(st.number_input(_("Kernel n"), 0, count - 1, 0, key="layer_unit_n"))
step = conv_layer_step(volume, kernels, biases, row, col, n, stride, padding, activation=activation)
shown = min(depth, 6)
for d in range(shown):
    if d % 3 == 0:
        row_columns = st.columns(3)
    channel_title = _("channel {d}: sum {total:.3f}").format(d=d, total=step.channel_sums[d])
    row_columns[d % 3].plotly_chart(number_grid(step.window.products[:, :, d], channel_title, decimals=2, diverging=True,
                                                scale_title=N_("pixel x weight"), width=265),
                                    key=f"layer_products_{d}", width="content")
if depth > shown:
    st.caption(_("Channels {first}-{last} are added the same way; all {depth} sums are in the line below.").format(
        first=shown, last=depth - 1, depth=depth))
sums = " + ".join(f"({value:.3f})" for value in step.channel_sums)
st.markdown(_("Unit ({row}, {column}, {n}) = {sums} + bias ({bias:.3f}) = **{total:.4f}**").format(
    row=row, column=col, n=n, sums=sums, bias=step.bias, total=step.pre_activation))
if activation == "relu":
    st.markdown(f"ReLU: max(0, {step.pre_activation:.4f}) = **{step.value:.4f}**")
st.caption(_("The whole layer gives {value:.4f} at ({row}, {column}, {n}): the same number.").format(
    value=maps[row, col, n], row=row, column=col, n=n))

# What LeNet-5 itself feeds each of its conv layers, for the check against the Draw page's maps.
own_input = {"conv1": source == "digit", "conv2": source == "activations" and feature_layer == "pool1"}
if lenet_layer and own_input[lenet_layer]:
    own = layer_settings(shipped_classifier().model, lenet_layer)
    if (stride, padding, activation) == (own["stride"], own["padding"], own["activation"]):
        digit_maps = shipped_classifier().feature_maps(digit)[lenet_layer]
        st.success(_("Same as the Draw page's {layer} for this digit: largest difference {difference:.1e}.").format(
            layer=lenet_layer, difference=np.abs(digit_maps - maps).max()))

st.subheader(_("Proof, not a claim"))
if st.toggle(_("Run these weights through the book's SimpleConvolutionLayer and Keras's Conv2D (loads TensorFlow)"),
             key="layer_prove"):
    with st.spinner(_("Running TensorFlow...")):
        proof = prove(volume, kernels, biases, stride, padding, activation)
    st.markdown("  \n".join([
        _("numpy `conv_layer` vs the book's `SimpleConvolutionLayer`: largest difference **{difference:.1e}**").format(
            difference=proof.numpy_vs_book),
        _("numpy `conv_layer` vs `keras.layers.Conv2D`: largest difference **{difference:.1e}**").format(
            difference=proof.numpy_vs_keras),
        _("(values reach {largest:,.2f}; TensorFlow computes in float32, so differences are its round-off)").format(
            largest=proof.largest_value),
    ]))
