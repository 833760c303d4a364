"""Which TensorFlow build is installed and which devices it sees, asked of a child process once per server.

Not a page itself. A child, so that the Training page does not load TensorFlow into the server; in the
background, so that no page waits for it: until the answer comes the line says "checking..." and looks again
every second, then reruns the page once with the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

import streamlit as st

from lib.i18n import N_, LazyText, _

CHECKING = N_("Which TensorFlow build this server has and which devices it sees: checking...")


@st.cache_resource(show_spinner=False)
def devices_answer() -> Future:
    """The child's sentence, asked once per server in a daemon thread; the first call starts it."""
    from lib.engine.resources import tensorflow_build_in_child

    answer: Future = Future()

    def ask() -> None:
        try:
            answer.set_result(tensorflow_build_in_child())
        except Exception as error:  # it says failures in its sentence; anything else is said here
            problem = str(error)  # `error` itself is gone after this block; the sentence is made where it is read
            answer.set_result(LazyText(lambda: _("TensorFlow could not be asked which devices it sees: {error}.")
                                       .format(error=problem)))

    threading.Thread(target=ask, name="cnn-lab-devices", daemon=True).start()
    return answer


def tensorflow_build() -> str | None:
    """The sentence, or None while the child is still answering."""
    answer = devices_answer()
    return answer.result() if answer.done() else None


def show_tensorflow_build(show: Callable[[str], object] = st.markdown) -> None:
    """The sentence drawn with `show` (st.markdown, st.info), or "checking..." until it comes."""
    line = tensorflow_build()
    if line is None:
        _wait_for_answer(show)
    else:
        show(str(line))  # a LazyText reads in this visitor's language


@st.fragment(run_every=1.0)
def _wait_for_answer(show: Callable[[str], object]) -> None:
    if tensorflow_build() is None:
        show(_(CHECKING))
    else:
        st.rerun()  # the whole page once: it then draws the sentence and this fragment stops ticking
