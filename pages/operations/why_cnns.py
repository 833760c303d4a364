"""Why CNNs: parameter explosion in dense layers, and the spatial locality they ignore."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.images import to_display
from lib.why_cnns import conv_params, dense_params, parameter_growth, shuffle_demo
from pages.shared.ui import image_picker

st.title("Why CNNs")

st.header("1. Dense layers explode with the image size")
st.markdown("A dense layer has one weight per input value per unit, plus a bias per unit. "
            "A convolutional layer shares one small kernel across every position.")
left, right = st.columns(2)
units = left.slider("Dense units", 16, 512, 128, step=16, key="why_units")
filters = right.slider("Conv filters N", 1, 128, 32, key="why_filters")
kernel = right.select_slider("Conv kernel k", [3, 5, 7], 3, key="why_kernel")
channels = left.radio("Channels", [1, 3], horizontal=True, key="why_channels")

mnist_dense = dense_params(28 * 28, 128)
photo_dense = dense_params(224 * 224 * 3, units)
st.markdown(
    f"- The book's example: a 28 x 28 MNIST image into 128 units needs 784 x 128 + 128 = **{mnist_dense:,}** parameters.\n"
    f"- A 224 x 224 x 3 photo into {units} units needs 150,528 x {units} + {units} = **{photo_dense:,}** parameters.\n"
    f"- A {kernel} x {kernel} conv layer with {filters} filters on that photo: {kernel} x {kernel} x 3 x {filters} "
    f"+ {filters} = **{conv_params(kernel, 3, filters):,}**, and the same on any image size."
)
rows = pd.DataFrame(parameter_growth(range(8, 513, 8), channels, units, kernel, filters))
figure = go.Figure([
    go.Scatter(x=rows["side"], y=rows["dense"], name=f"Dense, {units} units"),
    go.Scatter(x=rows["side"], y=rows["conv"], name=f"Conv {kernel}x{kernel}, {filters} filters"),
])
figure.update_layout(xaxis_title=f"Image side (pixels, {channels} channel{'s' if channels > 1 else ''})",
                     yaxis_title="Parameters", yaxis_type="log", height=400, margin=dict(t=30))
st.plotly_chart(figure, key="why_growth")

st.header("2. Dense layers ignore where pixels are")
st.markdown(
    "Shuffle the pixels of an image, the same way for every image. A dense network loses nothing: "
    "it can learn the same weights, shuffled the same way, and compute exactly the same outputs. "
    "A convolution cannot: it looks at neighbourhoods, and the shuffle destroyed them."
)
with st.sidebar:
    st.subheader("Image for the shuffle")
    pixels = image_picker("why", default_photo="Coins", allow_colour=False)
if pixels is None:
    st.stop()
# A small version keeps the dense product cheap and the pixels visible.
step = max(1, max(pixels.shape) // 96)
small = pixels[::step, ::step]
demo = shuffle_demo(small)
columns = st.columns(4)
columns[0].image(to_display(small), caption=f"Original {small.shape}", width="stretch")
columns[1].image(to_display(demo["shuffled"]), caption="Pixels shuffled", width="stretch")
columns[2].image(to_display(demo["conv_original"]), caption="Edge kernel on the original", width="stretch")
columns[3].image(to_display(demo["conv_restored"]), caption="Edge kernel on the shuffled image, unshuffled",
                 width="stretch")
st.markdown(
    f"- **Dense layer** (16 units) on the original, and with shuffled weights on the shuffled image: the outputs "
    f"differ by at most **{demo['dense_max_difference']:.2e}** (outputs reach {demo['dense_scale']:.0f}), "
    "rounding error only.\n"
    f"- **Convolution**: even after putting the pixels back in order, its output differs from the original's "
    f"edge map by **{demo['conv_relative_difference']:.0%}** on average. The neighbourhoods are gone."
)
