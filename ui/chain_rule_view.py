"""The Optimizers page's first section: the chain rule on a tiny network, checked against tf.GradientTape.
Not a page itself."""

import pandas as pd
import streamlit as st

from lib.i18n import _
from lib.keras_views.chain_rule import DEFAULTS, PARAMETERS, chain_rule, largest_difference, tape_gradients
from ui.models import shipped_classifier


@st.cache_data(max_entries=64, show_spinner=False)
def cached_tape(values: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return tape_gradients(**dict(values))


def shown(factor: str) -> str:
    """A local derivative's name as the formulas write it: "dloss/dy_hat" as ∂L/∂ŷ."""
    top, bottom = (part[1:].replace("y_hat", "ŷ").replace("loss", "L") for part in factor.split("/"))
    return f"∂{top}/∂{bottom}"


def show_chain_rule() -> None:
    st.subheader(_("How the gradient is computed"))
    st.markdown(_("Every optimizer below needs the gradient of the loss with respect to each weight. Backpropagation "
                  "gets it with the chain rule: walk from the loss back to the weight and multiply the local "
                  "derivative of every step on the way. Here on a network with one input, one hidden neuron "
                  "(sigmoid) and one output, trained on a single example with the squared error:"))
    st.latex(r"z = w_1 x + b_1,\quad h = \sigma(z),\quad \hat y = w_2 h + b_2,\quad L = (\hat y - y)^2")
    columns = st.columns(len(DEFAULTS))
    values = {name: column.number_input(name, -10.0, 10.0, DEFAULTS[name], 0.1, key=f"opt_chain_{name}")
              for name, column in zip(DEFAULTS, columns)}
    result = chain_rule(**values)
    with st.spinner(_("TensorFlow is measuring the gradient...")):
        # TensorFlow is imported inside the shipped model's cache entry, which the server's warm-up fills: two
        # threads importing TensorFlow at once can deadlock, so this page waits on that entry (or fills it).
        shipped_classifier()
        tape = cached_tape(tuple(values.items()))
    f, d = result.forward, result.local
    st.markdown(_("**Forward pass**: z = {w1:g} x {x:g} + {b1:g} = **{z:.4f}**, h = σ(z) = **{h:.4f}**, "
                  "ŷ = {w2:g} x {h:.4f} + {b2:g} = **{y_hat:.4f}**, L = ({y_hat:.4f} - {y:g})² = **{loss:.4f}**.")
                .format(**values, z=f["z"], h=f["h"], y_hat=f["y_hat"], loss=f["loss"]))
    st.markdown(_("**Local derivatives**: ∂L/∂ŷ = 2(ŷ - y) = **{dl:.4f}**; ∂ŷ/∂h = w2 = **{dh:.4f}**; "
                  "∂h/∂z = h(1 - h) = **{dz:.4f}**; ∂z/∂w1 = x = **{dw1:.4f}**; ∂ŷ/∂w2 = h = **{dw2:.4f}**.").format(
        dl=d["dloss/dy_hat"], dh=d["dy_hat/dh"], dz=d["dh/dz"], dw1=d["dz/dw1"], dw2=d["dy_hat/dw2"]))
    rows = []
    for name in PARAMETERS:
        chain = result.factors[name]
        rows.append({_("weight"): name,
                     _("chain rule"): " x ".join(shown(factor) for factor in chain),
                     _("product of the numbers"): " x ".join(f"{d[factor]:.4f}" for factor in chain),
                     _("by hand"): f"{result.gradients[name]:.6f}",
                     _("tf.GradientTape"): f"{tape[name]:.6f}"})
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="opt_chain_table")
    st.code("with tf.GradientTape() as tape:\n    h = tf.sigmoid(w1 * x + b1)\n    loss = tf.square(w2 * h + b2 - y)\n"
            "tape.gradient(loss, [w1, b1, w2, b2])", language="python")
    difference = largest_difference(result.gradients, tape)
    st.caption(_("The product of the local derivatives and TensorFlow's tape differ by at most {difference:.1e}: "
                 "the tape records the same steps in the forward pass and multiplies the same local derivatives "
                 "backwards. In a real network each weight's gradient is such a product, summed over every path "
                 "from the weight to the loss; the optimizers below only decide what to do with it.").format(
        difference=difference))
