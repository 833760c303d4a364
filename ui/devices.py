"""Which TensorFlow build is installed and which devices it sees, asked of a child process once per server.

Not a page itself. A child, so that the Training page does not load TensorFlow into the server.
"""

import streamlit as st


@st.cache_resource(show_spinner="Asking TensorFlow which devices it sees...")
def tensorflow_build() -> str:
    from lib.engine.resources import tensorflow_build_in_child

    return tensorflow_build_in_child()
