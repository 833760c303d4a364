"""A class in three browsers: a teacher creates it, two students join and hand in runs, the board shows both, a
student cannot take the other's run off the board, and the teacher can.

The students' runs are written straight into their workspaces (tests/run_folders.py) and each student's browser
opens the class's link with its workspace's own `?ws=` link, so nothing trains here.
"""

import re

from lib.runs.classes import load_class
from lib.runs.workspaces import new_token, workspace_dir
from tests.browser import find_in_main, main_text, open_page, pick_option, visitor, wait_idle, widget
from tests.run_folders import make_run
from tests.test_browser_layout import CUT_LABELS_JS, OVERFLOW_JS, PICTURES, PICTURES_JS, VIEWPORT, overlapping_pairs


def student_run(runs_dir, name: str, final: float) -> str:
    """A new workspace holding one finished run named "<name>'s run"; its token."""
    token = new_token()
    history = [{"epoch": 1, "accuracy": 0.9, "val_accuracy": final - 0.01},
               {"epoch": 2, "accuracy": 0.95, "val_accuracy": final}]
    make_run(workspace_dir(token, runs_dir), f"20260101-000000-{name.lower()}-abc123", name=f"{name}'s run",
             history=history)
    return token


def join_and_hand_in(page, code: str, token: str, name: str) -> None:
    open_page(page, f"class_board?class={code}&ws={token}")
    find_in_main(page, "You have not joined this class.")
    page.get_by_label("Your display name in this class").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    wait_idle(page)
    find_in_main(page, f"You are in this class as {name}.")
    picker = widget(page, "stSelectbox", "Your finished run to hand in")
    assert f"{name}'s run" in picker.inner_text() + picker.locator("input").input_value()
    page.get_by_role("button", name="Hand in", exact=True).click()
    wait_idle(page)
    find_in_main(page, "Your run is on the board.")


def test_a_class_board_from_three_browsers(browser, app_page, streamlit_server):
    teacher = app_page
    teacher.set_viewport_size(VIEWPORT)  # projected
    open_page(teacher, "class_board")
    teacher.get_by_label("Class title").fill("Period 3")
    teacher.get_by_role("button", name="Create the class").click()
    wait_idle(teacher)
    code = re.search(r"[?&]class=([A-Z0-9]{6})", teacher.url).group(1)
    find_in_main(teacher, f"Period 3 · code {code}")
    assert f"/class_board?class={code}" in teacher.locator('[data-testid="stMain"] [data-testid="stCode"]').inner_text()

    runs = streamlit_server.runs_dir
    ann_token, bob_token = student_run(runs, "Ann", 0.97), student_run(runs, "Bob", 0.95)
    with visitor(browser, teacher.app_url) as ann, visitor(browser, teacher.app_url) as bob:
        join_and_hand_in(ann, code, ann_token, "Ann")
        join_and_hand_in(bob, code, bob_token, "Bob")

        # A student can withdraw only their own run: no teacher controls, and Ann's run is not offered to Bob.
        # (Read first, while the teacher's board waits for its next redraw, every few seconds.)
        find_in_main(bob, "2 runs from 2 students")
        assert "Teacher controls" not in main_text(bob)
        assert bob.get_by_role("button", name="Remove from the board").count() == 0
        withdraw = widget(bob, "stSelectbox", "Your run to withdraw")
        withdraw.click()
        assert bob.get_by_role("option").all_inner_texts() == ["Bob's run"]
        bob.keyboard.press("Escape")

        # The teacher's board picks both runs up by itself, as they arrive.
        find_in_main(teacher, r"2 runs from 2 students\. The best final validation accuracy is 97\.00%: "
                              r"Ann's run by Ann \(adam\)\.")
        find_in_main(teacher, r"2 students\. Open\.")  # the count is read with the board, not left at 0
        board = teacher.locator('[data-testid="stDataFrame"]')
        board.first.wait_for()  # the table and charts are drawn a moment after the sentence above them
        teacher.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for()
        assert board.count() == 1 and teacher.locator('[data-testid="stPlotlyChart"]').count() == 2
        # At a projector's 1280 x 720 the full board passes the layout suite's checks: nothing runs off the right
        # edge, no chart covers another, no label loses its end; the table and the accuracy chart share a row.
        teacher.wait_for_timeout(500)  # Plotly settles its size after the run ends
        assert not [width for width in teacher.evaluate(OVERFLOW_JS) if width["scroll"] > width["client"] + 1]
        assert not overlapping_pairs(teacher.evaluate(PICTURES_JS, PICTURES))
        assert not teacher.evaluate(CUT_LABELS_JS)
        table_box, chart_box = board.bounding_box(), teacher.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
        assert abs(table_box["y"] - chart_box["y"]) < 40 and table_box["x"] + table_box["width"] <= chart_box["x"]

        # The teacher can take Ann's run off; both students' boards follow.
        teacher.get_by_text("Teacher controls").click()
        pick_option(teacher, "Run to remove from the board", "Ann: Ann's run")
        teacher.get_by_role("button", name="Remove from the board").click()
        wait_idle(teacher)
        find_in_main(teacher, r"1 run from 1 student\. The best final validation accuracy is 95\.00%: Bob's run by Bob")
        find_in_main(ann, r"1 run from 1 student\.")
        find_in_main(bob, r"1 run from 1 student\.")
        assert [entry["name"] for entry in load_class(code, runs).entries] == ["Bob"]
        assert ann_token not in teacher.url and bob_token not in teacher.url
