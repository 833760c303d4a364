"""The Keras basics page's open question "why resize at all?", answered on the shipped LeNet-5. Not a page itself."""

import pandas as pd
import streamlit as st

from lib.i18n import _
from lib.keras_views.resize import why_resize

SIZE = 64


def shape_text(shape: tuple) -> str:
    return " x ".join(f"{size:,}" for size in shape)


def show_why_resize(lenet, digit) -> None:
    st.markdown(_("#### Why resize at all?"))
    result = why_resize(lenet, digit, SIZE)
    st.markdown(_("First, a batch is one array: `np.stack` of the 28 x 28 digit and its {size} x {size} copy "
                  "fails.").format(size=SIZE) if result["batch_error"] else
                _("A batch is one array, so its images need one shape."))
    if result["batch_error"]:
        st.code(result["batch_error"], language="text", wrap_lines=True)
    rows = [{_("layer"): row["layer"], "28 x 28": shape_text(row["small"]),
             f"{SIZE} x {SIZE}": shape_text(row["large"])} for row in result["rows"]]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="basics_resize_shapes")
    st.markdown((_("Second, LeNet-5's convolutional part runs on both sizes (the shapes above are its layers' own "
                  "outputs), but it leaves **{small:,}** values after Flatten for a 28 x 28 digit and **{large:,}** "
                  "for {size} x {size}. `{head}` has one weight row per input, **{inputs:,}** of them, so it takes "
                  "exactly the first.") if result["head_inputs"] == result["flat_small"] else
                _("Second, LeNet-5's convolutional part runs on both sizes (the shapes above are its layers' own "
                  "outputs), leaving **{small:,}** values after Flatten for a 28 x 28 digit and **{large:,}** "
                  "for {size} x {size}; `{head}` takes **{inputs:,}** inputs.")).format(
        small=result["flat_small"], large=result["flat_large"], size=SIZE, head=result["head"],
        inputs=result["head_inputs"]))
    st.code(result["dense_error"] or _("(no error: this model accepted the larger image)"), language="text",
            wrap_lines=True)
    st.caption(_("So every image is brought to the size the dense head was built for: the Draw page scales a "
                 "drawing down to 28 x 28 before the network reads it."))
