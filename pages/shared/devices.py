"""Which TensorFlow build is installed and which devices it sees, asked once per server. Not a page itself."""

import streamlit as st


@st.cache_resource(show_spinner="Asking TensorFlow which devices it sees...")
def tensorflow_build() -> str:
    from lib.distribute import tensorflow_build

    return tensorflow_build()
