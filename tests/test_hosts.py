"""Which requests come from the machine the app runs on (server paths and shell commands are shown only to them)."""

import pytest

from lib.server.hosts import is_local_host
from tests.conftest import entry_app


@pytest.mark.parametrize("host", ["localhost:8501", "LOCALHOST", "127.0.0.1:8501", "127.0.1.1", "[::1]:8501",
                                  "http://localhost:8501/train", "https://127.0.0.1/", "app.localhost:8501"])
def test_loopback_hosts_and_urls_are_local(host):
    assert is_local_host(host)


@pytest.mark.parametrize("host", ["cnn-lab.streamlit.app", "https://cnn-lab.streamlit.app/train", "10.0.0.5:8501",
                                  "192.168.1.20", "[2001:db8::1]:8501", "localhost.example.com",
                                  "notlocalhost:8501", "", None, "[::1"])
def test_other_hosts_unknown_and_malformed_ones_are_not_local(host):
    assert not is_local_host(host)


def test_a_forwarded_host_list_is_judged_by_the_visitors_host_its_first_entry():
    assert not is_local_host("cnn-lab.example.org, localhost:8501")
    assert is_local_host("localhost:8501, proxy.internal")


@pytest.mark.parametrize("url, shows_path", [("http://localhost:8501/train", True),
                                             ("https://cnn-lab.streamlit.app/train", False)])
def test_the_train_page_names_the_server_folder_only_to_a_visitor_at_the_server(url, shows_path, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(runs))
    app = entry_app(timeout=120)
    app.context["url"] = url
    app.run()
    app.switch_page("pages/training/train.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    captions = " ".join(caption.value for caption in app.caption)
    assert "Your runs are saved in your workspace" in captions
    assert (str(runs) in captions) is shows_path
    assert app.session_state["workspace_token"] not in captions, "the token is shown by the private link only"
