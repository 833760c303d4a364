"""A shared run's read-only link (?run=<id> on History): it opens the run for anyone, gives nothing to change,
never carries a workspace token, and shows nothing that is not shared."""

from streamlit.testing.v1 import AppTest

from lib.engine.config import TrainingConfig
from lib.runs.workspaces import new_token, set_shared, workspace_dir
from tests.conftest import ROOT
from tests.test_history_page import write_workspace_run
from ui import run_links

RUN_ID = "20261202-002241-84378b"


def history_with_link(tmp_path, monkeypatch, token: str, run_id: str) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/training/history.py")
    app.query_params[run_links.PARAM] = run_id
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def owners_shared_run(tmp_path) -> str:
    owner = new_token()
    write_workspace_run(tmp_path / "runs", owner, TrainingConfig(name="teacher's adam", optimizer="adam", epochs=2),
                        RUN_ID)
    set_shared(workspace_dir(owner, tmp_path / "runs") / RUN_ID, True)
    return owner


def test_a_shared_runs_link_opens_it_for_another_visitor_with_nothing_to_change(tmp_path, monkeypatch):
    owner = owners_shared_run(tmp_path)
    app = history_with_link(tmp_path, monkeypatch, new_token(), RUN_ID)
    assert app.multiselect(key="history_selected").value == [f"shared/{RUN_ID}"]
    assert run_links.PARAM not in app.query_params, "the link is read once and leaves the address"
    keys = {getattr(widget, "key", None) for widget in app.button}
    assert not [key for key in keys if key and RUN_ID in key], "no Share, Rename or Delete of the owner's run"
    assert "Share your runs" not in [subheader.value for subheader in app.subheader]
    assert owner not in str(app.query_params) and owner not in "".join(code.value for code in app.code)


def test_an_unshared_runs_link_shows_it_to_nobody_but_says_so(tmp_path, monkeypatch):
    owner = owners_shared_run(tmp_path)
    set_shared(workspace_dir(owner, tmp_path / "runs") / RUN_ID, False)
    app = history_with_link(tmp_path, monkeypatch, new_token(), RUN_ID)
    assert f"shared/{RUN_ID}" not in app.multiselect(key="history_selected").options
    assert any(f"The linked run {RUN_ID} is not shared on this server." in str(element.value)
               for element in [*app.warning, *app.info, *app.caption, *app.markdown])


def test_a_link_that_is_not_a_run_id_is_ignored(tmp_path, monkeypatch):
    owners_shared_run(tmp_path)
    for given in ("../../etc/passwd", ".hidden", "x" * 10_000):
        app = history_with_link(tmp_path, monkeypatch, new_token(), given)
        assert run_links.PARAM not in app.query_params
        assert not app.multiselect(key="history_selected").value or all(
            not key.startswith("shared/") for key in app.multiselect(key="history_selected").value)


def test_the_owner_gets_the_link_of_a_shared_run_and_it_holds_no_token(tmp_path, monkeypatch):
    owner = owners_shared_run(tmp_path)
    write_workspace_run(tmp_path / "runs", owner, TrainingConfig(name="private", epochs=2), "20261202-002242-aaaaaa")
    app = history_with_link(tmp_path, monkeypatch, owner, RUN_ID)
    links = [code.value for code in app.code if f"?{run_links.PARAM}=" in code.value]
    assert links == [f"?{run_links.PARAM}={RUN_ID}"], "one link, for the shared run only (AppTest has no page URL)"
    assert owner not in links[0]
