"""Training from the browser with CNN_LAB_RAY_ADDRESS set: Quick look trains on a local Ray cluster and its run is
on History, as with the local backend."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser import StreamlitServer, find_in_main, open_page, set_number, visitor, wait_idle, warm_up, widget


@pytest.fixture(scope="module")
def ray_server(tmp_path_factory, ray_cluster):
    """An app server whose jobs go to the session's local Ray cluster."""
    workdir = tmp_path_factory.mktemp("ray-server")
    env = {**os.environ, "CNN_LAB_RUNS_DIR": str(workdir / "runs"), "PYTHONUNBUFFERED": "1",
           "CNN_LAB_RAY_ADDRESS": ray_cluster.address}
    server = StreamlitServer(env, workdir / "streamlit.log")
    server.runs_dir = workdir / "runs"
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.mark.xdist_group("ray")  # with the other files' Ray tests: one cluster (tests/test_job_backends.py)
def test_quick_look_trains_on_the_ray_cluster_and_its_run_is_on_history(browser, ray_server, real_mnist_path):
    warm_up(browser, ray_server)
    with visitor(browser, ray_server.url) as page:
        open_page(page, "train")  # a new workspace starts from Quick look: Adam, batch 128
        set_number(page, "Training images", 600)
        set_number(page, "Epochs", 1)
        page.get_by_role("button", name="Train", exact=True).click()
        find_in_main(page, r"Last run:\s*finished", timeout=300)
        wait_idle(page)
        page.get_by_role("button", name="Compare it on the History page").click()
        page.wait_for_selector('[data-testid="stMain"] h1:has-text("Training history")', timeout=60_000)
        wait_idle(page)
        expect(widget(page, "stMultiSelect", "Runs to compare")).to_contain_text(
            "my runs/adam lr 0.001, 1 epoch on 600 images")
    # The run came back from the cluster's worker and was published in the visitor's workspace.
    (run,) = (ray_server.runs_dir / "workspaces").glob("*/*/model.keras")
    assert (run.parent / "history.csv").is_file()
