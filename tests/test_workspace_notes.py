"""The workspace's notes at the top of the page, through AppTest: a malformed or adopted link, and jobs a restart lost."""

import json

from streamlit.testing.v1 import AppTest

from lib.runs.workspaces import new_token
from lib.server.job_journal import JOURNAL_FILE
from tests.conftest import entry_app
from ui import jobs as ui_jobs
from ui import workspace as ui_workspace


def open_app(tmp_path, monkeypatch, ws: str) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    ui_jobs.registry.clear()  # a new server: its registry reads the runs folder afresh
    app = entry_app(timeout=60)
    app.query_params["ws"] = ws
    app.run()
    assert not app.exception
    return app


def main_warnings(app: AppTest) -> list[str]:
    return [warning.value for warning in app.main.warning]


def test_a_malformed_workspace_link_is_noted_in_the_main_area_until_dismissed(tmp_path, monkeypatch):
    app = open_app(tmp_path, monkeypatch, "../../etc/passwd")
    assert any("was not a valid one" in text for text in main_warnings(app))
    app.run()  # any rerun, a slider moved say: the note is still there
    assert any("was not a valid one" in text for text in main_warnings(app))
    app.button(key="workspace_notes_dismiss").click().run()
    assert not any("was not a valid one" in text for text in main_warnings(app))


def test_a_good_private_link_is_adopted_with_a_note_and_no_warning_about_it(tmp_path, monkeypatch):
    app = open_app(tmp_path, monkeypatch, new_token())
    assert [text for text in main_warnings(app) if "now keeps the workspace of the private link" in text]
    assert not any("was not a valid one" in text for text in main_warnings(app))


def test_a_workspace_whose_job_a_restart_lost_is_told_once(tmp_path, monkeypatch):
    token = new_token()
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / JOURNAL_FILE).write_text(json.dumps(
        [{"server": "an-earlier-one", "owner": token, "name": "my big run", "status": "running"}]))
    app = open_app(tmp_path, monkeypatch, token)
    assert any("“my big run” (running) was lost when the server restarted" in text for text in main_warnings(app))
    app.button(key="workspace_notes_dismiss").click().run()
    assert not main_warnings(app)
    monkeypatch.setattr(ui_workspace, "browser_cookie", lambda: token)  # another tab of that browser, same server
    again = entry_app(timeout=60)
    again.run()
    assert again.session_state[ui_workspace.TOKEN_KEY] == token and not main_warnings(again)
