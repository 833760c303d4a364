"""The suite's wait for an AppTest run (tests/conftest.py joins the script thread instead of Streamlit's
millisecond polling): a run that ends is read whole, and one that outlasts its timeout is stopped and reported
as Streamlit reports it."""

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

from tests.conftest import wait_for_script_run


def quick_script():
    import streamlit as st

    st.title("done")
    st.number_input("n", value=3, key="n")


def slow_script():
    import time

    import streamlit as st

    st.title("started")
    time.sleep(2)
    st.title("too late")


def test_the_suite_waits_by_joining_the_script_thread():
    assert local_script_runner.require_widgets_deltas is wait_for_script_run


def test_a_run_that_ends_is_read_whole_and_again_after_a_widget_changes():
    app = AppTest.from_function(quick_script).run()
    assert [title.value for title in app.title] == ["done"] and app.number_input(key="n").value == 3
    app.number_input(key="n").set_value(5).run()
    assert app.number_input(key="n").value == 5


def test_a_run_past_its_timeout_is_stopped_and_reported():
    with pytest.raises(RuntimeError, match=r"AppTest script run timed out after 0.3\(s\)"):
        AppTest.from_function(slow_script, default_timeout=0.3).run()
