"""Training processes seen from the browser: a killed child is a failed job, and two workers train as one job."""

import json
import os
import re
import signal

from lib.server.process_runner import training_children
from tests.browser import find_in_main, open_page, published_runs, set_number, visitor, workspace_cookie


def test_killing_the_training_process_fails_the_job_and_the_queue_moves_on(browser, app_page, streamlit_server,
                                                                           real_mnist_path):
    first = app_page
    open_page(first, "train")
    set_number(first, "Training images", 6000)
    set_number(first, "Epochs", 30)
    first.get_by_role("button", name="Train", exact=True).click()
    find_in_main(first, r"Epoch \d+/30, batch \d+/", timeout=120)

    with visitor(browser, first.app_url) as second:
        open_page(second, "train")
        set_number(second, "Training images", 600)
        set_number(second, "Epochs", 1)
        second.get_by_role("button", name="Train", exact=True).click()
        find_in_main(second, r"Waiting in the queue: place 1", timeout=60)

        (child,) = training_children(streamlit_server.process.pid)
        os.kill(child, signal.SIGKILL)
        find_in_main(first, r"Last run:\s*failed\.\s*Training failed: the training process was killed, most likely "
                            r"for lack of memory", timeout=60)
        find_in_main(second, r"Last run:\s*finished", timeout=180)  # the queued job started and finished
    # The killed run left nothing behind in its workspace: no half-written folder, no run with 30 epochs. (Only
    # that workspace's: other tests on this server publish runs of their own, 30 epochs long among them.)
    workspace = streamlit_server.runs_dir / "workspaces" / workspace_cookie(first)
    assert not list(workspace.glob(".*.partial"))
    assert not [path for path in published_runs(streamlit_server) if path.parent == workspace
                and json.loads((path / "config.json").read_text())["epochs"] == 30]


def test_two_worker_demonstration_shows_both_workers_and_writes_one_run(app_page, streamlit_server, real_mnist_path):
    page = app_page
    open_page(page, "scaling")
    before = set(published_runs(streamlit_server))
    page.get_by_role("button", name="Start the two-worker demonstration").click()
    find_in_main(page, r"worker 0 \(chief\)[\s\S]*worker 1", timeout=60)
    find_in_main(page, r"worker 0 \(chief\)\s*Epoch \d/3, batch \d+/\d+[\s\S]*worker 1\s*Epoch \d/3, batch", timeout=180)
    text = find_in_main(page, r"Last run:\s*\w+[^\n]*", timeout=300).group(0)
    assert "finished" in text, text
    new = [path for path in published_runs(streamlit_server) if path not in before]
    assert len(new) == 1
    config = json.loads((new[0] / "config.json").read_text())
    assert config["strategy"] == "multiworker" and config["name"] == "two-worker demonstration"
    assert json.loads((new[0] / "metrics.json").read_text())["replicas"] == 2
    assert re.search(r"Test accuracy", find_in_main(page, r"Test accuracy").group(0))
