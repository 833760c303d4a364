"""Home: what the lab teaches, and a link to every page."""

import streamlit as st

from lib.navigation import pages_by_section

st.title("CNN Lab")
st.markdown(
    """
Learn convolutional neural networks by touching every idea of chapters 2 and 3
of *Hands-On Computer Vision with TensorFlow 2*:

- **Keras basics**: data, models in three styles, losses, `compile` and `fit`.
- **The operations of a CNN**: convolution, padding, stride, dilation and
  pooling, with sliders over real images, computed exactly as TensorFlow does.
- **LeNet-5 on MNIST**: train it live with the book's seven optimizers and its
  regularizers, then compare runs side by side.
- **Draw a digit** and watch a trained network read it.
"""
)
st.page_link("pages/chapter2/keras_basics.py", icon=":material/help:",
             label="Chapter 2's open questions, answered by running them (Keras basics, last tab): why a conv layer "
                   "takes any input size, how metrics come from predictions, custom TensorBoard scalars.")

st.subheader("Pages")
for section, pages in pages_by_section().items():
    others = [page for page in pages if page.path != "pages/start/home.py"]
    if not others:
        continue
    st.markdown(f"**{section}**")
    for page in others:
        st.page_link(page.path, label=f"{page.title}: {page.blurb}", icon=page.icon)
