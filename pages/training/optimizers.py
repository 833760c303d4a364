"""Optimizers: gradient descent in one dimension, then the book's seven optimizers on a loss surface, every step
Keras's own update, every caption computed from the paths it describes."""

import pandas as pd
import streamlit as st

from lib.engine.config import FIELDS, KERAS_DEFAULT_LEARNING_RATES, OPTIMIZERS
from lib.keras_views.optimizer_captions import OPTIMIZER_NAMES as NAMES
from lib.keras_views.optimizer_captions import describe_paths, primer_caption
from lib.keras_views.optimizer_paths import (
    PRIMER_FORMULA,
    PRIMER_RATES,
    PRIMER_STEPS,
    SURFACES,
    UPDATE_RULES,
    gradient_descent_1d,
    summarize,
)
from ui.optimizer_views import cached_explanation, cached_grid, cached_path, primer_figure, surface_figure

LOW, HIGH = FIELDS["learning_rate"].metadata["low"], FIELDS["learning_rate"].metadata["high"]
RATE_SETS = {"suited": "Rates that suit this surface", "keras": "Keras's defaults", "own": "Your own"}


def apply_rate_set() -> None:
    """Fill the rate boxes from the chosen set; "your own" keeps whatever they hold."""
    choice = st.session_state.opt_rate_set
    rates = {"suited": SURFACES[st.session_state.opt_surface].suited_rates,
             "keras": KERAS_DEFAULT_LEARNING_RATES}.get(choice, {})
    for name, rate in rates.items():
        st.session_state[f"opt_rate_{name}"] = float(rate)


def change_surface() -> None:
    x, y = SURFACES[st.session_state.opt_surface].start
    st.session_state.opt_start_x, st.session_state.opt_start_y = float(x), float(y)
    apply_rate_set()


def own_rates() -> None:
    st.session_state.opt_rate_set = "own"


st.title("Optimizers")
st.markdown(
    "Every optimizer is gradient descent with a twist, so first plain gradient descent on a one-dimensional "
    "loss; then the book's seven optimizers on two-dimensional surfaces, where you can see each step."
)

st.subheader("Gradient descent in one dimension")
st.markdown(
    "Gradient descent steps against the slope: x moves by −η f′(x), the learning rate η times the gradient. "
    f"Each arrow below is one such step, {PRIMER_STEPS} steps from x = 4. The rate decides everything: too small "
    "and it crawls, about right and it converges, too big and every step overshoots more than the last."
)
st.latex(PRIMER_FORMULA)
own_rate = st.slider("Your learning rate η", 0.01, 1.2, 0.8, 0.01, key="opt_primer_rate")
primer_rates = {f"{label.capitalize()}: η = {rate:g}": rate for label, rate in PRIMER_RATES.items()}
primer_rates[f"Yours: η = {own_rate:g}"] = own_rate
primer_paths = {title: gradient_descent_1d(rate) for title, rate in primer_rates.items()}
st.plotly_chart(primer_figure(primer_paths), key="opt_primer_chart")
st.caption("\n".join(f"- **{title}**. {primer_caption(primer_rates[title], path)}"
                     for title, path in primer_paths.items()))

st.subheader("Seven optimizers on a surface")
st.markdown(
    "Every point is Keras's own update: the optimizer is built exactly as the Training page builds it, "
    "TensorFlow computes the gradient of f, and `apply_gradients` moves a variable of two numbers."
)
st.session_state.setdefault("opt_surface", "bowl")
st.session_state.setdefault("opt_rate_set", "suited")
if "opt_start_x" not in st.session_state:
    change_surface()

controls = st.columns([2, 2, 1, 1])
surface_name = controls[0].selectbox("Surface", list(SURFACES), key="opt_surface", on_change=change_surface,
                                     format_func=lambda name: SURFACES[name].title)
steps = controls[1].slider("Steps", 10, 500, 200, 10, key="opt_steps")
start_x = controls[2].number_input("Start x", -10.0, 10.0, key="opt_start_x", step=0.1)
start_y = controls[3].number_input("Start y", -10.0, 10.0, key="opt_start_y", step=0.1)
chosen = SURFACES[surface_name]
st.latex(chosen.formula)
st.caption(chosen.shape)

selected = st.multiselect("Optimizers", OPTIMIZERS, default=list(OPTIMIZERS), key="opt_selected",
                          format_func=NAMES.get)
st.radio("Learning rates", list(RATE_SETS), format_func=RATE_SETS.get, horizontal=True, key="opt_rate_set",
         on_change=apply_rate_set,
         help="The suited rates show in 200 steps what this surface teaches; Keras's defaults are tuned for "
              "training networks. Typing a rate below makes the set your own.")
with st.expander("The learning rate of each optimizer", expanded=True):
    rate_columns = st.columns(len(OPTIMIZERS))
    rates = {name: column.number_input(NAMES[name], LOW, HIGH, key=f"opt_rate_{name}", format="%.5f", step=None,
                                       on_change=own_rates)
             for name, column in zip(OPTIMIZERS, rate_columns)}
with st.spinner("TensorFlow is measuring the gradient..."):  # the first time it loads TensorFlow too
    explanation = cached_explanation(surface_name, (start_x, start_y))
with st.expander("Why not Keras's default rates?", expanded=st.session_state.opt_rate_set == "keras"):
    st.markdown(explanation)
if not selected:
    st.info("Pick at least one optimizer.")
    st.stop()

with st.spinner("Keras is stepping the optimizers..."):
    paths = {name: cached_path(name, surface_name, (start_x, start_y), steps, rates[name]) for name in selected}
step = st.slider("Show the paths up to step", 0, steps, steps, key="opt_step")
st.plotly_chart(surface_figure(surface_name, cached_grid(surface_name), paths, step), key="opt_chart")
shown = {name: path[: step + 1] for name, path in paths.items()}
st.caption("\n".join(f"- {sentence}" for sentence in describe_paths(surface_name, shown, rates, step)))

rows, notes = [], []
for name, path in paths.items():
    summary = summarize(name, surface_name, path, steps, rates[name])
    # Text, not numbers: the grid cannot format the 1e+28 of a path that flew off the surface.
    rows.append({"optimizer": NAMES[name], "learning rate": rates[name], "final loss": f"{summary.final_loss:.4g}",
                 "distance to nearest minimum": None if summary.distance_to_minimum is None else
                 f"{summary.distance_to_minimum:.4g}",
                 "first step within 0.01 of a minimum": summary.first_arrival,
                 "final point": f"({path[-1, 0]:.3g}, {path[-1, 1]:.3g})"})
    if summary.diverged_at is not None:
        notes.append(f"{NAMES[name]} at rate {rates[name]:g} diverged: step {summary.diverged_at} left the finite "
                     f"numbers, so its path is drawn up to step {summary.steps_taken}. Try a smaller rate.")
st.dataframe(pd.DataFrame(rows), hide_index=True, key="opt_table",
             column_config={"learning rate": st.column_config.NumberColumn(format="%g")})
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
    "MNIST, in the same colours, at Keras's default rates. There plain SGD at 0.01 is steady but slow, momentum "
    "and Nesterov speed it up, Adam and RMSprop get there fastest, and Adadelta at Keras's default 0.001 barely "
    "moves, as it does here at that rate."
)
st.page_link("pages/training/history.py", label="History: the seven optimizers training LeNet-5",
             icon=":material/show_chart:")
