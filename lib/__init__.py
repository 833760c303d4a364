"""Logic behind the CNN lab: data, models, operations and training.

Nothing in this package imports Streamlit, so every function here can be
called from pytest, a notebook or the command line.
"""
