"""The workspace token lives in a cookie, never in the address: first visits, cookies, private links, garbage.

Through AppTest, which cannot send cookies: `ui.workspace.browser_cookie` (what Streamlit read from the
browser's request) is replaced per test. The cookie script's own choices are run in Node against a fake
document, the same script the sidebar draws; tests/test_browser_sharing.py runs it in Chromium.
"""

import json
import shutil
import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from lib.runs.workspaces import new_token, workspace_dir
from tests.conftest import ROOT
from ui import jobs as ui_jobs
from ui import workspace as ui_workspace

GARBAGE = ["../../etc/passwd", "A" * 32, "0" * 31, "0" * 33, "g" * 32, "x" * 10_000, "", f"{'0' * 32};admin=1"]


def open_app(tmp_path, monkeypatch, cookie: str | None = None, link: str | None = None) -> AppTest:
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setattr(ui_workspace, "browser_cookie", lambda: cookie)
    ui_jobs.registry.clear()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    if link is not None:
        app.query_params[ui_workspace.PARAM] = link
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def token_of(app: AppTest) -> str:
    return app.session_state[ui_workspace.TOKEN_KEY]


def cookie_scripts(app: AppTest) -> list[str]:
    return [html.proto.body for html in app.get("html") if ui_workspace.COOKIE in html.proto.body]


def elements(node):
    """Every element under an AppTest block, at any depth."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from elements(child)


def shown_text(app: AppTest) -> str:
    """All that the page sends to be shown, main area and sidebar, as the elements' messages (the cookie's script
    excepted: it is run, not shown)."""
    return "\n".join(str(getattr(element, "proto", "")) for block in (app.main, app.sidebar)
                     for element in elements(block) if type(element).__name__ != "Html")


def test_a_first_visit_makes_a_token_and_keeps_it_in_a_cookie_not_in_the_address(tmp_path, monkeypatch):
    app = open_app(tmp_path, monkeypatch)
    token = token_of(app)
    assert ui_workspace.valid_token(token) and app.session_state[ui_workspace.SOURCE_KEY] == "new"
    assert ui_workspace.PARAM not in app.query_params
    [script] = cookie_scripts(app)
    values = json.loads(script.split("const v = ", 1)[1].split(";\n", 1)[0])
    assert values["token"] == token and values["source"] == "new" and values["fresh"] is True
    app.run()
    assert token_of(app) == token and ui_workspace.PARAM not in app.query_params


def test_a_browser_with_the_cookie_keeps_its_workspace_without_a_note(tmp_path, monkeypatch):
    token = new_token()
    app = open_app(tmp_path, monkeypatch, cookie=token)
    assert token_of(app) == token and app.session_state[ui_workspace.SOURCE_KEY] == "cookie"
    assert not app.main.warning and ui_workspace.PARAM not in app.query_params


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_a_garbage_cookie_is_never_used_and_is_replaced_by_a_fresh_token(tmp_path, monkeypatch, garbage):
    app = open_app(tmp_path, monkeypatch, cookie=garbage)
    token = token_of(app)
    assert token != garbage and ui_workspace.valid_token(token) and app.session_state[ui_workspace.SOURCE_KEY] == "new"
    assert f'"token": "{token}"' in cookie_scripts(app)[0]
    assert not (tmp_path / "runs" / "workspaces").exists() or not any(
        garbage and garbage in path.name for path in (tmp_path / "runs" / "workspaces").iterdir())


def test_an_old_ws_link_is_adopted_once_and_taken_out_of_the_address(tmp_path, monkeypatch):
    token = new_token()
    app = open_app(tmp_path, monkeypatch, link=token)
    assert token_of(app) == token and app.session_state[ui_workspace.SOURCE_KEY] == "link"
    assert ui_workspace.PARAM not in app.query_params, "the token leaves the address on the first run"
    assert f'"token": "{token}"' in cookie_scripts(app)[0] and '"source": "link"' in cookie_scripts(app)[0]
    assert any("now keeps the workspace of the private link" in warning.value for warning in app.main.warning)
    assert not any("had before" in warning.value for warning in app.main.warning)  # the browser had none
    app.switch_page("pages/training/history.py").run()
    assert token_of(app) == token and ui_workspace.PARAM not in app.query_params


def test_a_link_to_another_workspace_says_the_one_this_browser_had_needs_its_own_link(tmp_path, monkeypatch):
    mine, theirs = new_token(), new_token()
    app = open_app(tmp_path, monkeypatch, cookie=mine, link=theirs)
    assert token_of(app) == theirs
    assert any("had before is reachable only through its own private link" in warning.value
               for warning in app.main.warning)


def test_a_link_to_the_browsers_own_workspace_changes_nothing(tmp_path, monkeypatch):
    token = new_token()
    app = open_app(tmp_path, monkeypatch, cookie=token)
    app.query_params[ui_workspace.PARAM] = token  # a bookmark of the old kind, opened in the same session
    app.run()
    assert token_of(app) == token and ui_workspace.PARAM not in app.query_params and not app.main.warning


def test_an_old_bookmark_of_the_browsers_own_workspace_is_taken_out_of_the_address_without_a_note(tmp_path,
                                                                                                   monkeypatch):
    token = new_token()
    app = open_app(tmp_path, monkeypatch, cookie=token, link=token)
    assert token_of(app) == token and ui_workspace.PARAM not in app.query_params and not app.main.warning


def test_a_malformed_link_keeps_the_browsers_own_workspace_and_says_so(tmp_path, monkeypatch):
    token = new_token()
    app = open_app(tmp_path, monkeypatch, cookie=token, link="../../etc/passwd")
    assert token_of(app) == token and ui_workspace.PARAM not in app.query_params
    assert any("was not a valid one" in warning.value for warning in app.main.warning)


def test_the_token_is_shown_only_by_the_private_link_when_asked_for(tmp_path, monkeypatch):
    app = open_app(tmp_path, monkeypatch)
    token = token_of(app)
    for path in ("pages/training/history.py", "pages/training/own_classes.py", "pages/training/train.py"):
        app.switch_page(path).run()
        assert not app.exception and token not in shown_text(app), path
    app.button(key="workspace_private_link").click().run()
    assert token in shown_text(app)
    [link] = [code.value for code in app.code if token in code.value]
    assert link.endswith(f"?{ui_workspace.PARAM}={token}")
    assert any("can change, share and delete your runs" in warning.value for warning in app.sidebar.warning)
    assert app.button(key="workspace_private_link").label == "Hide my private link"
    app.button(key="workspace_private_link").click().run()
    assert token not in shown_text(app)


# --- the cookie script, run in Node against a fake document -------------------------------------------------

NODE = shutil.which("node")
HARNESS = """
const [script, cookie, stored, later, recheck] = process.argv.slice(1);
let jar = cookie, written = null, reloaded = false;
const storage = stored ? {[stored]: "joined"} : {};
global.sessionStorage = {getItem: key => storage[key] ?? null, setItem: (key, value) => { storage[key] = value; }};
global.location = {protocol: "http:", reload: () => { reloaded = true; }};
global.document = {get cookie() { return jar; }, set cookie(value) { written = value; jar = value.split(";")[0]; }};
eval(script.replace(/^<script>/, "").replace(/<\\/script>$/, ""));
if (later) jar = later;  // another tab of the browser writes its cookie just after this one's script ran
setTimeout(() => console.log(JSON.stringify({written, reloaded})), Number(recheck) + 200);
"""


def run_script(token: str, source: str, fresh: bool, cookie: str, joined_before: bool = False,
               later: str = "") -> dict:
    """What the script wrote and whether it reloaded the tab, once its re-check has run; `later` is the cookie
    another tab writes right after this script ran."""
    if NODE is None:
        pytest.skip("needs Node.js to run the cookie script outside a browser")
    script = ui_workspace.cookie_script(token, source, fresh)
    stored = ui_workspace.COOKIE if joined_before else ""
    result = subprocess.run([NODE, "-e", HARNESS, script, cookie, stored, later, str(ui_workspace.COOKIE_RECHECK_MS)],
                            capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


def test_the_script_writes_the_cookie_on_a_first_visit_for_400_days_on_the_whole_site():
    token = new_token()
    result = run_script(token, "new", True, "")
    assert result["written"].startswith(f"{ui_workspace.COOKIE}={token}; path=/; max-age={400 * 86400}")
    assert "SameSite=Lax" in result["written"] and not result["reloaded"]


def test_the_script_replaces_a_garbage_cookie():
    token = new_token()
    result = run_script(token, "new", True, f"other=1; {ui_workspace.COOKIE}=../../etc")
    assert result["written"].startswith(f"{ui_workspace.COOKIE}={token};")


def test_a_fresh_tab_finding_another_tabs_workspace_in_the_cookie_reloads_to_join_it():
    result = run_script(new_token(), "new", True, f"{ui_workspace.COOKIE}={new_token()}")
    assert result == {"written": None, "reloaded": True}


def test_of_two_tabs_that_both_found_no_cookie_the_one_overwritten_joins_the_other():
    token, other = new_token(), new_token()
    overwritten = run_script(token, "new", True, "", later=f"{ui_workspace.COOKIE}={other}")
    assert overwritten["written"].startswith(f"{ui_workspace.COOKIE}={token};") and overwritten["reloaded"]
    kept = run_script(other, "new", True, "")  # the tab that wrote last finds its own token and stays
    assert not kept["reloaded"]
    held = run_script(token, "new", False, "", later=f"{ui_workspace.COOKIE}={other}")  # it saved something meanwhile
    assert not held["reloaded"]
    once = run_script(token, "new", True, "", joined_before=True, later=f"{ui_workspace.COOKIE}={other}")
    assert not once["reloaded"]


def test_a_tab_that_reloaded_to_join_once_does_not_reload_again():
    result = run_script(new_token(), "new", True, f"{ui_workspace.COOKIE}={new_token()}", joined_before=True)
    assert result == {"written": None, "reloaded": False}


def test_a_tab_whose_new_workspace_already_holds_something_keeps_it_and_leaves_the_cookie():
    result = run_script(new_token(), "new", False, f"{ui_workspace.COOKIE}={new_token()}")
    assert result == {"written": None, "reloaded": False}


def test_an_older_tab_leaves_the_cookie_a_newer_private_link_wrote():
    result = run_script(new_token(), "cookie", False, f"{ui_workspace.COOKIE}={new_token()}")
    assert result == {"written": None, "reloaded": False}


def test_a_private_link_overwrites_the_cookie_of_the_workspace_the_browser_had():
    token = new_token()
    result = run_script(token, "link", False, f"{ui_workspace.COOKIE}={new_token()}")
    assert result["written"].startswith(f"{ui_workspace.COOKIE}={token};") and not result["reloaded"]


def test_a_new_workspace_stops_being_fresh_once_it_holds_something_on_disk(tmp_path, monkeypatch):
    app = open_app(tmp_path, monkeypatch)
    assert '"fresh": true' in cookie_scripts(app)[0]
    workspace_dir(token_of(app), tmp_path / "runs").mkdir(parents=True)  # a run or a drawing was kept
    app.run()
    assert '"fresh": false' in cookie_scripts(app)[0]


def test_a_command_shown_at_the_server_names_the_workspace_folder_as_a_glob_not_its_token(tmp_path):
    token = new_token()
    run = workspace_dir(token, tmp_path / "a runs") / "20261207-000000-abcdef" / "tb"
    shown = ui_workspace.shell_path(run)
    assert token not in shown and shown == f"'{tmp_path}/a runs/workspaces'/*/20261207-000000-abcdef/tb"
    run.mkdir(parents=True)
    found = subprocess.run(["bash", "-c", f"ls -d {shown}"], capture_output=True, text=True, check=True).stdout
    assert found.strip() == str(run), "the shell finds the same folder"
