"""Receptive fields: pick a unit inside LeNet-5 and see the part of the digit it looks at."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.codegen.receptive import receptive_program
from lib.explore.receptive import field_steps, input_region, layer_geometries, output_size, receptive_field_size
from lib.i18n import _
from lib.keras_views.predict import FEATURE_LAYERS
from lib.plain_text import plain
from lib.runs.store import SHIPPED_MODEL
from lib.server.guide_controls import label as control_label
from ui.code_panel import code_panel
from ui.digits import classifier, digit_picker, model_catalogue
from ui.pictures import GRAY, colour_bar


def digit_with_box(digit: np.ndarray, box: tuple[int, int, int, int], title: str) -> go.Figure:
    top, left, bottom, right = box
    figure = go.Figure(go.Heatmap(z=digit, colorscale=GRAY, zmin=0, zmax=255, colorbar=colour_bar(_("pixel value")),
                                  hovertemplate=_("row %{y}, column %{x}: %{z}") + "<extra></extra>"))
    figure.add_shape(type="rect", x0=left - 0.5, x1=right - 0.5, y0=top - 0.5, y1=bottom - 0.5,
                     line=dict(color="#e4572e", width=3), fillcolor="rgba(228, 87, 46, 0.18)")
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=470, margin=dict(l=50, r=10, t=90, b=10),
                         yaxis=dict(range=[27.5, -0.5], constrain="domain", scaleanchor="x", title=_("row")),
                         xaxis=dict(range=[-0.5, 27.5], side="top", constrain="domain", title=_("column")))
    return figure


def feature_map_with_unit(values: np.ndarray, row: int, col: int, title: str) -> go.Figure:
    figure = go.Figure(go.Heatmap(z=values, colorscale="Viridis", colorbar=colour_bar(_("activation")),
                                  hovertemplate=_("row %{y}, column %{x}: %{z:.3f}") + "<extra></extra>"))
    figure.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                     line=dict(color="#e4572e", width=3))
    rows, cols = values.shape
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=360, margin=dict(l=50, r=10, t=90, b=10),
                         yaxis=dict(range=[rows - 0.5, -0.5], constrain="domain", scaleanchor="x", title=_("row")),
                         xaxis=dict(range=[-0.5, cols - 0.5], side="top", constrain="domain", title=_("column")))
    return figure


st.title(_("Receptive fields"))
st.markdown(_(
    "A unit of a convolutional layer sees only part of the image: its **receptive field**. A conv1 unit sees "
    "its 5 x 5 window; a unit one layer deeper sees the windows of all the conv1 units it combines, and so on. "
    "Pick a unit and its field is drawn over the digit."
))
digit_col, model_col = st.columns(2)
with digit_col:
    digit, caption = digit_picker("receptive")
with model_col:
    catalogue = model_catalogue()  # {model path: label}
    paths = [path for path, label in catalogue.items() if "dense" not in label.lower()]
    shipped = paths.index(str(SHIPPED_MODEL)) if str(SHIPPED_MODEL) in paths else 0
    chosen = st.selectbox(_("Model"), paths, index=shipped, format_func=catalogue.get, key="receptive_model")
    label = catalogue.get(chosen)
if digit is None:
    st.info(caption)
    st.page_link("pages/draw/draw.py", label=_("Draw a digit"), icon=":material/draw:")
    st.stop()
if not paths:
    st.error(_("No trained convolutional model was found in saved_models/ or your runs."))
    st.stop()
model = classifier(chosen)
network = (model.layers, digit.shape)  # what the receptive-field functions read: the layers and the input's size
names = [name for name in FEATURE_LAYERS if any(layer.name == name for layer in model.layers)]
if not names:
    st.warning(_("{model} has no convolutional layers: every unit of it sees the whole image.").format(model=plain(label)))
    st.stop()

layer_name = st.radio(control_label("receptive_layer"), names, index=len(names) - 1, horizontal=True, key="receptive_layer")
maps = dict(zip(names, model.feature_maps(digit).values()))
activation = maps[layer_name]
out_h, out_w = output_size(*network, layer_name)
left, middle, right = st.columns(3)
row = left.slider(_("Unit row"), 0, out_h - 1, out_h // 2, key=f"receptive_row_{layer_name}")
col = middle.slider(_("Unit column"), 0, out_w - 1, out_w // 2, key=f"receptive_col_{layer_name}")
channel = right.slider(_("Feature map (channel)"), 0, activation.shape[2] - 1, 0,
                       key=f"receptive_channel_{layer_name}")

top, left_edge, bottom, right_edge = box = input_region(*network, layer_name, row, col)
size = receptive_field_size(*network, layer_name)
value = float(activation[row, col, channel])
st.markdown(_("**{layer} unit ({row}, {col}), map {channel}** = {value:.4f}. Input box: rows {top}-{bottom}, "
              "columns {left}-{right} (**{height} x {width} pixels**; the full field is {size} x {size}, clipped "
              "where it leaves the image).").format(
    layer=layer_name, row=row, col=col, channel=channel, value=value, top=top, bottom=bottom - 1, left=left_edge,
    right=right_edge - 1, height=bottom - top, width=right_edge - left_edge, size=size))
picture, feature = st.columns([3, 2])
picture.plotly_chart(digit_with_box(digit, box, _("{digit}:<br>what the unit sees").format(digit=caption)),
                     key="receptive_digit")
feature.plotly_chart(feature_map_with_unit(activation[:, :, channel], row, col,
                                           _("{layer} map {channel} ({height} x {width})").format(
                                               layer=layer_name, channel=channel, height=out_h, width=out_w)),
                     key="receptive_map")
code_panel(receptive_program(layer_geometries(*network, layer_name), layer_name, row, col, size, box),
           "receptive")

st.subheader(_("How the field grows, layer by layer"))
st.markdown(_("Each layer widens the field by (k - 1) times the jump j, the distance in input pixels between two "
              "neighbouring units of the layer below; a stride multiplies the jump."))
steps = field_steps(*network, layer_name)
previous_size, previous_jump = 1, 1
for step in steps:
    st.latex(rf"\text{{{step.name}}}:\ r = {previous_size} + ({step.kernel} - 1)\cdot {previous_jump} = {step.size},"
             rf"\quad j = {previous_jump}\cdot {step.stride} = {step.jump}")
    previous_size, previous_jump = step.size, step.jump
# The table's columns are words for people: named in the reader's language.
st.dataframe(pd.DataFrame([{_("layer"): name, _("receptive field"): f"{receptive_field_size(*network, name)} px",
                            _("feature maps"): f"{output_size(*network, name)[0]} x {output_size(*network, name)[1]}"}
                           for name in names]), hide_index=True, key="receptive_table")
deepest = names[-1]
deepest_size = receptive_field_size(*network, deepest)
st.info(_("A {layer} unit sees {size} x {size} pixels of the 28 x 28 digit: enough for the shape of a stroke or a "
          "loop, not the whole digit. Only the dense layers after it combine all the units and so see the digit "
          "whole.").format(layer=deepest, size=deepest_size))
