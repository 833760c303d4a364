"""The Class board page through AppTest: create, open by link, join, hand in, withdraw, teacher controls, refusals.

Each visitor is an AppTest of its own with its workspace token set in its session; runs are written straight
into their workspaces (tests/run_folders.py), so nothing here trains.
"""

import pytest
from streamlit.testing.v1 import AppTest

from lib.plain_text import plain
from lib.runs.class_rights import close_class, create_class, hand_in, join_class
from lib.runs.classes import load_class
from lib.runs.workspaces import new_token, workspace_dir
from tests.conftest import ROOT
from tests.run_folders import make_run
from ui.class_board import OPEN_KEY, board_link, clock_time
from ui.workspace import TOKEN_KEY

PAGE = "pages/training/class_board.py"
CURVE = [{"epoch": 1, "accuracy": 0.9, "val_accuracy": 0.93}, {"epoch": 2, "accuracy": 0.95, "val_accuracy": 0.96}]


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def visit(token: str, code: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.session_state[TOKEN_KEY] = token
    app.run()
    app.switch_page(PAGE)
    if code is not None:
        app.query_params["class"] = code
    app.run()
    assert_fine(app)
    return app


def assert_fine(app: AppTest) -> None:
    assert not app.exception, [exception.message for exception in app.exception]


def texts(app: AppTest) -> str:
    return "\n".join([item.value for item in [*app.markdown, *app.caption, *app.subheader, *app.error, *app.success,
                                              *app.warning]])


def finished_run(root, token, run_id, name):
    make_run(workspace_dir(token, root), run_id, name=name, history=CURVE)
    return run_id


def test_a_teacher_creates_a_class_and_gets_its_code_and_link(root):
    teacher = new_token()
    app = visit(teacher)
    app.text_input(key="board_title").input("Period 3")
    app.button(key="board_create").click()
    app.run()
    assert_fine(app)
    code = app.query_params["class"][0] if isinstance(app.query_params["class"], list) else app.query_params["class"]
    assert load_class(code, root).role(teacher) == "teacher"
    assert f"class_board?class={code}" in app.code[0].value
    assert "You are this class's teacher." in texts(app) and "Open." in texts(app)
    assert "0 students have joined; no run has been handed in yet." in texts(app)  # the count, said once
    assert "0 students." not in texts(app)
    assert "No run has been handed in yet." in texts(app)  # the teacher's controls have nothing to remove
    assert teacher not in app.code[0].value


def test_an_empty_title_is_refused_in_one_line(root):
    app = visit(new_token())
    app.button(key="board_create").click()
    app.run()
    assert_fine(app)
    assert [error.value for error in app.error] == ["The class title is empty: type one."]


def test_the_link_opens_the_class_and_a_student_joins_and_hands_in(root):
    code = create_class(new_token(), "Period 3", root=root).code
    ann = new_token()
    finished_run(root, ann, "20260101-000000-a-abc123", "ann's adam")
    app = visit(ann, code)
    assert f"Period 3 · code {code}" in texts(app) and "You have not joined this class." in texts(app)
    app.text_input(key="board_name").input("Ann")
    app.button(key="board_join").click()
    app.run()
    assert "You are in this class as Ann." in texts(app)
    assert app.selectbox(key="board_run").options == ["ann's adam, final val accuracy 96.00%"]
    app.button(key="board_hand_in").click()
    app.run()
    assert_fine(app)
    assert "1 run from 1 student. The best final validation accuracy is 96.00%" in texts(app)
    assert app.dataframe[0].value["student"].tolist() == ["Ann"]
    assert len(app.get("plotly_chart")) == 2


def test_a_member_without_finished_runs_is_sent_to_the_train_page(root):
    code = create_class(new_token(), "Period 3", root=root).code
    join_class(code, token := new_token(), "Ann", root=root)
    make_run(workspace_dir(token, root), "20260101-000000-f-abc123", status="failed")
    app = visit(token, code)
    assert "None of your finished MNIST runs is left to hand in" in texts(app)
    assert not [box for box in app.selectbox if box.key == "board_run"]


def picker(app, label: str):
    """The select box with this label (its key follows the entries it offers: ui.class_board.entries_key)."""
    (box,) = [box for box in app.selectbox if box.label == label]
    return box


def test_a_student_withdraws_only_their_own_run_and_has_no_teacher_controls(root):
    code = create_class(new_token(), "Period 3", root=root).code
    ann, bob = new_token(), new_token()
    for token, name in ((ann, "Ann"), (bob, "Bob")):
        join_class(code, token, name, root=root)
        hand_in(code, token, finished_run(root, token, f"20260101-000000-{name}-abc123", f"{name}'s run"), root=root)
    app = visit(bob, code)
    assert picker(app, "Your run to withdraw").options == ["Bob's run"]
    assert not [widget for widget in [*app.button, *app.selectbox] if widget.key in ("board_remove", "board_close")]
    app.button(key="board_withdraw").click()
    app.run()
    assert_fine(app)
    assert [entry["name"] for entry in load_class(code, root).entries] == ["Ann"]


def test_the_teacher_removes_any_run_and_closes_the_class(root):
    code = create_class(teacher := new_token(), "Period 3", root=root).code
    for name in ("Ann", "Bob"):
        token = new_token()
        join_class(code, token, name, root=root)
        hand_in(code, token, finished_run(root, token, f"20260101-000000-{name}-abc123", f"{name}'s run"), root=root)
    app = visit(teacher, code)
    assert picker(app, "Run to remove from the board").options == ["Ann: Ann's run", "Bob: Bob's run"]
    anns = next(entry for entry in load_class(code, root).entries if entry["name"] == "Ann")
    picker(app, "Run to remove from the board").set_value(anns["id"])
    app.button(key="board_remove").click()
    app.run()
    assert [entry["name"] for entry in load_class(code, root).entries] == ["Bob"]
    app.checkbox(key="board_close_confirm").check()
    app.run()
    app.button(key="board_close").click()
    app.run()
    assert_fine(app)
    assert load_class(code, root).closed and "Closed: the board can be read, not changed." in texts(app)


def test_a_closed_class_offers_no_join_form(root):
    teacher = new_token()
    code = create_class(teacher, "Period 3", root=root).code
    close_class(code, teacher, root=root)
    app = visit(new_token(), code)
    assert not [field for field in app.text_input if field.key == "board_name"]


@pytest.mark.parametrize("code, message", [("../../etc", "not a valid one"), ("234567", "no class with the code")])
def test_a_bad_or_unknown_code_in_the_address_says_so_and_shows_the_forms(root, code, message):
    app = visit(new_token(), code)
    assert message in texts(app)
    assert [button.key for button in app.button if button.key in ("board_create", "board_open")] == \
        ["board_create", "board_open"]


def test_a_hostile_display_name_is_shown_as_text(root):
    code = create_class(new_token(), "Period 3", root=root).code
    token = new_token()
    join_class(code, token, "**x** ![p](http://h/p.png)", root=root)
    hand_in(code, token, finished_run(root, token, "20260101-000000-x-abc123", "[link](http://h)"), root=root)
    app = visit(token, code)
    shown = texts(app)
    assert "**x**" not in shown and "](http" not in shown and "\\*\\*x\\*\\*" in shown


def hand_in_under_a_run():
    """The Train page's finished-run view, reduced to the button under it (AppTest.from_function runs this alone)."""
    from pathlib import Path

    import streamlit as st

    from lib.runs.store import load_run
    from ui.class_board import hand_in_button

    hand_in_button(load_run(Path(st.session_state["test_run_path"])), st.session_state["test_token"])


def test_a_finished_run_is_handed_in_from_under_it_once_this_session_opened_a_class(root):
    code = create_class(new_token(), "Period 3", root=root).code
    join_class(code, token := new_token(), "Ann", root=root)
    path = workspace_dir(token, root) / finished_run(root, token, "20260101-000000-a-abc123", "ann's adam")
    app = AppTest.from_function(hand_in_under_a_run, default_timeout=60)
    app.session_state["test_run_path"], app.session_state["test_token"] = str(path), token
    app.run()
    assert not app.button, "no class opened in this session: no button"
    app.session_state[OPEN_KEY] = code
    app.run()
    app.button(key="train_hand_in").click()
    app.run()
    assert_fine(app)
    assert [success.value for success in app.success] == [f"The run is on the board of class {code}."]
    assert [entry["run_name"] for entry in load_class(code, root).entries] == ["ann's adam"]
    app.button(key="train_hand_in").click()
    app.run()
    assert [error.value for error in app.error] == ["You have already handed in this run."]


@pytest.mark.parametrize("app_url", ["http://host:8501", "http://host:8501/", "http://host:8501/class_board",
                                     "http://host:8501/class_board?class=ZZZZZZ"])
def test_the_board_link_names_the_page_once_whatever_address_the_app_reports(app_url):
    assert board_link(app_url, "ABC234") == "http://host:8501/class_board?class=ABC234"


def test_the_board_link_keeps_a_path_the_app_is_served_under():
    assert board_link("https://school.example/cnn/class_board", "ABC234") == \
        "https://school.example/cnn/class_board?class=ABC234"
    assert board_link(None, "ABC234") == "/class_board?class=ABC234"


def test_the_board_link_is_the_address_navigation_gives_the_page():
    from lib.server.navigation import page_by_url_path

    assert page_by_url_path(board_link(None, "ABC234").split("?")[0].strip("/")).path == PAGE


def test_a_typed_code_opens_the_class_and_a_bad_one_is_refused_in_one_line(root):
    code = create_class(new_token(), "Period 3", root=root).code
    app = visit(new_token())
    app.text_input(key="board_code").input("0OIl1")
    app.button(key="board_open").click()
    app.run()
    assert [error.value for error in app.error] == [plain("A class code is 6 letters and digits (never 0, O, 1 or I); "
                                                          "'0OIl1' is not one.")]
    app.text_input(key="board_code").input(f"{code[:3].lower()}-{code[3:]}")
    app.button(key="board_open").click()
    app.run()
    assert_fine(app)
    assert f"Period 3 · code {code}" in texts(app)


def test_a_run_whose_last_epoch_has_no_validation_is_offered_with_its_last_measured_accuracy(root):
    code = create_class(new_token(), "Period 3", root=root).code
    join_class(code, token := new_token(), "Ann", root=root)
    make_run(workspace_dir(token, root), "20260101-000000-a-abc123", name="cut short",
             history=[*CURVE, {"epoch": 3, "accuracy": 0.97}])
    app = visit(token, code)
    assert app.selectbox(key="board_run").options == ["cut short, final val accuracy 96.00%"]


def test_the_handed_in_time_is_the_readers_clock_and_utc_said_so_when_the_browser_gave_none():
    handed_in = 1_796_644_800.0  # 2026-12-07 12:00:00 UTC
    assert clock_time(handed_in, "Asia/Seoul") == "21:00:00"  # UTC+9, no daylight saving
    assert clock_time(handed_in, "America/New_York") == "07:00:00"  # EST in December
    for unknown in (None, "", "Mars/Olympus_Mons", "../../etc/passwd"):
        assert clock_time(handed_in, unknown) == "12:00:00 UTC", unknown
