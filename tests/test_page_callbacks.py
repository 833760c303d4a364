"""Pages take the functions they hand to Streamlit from ui/ or lib/, never define them.

Streamlit runs a page in a fresh module each run. A function defined there (a callback, a format_func, a
download's data function, a fragment) carries that module's globals, and Streamlit keeps it with the session's
widgets until the visitor's next run: so the page's images, feature maps and outputs stayed alive in every
session, some 5 MB a visitor on Convolution (the README's "A class, measured" has the numbers). A function
from ui/ or lib/ carries only its own module's globals, shared by every session.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").rglob("*.py"))
HANDED_OVER = {"on_change", "on_click", "format_func"}  # keyword arguments Streamlit keeps with the widget
KEEPS_DATA = {"download_button"}  # a callable `data` is called later, when the download is asked for


def handed_functions(tree: ast.Module) -> list[str]:
    """What a page hands to Streamlit that a page defines: lambdas and the page's own functions."""
    own = {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr == "fragment":
                    found.append(f"line {node.lineno}: the fragment {node.name}")
        if not isinstance(node, ast.Call):
            continue
        handed = [keyword.value for keyword in node.keywords if keyword.arg in HANDED_OVER]
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in KEEPS_DATA:
            handed += node.args[1:2] + [keyword.value for keyword in node.keywords if keyword.arg == "data"]
        for value in handed:
            if isinstance(value, ast.Lambda):
                found.append(f"line {value.lineno}: a lambda")
            elif isinstance(value, ast.Name) and value.id in own:
                found.append(f"line {value.lineno}: the page's own {value.id}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_page_hands_streamlit_no_function_of_its_own(page):
    assert handed_functions(ast.parse(page.read_text())) == []


def test_the_check_finds_a_page_callback_a_lambda_and_a_fragment():
    source = '''
import streamlit as st
def reset():
    st.session_state.size = 2
st.button("Reset", on_click=reset)
st.radio("Mode", ["a"], format_func=lambda value: value.upper())
st.download_button("Zip", lambda: b"", file_name="x.zip")
@st.fragment(run_every=1)
def live():
    pass
st.button("Fine", on_click=print, args=("from elsewhere",))
'''
    assert handed_functions(ast.parse(source)) == ["line 9: the fragment live", "line 5: the page's own reset",
                                                   "line 6: a lambda", "line 7: a lambda"]


def test_a_visitors_session_keeps_no_program_checks_unless_a_test_asks():
    """The code panel's checks hold the page's arrays: only a session that asks for them (a test) keeps them."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import open_app
    from ui.code_panel import CODE_CHECKS

    visitor = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    visitor.run()
    visitor.switch_page("pages/operations/convolution.py").run()
    assert not visitor.exception and visitor.get("expander")  # the page and its code panel are drawn
    assert CODE_CHECKS not in visitor.session_state
    tested = open_app("pages/operations/convolution.py")
    assert "output" in tested.session_state[CODE_CHECKS]["convolution"]
