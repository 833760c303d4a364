"""Logic behind the CNN lab: data, models, operations and training.

Nothing in this package imports Streamlit, so every function here can be
called from pytest, a notebook or the command line. Its groups, each of which
may import only the groups before it: explore, engine, runs, keras_views,
server (each sub-package's docstring says what it holds); cli.py is the command
line, which nothing in lib imports.
"""

from pathlib import Path

# The repository's root folder: the one place that computes it.
REPO_ROOT = Path(__file__).resolve().parent.parent
