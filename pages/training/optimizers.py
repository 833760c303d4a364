"""Optimizers: the book's seven optimizers race down a loss surface, every step Keras's own update."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.config import FIELDS, KERAS_DEFAULT_LEARNING_RATES, OPTIMIZERS
from lib.optimizer_paths import SURFACES, UPDATE_RULES, loss_grid, summarize, trajectory
from lib.training import ADADELTA_NOTE
from pages.shared.charts import OPTIMIZER_COLOURS

NAMES = {"sgd": "SGD", "momentum": "Momentum", "nag": "Nesterov (NAG)", "adagrad": "Adagrad",
         "adadelta": "Adadelta", "rmsprop": "RMSprop", "adam": "Adam"}
LOW, HIGH = FIELDS["learning_rate"].metadata["low"], FIELDS["learning_rate"].metadata["high"]


@st.cache_data(max_entries=512, show_spinner=False)
def cached_path(optimizer: str, surface: str, start: tuple, steps: int, rate: float) -> np.ndarray:
    return trajectory(optimizer, surface, start, steps, rate)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_grid(surface: str):
    return loss_grid(surface)


def set_rates(rates: dict) -> None:
    for name, rate in rates.items():
        st.session_state[f"opt_rate_{name}"] = float(rate)


def reset_start() -> None:
    x, y = SURFACES[st.session_state.opt_surface].start
    st.session_state.opt_start_x, st.session_state.opt_start_y = float(x), float(y)


def paths_figure(surface_name: str, paths: dict, step: int) -> go.Figure:
    chosen = SURFACES[surface_name]
    xs, ys, values = cached_grid(surface_name)
    # Contours of a signed log of the height, so the narrow valleys show as well as the walls.
    shaded = np.sign(values) * np.log1p(np.abs(values))
    figure = go.Figure(go.Contour(x=xs, y=ys, z=shaded, colorscale="Greys", ncontours=30, showscale=False,
                                  contours=dict(coloring="heatmap"), opacity=0.55, hoverinfo="skip"))
    for x, y in chosen.minima:
        figure.add_trace(go.Scatter(x=[x], y=[y], mode="markers", marker=dict(symbol="x", size=14, color="black"),
                                    name="minimum"))
    for name, path in paths.items():
        shown = path[: step + 1]
        colour = OPTIMIZER_COLOURS[name]
        figure.add_trace(go.Scatter(x=shown[:, 0], y=shown[:, 1], mode="lines", line=dict(color=colour, width=2.5),
                                    name=NAMES[name], legendgroup=name))
        figure.add_trace(go.Scatter(x=shown[-1:, 0], y=shown[-1:, 1], mode="markers", showlegend=False,
                                    marker=dict(color=colour, size=11, line=dict(color="white", width=1.5)),
                                    legendgroup=name, hovertext=f"{NAMES[name]}: step {len(shown) - 1}"))
    figure.update_layout(height=560, margin=dict(t=30, b=10), legend=dict(orientation="h", y=-0.08),
                         xaxis=dict(range=chosen.x_range, title="x"),
                         yaxis=dict(range=chosen.y_range, title="y"))
    return figure


st.title("Optimizers")
st.markdown(
    "The book's seven optimizers on a two-dimensional loss surface, where you can see each step. Every point is "
    "Keras's own update: the optimizer is built exactly as the Training page builds it, TensorFlow computes the "
    "gradient of f, and `apply_gradients` moves a variable of two numbers."
)

defaults = KERAS_DEFAULT_LEARNING_RATES
for name in OPTIMIZERS:
    st.session_state.setdefault(f"opt_rate_{name}", defaults[name])
if "opt_start_x" not in st.session_state:
    st.session_state.opt_surface = st.session_state.get("opt_surface", "bowl")
    reset_start()

controls = st.columns([2, 2, 1, 1])
surface_name = controls[0].selectbox("Surface", list(SURFACES), key="opt_surface", on_change=reset_start,
                                     format_func=lambda name: SURFACES[name].title)
steps = controls[1].slider("Steps", 10, 500, 200, 10, key="opt_steps")
start_x = controls[2].number_input("Start x", -10.0, 10.0, key="opt_start_x", step=0.1)
start_y = controls[3].number_input("Start y", -10.0, 10.0, key="opt_start_y", step=0.1)
chosen = SURFACES[surface_name]
st.latex(chosen.formula)
st.caption(chosen.lesson)

selected = st.multiselect("Optimizers", OPTIMIZERS, default=list(OPTIMIZERS), key="opt_selected",
                          format_func=NAMES.get)
with st.expander("Learning rates", expanded=True):
    buttons = st.columns(2)
    buttons[0].button("Keras's default rates", on_click=set_rates, args=(defaults,), key="opt_defaults")
    buttons[1].button("Rates that suit this surface", on_click=set_rates, args=(chosen.tuned_rates,),
                      key="opt_tuned")
    rate_columns = st.columns(len(OPTIMIZERS))
    rates = {name: column.number_input(NAMES[name], LOW, HIGH, key=f"opt_rate_{name}", format="%.5f", step=None)
             for name, column in zip(OPTIMIZERS, rate_columns)}
    st.caption(f"Keras's defaults: {', '.join(f'{NAMES[n]} {defaults[n]:g}' for n in OPTIMIZERS)}. "
               f"{ADADELTA_NOTE}")
if not selected:
    st.info("Pick at least one optimizer.")
    st.stop()

with st.spinner("Keras is stepping the optimizers..."):
    paths = {name: cached_path(name, surface_name, (start_x, start_y), steps, rates[name]) for name in selected}
step = st.slider("Show the paths up to step", 0, steps, steps, key="opt_step")
st.plotly_chart(paths_figure(surface_name, paths, step), key="opt_chart")

rows, notes = [], []
for name, path in paths.items():
    summary = summarize(name, surface_name, path, steps, rates[name])
    rows.append({"optimizer": NAMES[name], "learning rate": rates[name], "final loss": summary.final_loss,
                 "distance to nearest minimum": summary.distance_to_minimum,
                 "first step within 0.01": summary.first_arrival, "final point": f"({path[-1, 0]:.3g}, {path[-1, 1]:.3g})"})
    if summary.diverged_at is not None:
        notes.append(f"{NAMES[name]} at rate {rates[name]:g} diverged: step {summary.diverged_at} left the finite "
                     f"numbers, so its path is drawn up to step {summary.steps_taken}. Try a smaller rate.")
st.dataframe(pd.DataFrame(rows), hide_index=True, key="opt_table",
             column_config={"learning rate": st.column_config.NumberColumn(format="%g"),
                            "final loss": st.column_config.NumberColumn(format="%.4g"),
                            "distance to nearest minimum": st.column_config.NumberColumn(format="%.4g")})
for note in notes:
    st.warning(note)
if not chosen.minima:
    st.caption("This surface has no minimum, so there is no distance to one: lower is better, forever.")

st.subheader("The update rules")
st.caption("The textbook form of each rule (g is the gradient, η the learning rate); the paths above come from "
           "Keras's implementation, which adds details such as Adam's bias correction.")
for name in selected:
    left, right = st.columns([1, 5])
    left.markdown(f"**{NAMES[name]}**")
    right.latex(UPDATE_RULES[name])

st.subheader("The same optimizers on LeNet-5")
st.markdown(
    "A toy surface shows *how* each optimizer moves; the History page shows what they *achieve* on LeNet-5 and "
    "MNIST, in the same colours. There too plain SGD at 0.01 is steady but slow, momentum and Nesterov speed it "
    "up, Adam and RMSprop get there fastest, and Adadelta at Keras's default 0.001 barely moves, as here."
)
st.page_link("pages/training/history.py", label="History: the seven optimizers training LeNet-5",
             icon=":material/show_chart:")
