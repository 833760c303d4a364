"""Why CNNs: parameter explosion in dense layers, the spatial locality they ignore, and shifted digits.

The page runs on numpy alone until the learner asks for the shift experiment,
which loads TensorFlow and two trained models.
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.codegen.why_cnns import why_cnns_program
from lib.engine.data import MnistUnavailableError
from lib.explore.images import enlarge, to_display
from lib.explore.why_cnns import (
    accuracy_under_shift,
    conv_params,
    dense_params,
    parameter_growth,
    shift_caption,
    shift_images,
    shuffle_demo,
)
from lib.i18n import _, ngettext
from lib.runs.store import SHIPPED_MODEL, book_model_path
from lib.server.guide_controls import label as control_label
from ui.charts import PALETTE
from ui.code_panel import code_panel
from ui.digits import classifier, mnist_test
from ui.widgets import image_picker

DENSE_BASELINE = book_model_path("dense baseline")
SHIFT_DIGITS = 1000
SHIFTS = tuple(range(7))
SHIFT_SHOWN = "why_shift_shown"


@st.cache_data(max_entries=2, show_spinner=False)
def shift_accuracies(count: int, shifts: tuple[int, ...]) -> dict[str, list[float]]:
    """Both trained models on the first `count` MNIST test digits, moved by each shift."""
    x_test, y_test = mnist_test()
    return {name: accuracy_under_shift(classifier(str(path)), x_test[:count], y_test[:count], shifts)
            for name, path in (("LeNet-5", SHIPPED_MODEL), ("dense", DENSE_BASELINE))}


def show_shift_experiment() -> None:
    """One digit moved, then both models' accuracy against the shift, with a caption written from the numbers."""
    try:
        x_test, _labels = mnist_test()
    except MnistUnavailableError as error:
        st.info(_("This experiment needs MNIST's test set, which is not at hand: {error}").format(error=error))
        return
    st.image([enlarge(shift_images(x_test[:1], 0, shift)[0], 84) for shift in SHIFTS],
             caption=[_("moved {shift} right").format(shift=shift) for shift in SHIFTS])
    with st.spinner(_("Loading TensorFlow and both models, then reading the shifted digits...")):
        accuracies = shift_accuracies(SHIFT_DIGITS, SHIFTS)
    figure = go.Figure([
        go.Scatter(x=SHIFTS, y=accuracies["LeNet-5"], name=_("LeNet-5 (shipped)"), mode="lines+markers",
                   line=dict(color=PALETTE[0])),
        go.Scatter(x=SHIFTS, y=accuracies["dense"], name=_("Dense network (chapter 2)"), mode="lines+markers",
                   line=dict(color=PALETTE[1])),
    ])
    figure.update_layout(xaxis_title=_("shift (pixels)"), yaxis_title=_("test accuracy"), height=380,
                         yaxis=dict(range=[0, 1.02], tickformat=".0%"), margin=dict(t=30))
    st.plotly_chart(figure, key="why_shift_chart")
    st.caption(shift_caption(SHIFTS, accuracies["LeNet-5"], accuracies["dense"], SHIFT_DIGITS))


st.title(_("Why CNNs"))

st.header(_("1. Dense layers explode with the image size"))
st.markdown(_("A dense layer has one weight per input value per unit, plus a bias per unit. "
              "A convolutional layer shares one small kernel across every position."))
left, right = st.columns(2)
units = left.slider(control_label("why_units"), 16, 512, 128, step=16, key="why_units")
filters = right.slider(_("Conv filters N"), 1, 128, 32, key="why_filters")
kernel = right.select_slider(_("Conv kernel k"), [3, 5, 7], 3, key="why_kernel")
channels = left.radio(_("Channels"), [1, 3], horizontal=True, key="why_channels")

mnist_dense = dense_params(28 * 28, 128)
photo_dense = dense_params(224 * 224 * 3, units)
st.markdown("\n".join([
    _("- The book's example: a 28 x 28 MNIST image into 128 units needs 784 x 128 + 128 = **{params:,}** "
      "parameters.").format(params=mnist_dense),
    _("- A 224 x 224 x 3 photo into {units} units needs 150,528 x {units} + {units} = **{params:,}** "
      "parameters.").format(units=units, params=photo_dense),
    ngettext("- A {k} x {k} conv layer with {n} filter on that photo: {k} x {k} x 3 x {n} + {n} = **{params:,}**, "
             "and the same on any image size.",
             "- A {k} x {k} conv layer with {n} filters on that photo: {k} x {k} x 3 x {n} + {n} = **{params:,}**, "
             "and the same on any image size.", filters).format(k=kernel, n=filters,
                                                                params=conv_params(kernel, 3, filters)),
]))
rows = pd.DataFrame(parameter_growth(range(8, 513, 8), channels, units, kernel, filters))
figure = go.Figure([
    go.Scatter(x=rows["side"], y=rows["dense"], name=_("Dense, {units} units").format(units=units),
               line=dict(color=PALETTE[1])),
    go.Scatter(x=rows["side"], y=rows["conv"],
               name=ngettext("Conv {k}x{k}, {n} filter", "Conv {k}x{k}, {n} filters", filters).format(k=kernel, n=filters),
               line=dict(color=PALETTE[0])),
])
figure.update_layout(xaxis_title=ngettext("Image side (pixels, {n} channel)", "Image side (pixels, {n} channels)",
                                          channels).format(n=channels),
                     yaxis_title=_("Parameters"), yaxis_type="log", height=400, margin=dict(t=30))
st.plotly_chart(figure, key="why_growth")
code_panel(why_cnns_program(units=units, filters=filters, kernel=kernel, mnist_dense=mnist_dense,
                            photo_dense=photo_dense, photo_conv=conv_params(kernel, 3, filters)), "why_cnns")

st.header(_("2. Dense layers ignore where pixels are"))
st.markdown(_(
    "Shuffle the pixels of every image the same way. A dense network learns the shuffled digits as well as the "
    "ordered ones, because it never used which pixels are neighbours: its weights, shuffled the same way, compute "
    "exactly the same outputs. That is what it lacks: nothing in it knows that two pixels sit side by side, so it "
    "cannot reason about strokes and shapes, only about the value at each fixed position. "
    "A convolution cannot learn the shuffled image: it looks at neighbourhoods, and the shuffle destroyed them."
))
st.markdown(_("**Image for the shuffle**"))
pixels = image_picker("why", allow_colour=False)
if pixels is not None:
    # A small version keeps the dense product cheap and the pixels visible.
    step = max(1, max(pixels.shape) // 96)
    small = pixels[::step, ::step]
    demo = shuffle_demo(small)
    columns = st.columns(4)
    columns[0].image(to_display(small), caption=_("Original {shape}").format(shape=small.shape), width="stretch")
    columns[1].image(to_display(demo["shuffled"]), caption=_("Pixels shuffled"), width="stretch")
    columns[2].image(to_display(demo["conv_original"]), caption=_("Edge kernel on the original"), width="stretch")
    resembles_image = demo["restored_vs_image"] > demo["restored_vs_edges"]
    columns[3].image(to_display(demo["conv_restored"]), width="stretch", caption=(
        _("Edge kernel on the shuffled image, put back in order: the picture returns, its edges do not")
        if resembles_image else _("Edge kernel on the shuffled image, put back in order: no edges")))
    st.markdown("\n".join([
        _("- **Dense layer** (16 units) on the original, and with shuffled weights on the shuffled image: the outputs "
          "differ by at most **{difference:.2e}** (outputs reach {scale:.0f}), rounding error only. The shuffle "
          "changed nothing it could use.").format(difference=demo["dense_max_difference"], scale=demo["dense_scale"]),
        _("- **Convolution**: put back in order, its output on the shuffled image differs from the original's "
          "edge map by **{difference:.0%}** on average. It correlates **{image:.2f}** with the original image and "
          "**{edges:.2f}** with the edge map: each output keeps its own pixel (times the kernel's centre weight, "
          "{centre:g}), but the neighbours it compares that pixel with were random pixels, so no edge is found. "
          "The neighbourhoods are gone.").format(
            difference=demo["conv_relative_difference"], image=demo["restored_vs_image"],
            edges=demo["restored_vs_edges"], centre=demo["centre_weight"]),
    ]))

st.header(_("3. What neighbourhoods buy: digits that move"))
st.markdown(_(
    "The dense network ties each weight to one pixel position, so a stroke two pixels to the right meets weights "
    "that never saw it. LeNet-5 slides the same small kernels over every position and pools their answers, so it "
    "finds the stroke where it is; its last layers are dense too, so it has a limit as well. Here both trained "
    "models read the same MNIST test digits, moved by 0 to 6 pixels (right, left, down and up, averaged), with "
    "the vacated pixels left black."
))
if st.session_state.get(SHIFT_SHOWN) or st.button(
        _("Measure both models on {count:,} shifted test digits").format(count=SHIFT_DIGITS), key="why_shift_run",
        help=_("Loads TensorFlow, the shipped LeNet-5 and the dense baseline (chapter 2) the first time.")):
    st.session_state[SHIFT_SHOWN] = True
    show_shift_experiment()
