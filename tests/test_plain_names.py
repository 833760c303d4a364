"""A run, class or display name made of Markdown, HTML and a javascript: link reads as plain text on every page
that shows such names: History, Draw and its model card, Receptive fields, and Your own classes.

What Streamlit renders as Markdown (text elements, alerts, headers, widget labels) is rendered here by a
CommonMark renderer and must hold no image, link or raw HTML, nor Streamlit's colour syntax; Plotly figures must
hold no tag of the name. The name itself must still be on the page, escaped.
"""

import json

import numpy as np
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from lib.engine.data_record import EVALUATION_FILE, evaluation_bytes
from lib.plain_text import plain
from lib.runs.workspaces import new_token, set_shared, workspace_dir
from tests.conftest import entry_app
from tests.run_folders import make_run

RUN_NAME = ("![p](http://127.0.0.1:9/run.png) :red[**PWNED**] [click me](javascript:alert(1)) "
            "<img src=http://127.0.0.1:9/html.png>")
CLASS_NAMES = ["![c](javascript:alert(1)) :red[**A**]", "<img src=x onerror=alert(1)> B"]
RUN_ID = "20260101-000000-hostile"
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                     "toast", "exception")
RENDERER = MarkdownIt("commonmark").enable("strikethrough").enable("table")


@pytest.fixture(scope="module")
def two_class_model(tmp_path_factory):
    pytest.importorskip("keras")
    from lib.engine.models import build_model

    path = tmp_path_factory.mktemp("model") / "model.keras"
    build_model("lenet5", num_classes=2).save(path)
    return path


def hostile_run(folder, model):
    """A finished own-classes run named and with classes named to attack whoever reads it."""
    path = make_run(folder, RUN_ID, model=model)
    (path / "config.json").write_text(json.dumps({"name": RUN_NAME, "optimizer": "adam", "epochs": 2,
                                                  "data": "sha256:0123456789abcdef", "class_names": CLASS_NAMES}))
    (path / "metrics.json").write_text(json.dumps({"status": "finished", "test_accuracy": 0.5, "parameters": 10,
                                                   "epochs_completed": 2, "class_names": CLASS_NAMES,
                                                   "tested_on": "validation", "confusion_matrix": [[1, 0], [1, 0]]}))
    # Two identical images of different classes: whatever the model answers, one of them is misread.
    (path / EVALUATION_FILE).write_bytes(evaluation_bytes(np.zeros((2, 28, 28), np.uint8), np.array([0, 1])))
    return path


def markdown_texts(app: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown: text elements, widgets' labels, metrics' values
    and images' captions."""
    found = [element.value for kind in MARKDOWN_ELEMENTS for element in app.get(kind) if isinstance(element.value, str)]
    found += [metric.value for metric in app.metric]  # a metric's value is Markdown too
    for node in walk(app._tree):
        proto = getattr(node, "proto", None)
        label = getattr(proto, "label", None)
        if isinstance(label, str) and label:
            found.append(label)
        if proto is not None and hasattr(proto, "imgs"):  # image captions are Markdown
            found += [image.caption for image in proto.imgs if image.caption]
    return found


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def figure_specs(app: AppTest) -> list[str]:
    """Each Plotly figure's JSON, its characters unescaped (the JSON writes "<" as \\u003c)."""
    return [json.dumps(json.loads(node.proto.spec), ensure_ascii=False) for node in walk(app._tree)
            if getattr(node, "type", None) == "plotly_chart" and getattr(node.proto, "spec", "")]


def assert_plain(app: AppTest) -> None:
    assert not app.exception, [exception.message for exception in app.exception]
    for text in markdown_texts(app):
        rendered = RENDERER.render(text)
        assert "<img" not in rendered and "<a " not in rendered and ":red[" not in text, text
    for spec in figure_specs(app):
        assert "<img" not in spec and "<a " not in spec, spec[:300]


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(page)
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


@pytest.fixture
def visitor(tmp_path, monkeypatch, two_class_model):
    """A visitor's app, with another workspace's hostile run shared with everyone."""
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    run = hostile_run(workspace_dir(new_token(), tmp_path), two_class_model)
    set_shared(run, True)
    app = entry_app(timeout=180)
    app.session_state["workspace_token"] = new_token()
    app.run()
    return app, run


def test_history_shows_a_shared_runs_hostile_name_as_text(visitor):
    app, _run = visitor
    open_page(app, "pages/training/history.py")
    app.multiselect(key="history_selected").set_value([f"shared/{RUN_ID}", "optimizers/adam"]).run()
    assert_plain(app)
    picker = app.multiselect(key="history_selected")
    assert picker.format_func(f"shared/{RUN_ID}").endswith(RUN_NAME)  # options are plain text already
    assert any("&lt;img src=http://127.0.0.1:9/html.png&gt;" in spec for spec in figure_specs(app))


def test_the_draw_page_and_its_model_card_show_hostile_run_and_class_names_as_text(visitor):
    app, run = visitor
    open_page(app, "pages/draw/draw.py")
    app.selectbox(key="draw_model").set_value(str(run / "model.keras")).run()
    assert_plain(app)
    assert any(header.value.startswith("Model card: ") and header.value.endswith(plain(RUN_NAME))
               for header in app.subheader)
    assert any(" read as " in text and plain(CLASS_NAMES[0]) in text for text in markdown_texts(app))  # the gallery
    app.selectbox(key="card_why_digit").select_index(0).run()  # the misread example, explained class by class
    assert_plain(app)
    assert any(plain(CLASS_NAMES[0]) in text or plain(CLASS_NAMES[1]) in text for text in markdown_texts(app))


def test_receptive_fields_shows_a_hostile_run_name_as_text(visitor):
    app, run = visitor
    open_page(app, "pages/draw/receptive.py")
    app.selectbox(key="receptive_model").set_value(str(run / "model.keras")).run()
    assert_plain(app)


def test_your_own_classes_shows_its_runs_hostile_names_as_text(tmp_path, monkeypatch, two_class_model):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    hostile_run(workspace_dir(token, tmp_path), two_class_model)
    app = entry_app(timeout=180)
    app.session_state["workspace_token"] = token
    app.run()
    open_page(app, "pages/training/own_classes.py")
    assert_plain(app)
    assert any(plain(RUN_NAME) in header.value for header in app.subheader)


def test_your_own_classes_shows_hostile_class_names_in_its_set_as_text(tmp_path, monkeypatch):
    from tests.test_own_classes_page import bar
    from ui.own_classes import data_set

    examples = data_set.empty_set()
    for name in CLASS_NAMES:
        data_set.add_class(examples, name)
    data_set.add_examples(examples, CLASS_NAMES[0], [bar(True, 0), bar(True, 1)])
    data_set.add_examples(examples, CLASS_NAMES[1], [bar(False, 0)])  # one: the page asks for a second, by name
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = entry_app(timeout=180)
    app.session_state[data_set.SET_KEY] = examples
    app.run()
    open_page(app, "pages/training/own_classes.py")
    assert_plain(app)
    shown = markdown_texts(app)
    assert any(plain(CLASS_NAMES[1]) in text and "second example" in text for text in shown)
    assert any(text.startswith(plain(CLASS_NAMES[0])) for text in shown)  # its grid's title
