"""Training from the browser: live curves, leaving and coming back, Stop keeping a partial run."""

import json
import math
import re

from playwright.sync_api import expect

from tests.browser import (
    ACTION_TIMEOUT_MS,
    eventually,
    find_in_main,
    go_to_page,
    main_text,
    open_page,
    published_runs,
    set_number,
    visitor,
    wait_idle,
    wait_until,
    widget,
    workspace_cookie,
)
from tests.browser_runs import record_matches, recorded_matches

# Enough images that an epoch lasts a second or two and 60 of them outlast the test; few enough that the test
# does not wait long for whole epochs (30,000 images at batch 32 are 938 batches an epoch).
IMAGES, BATCH = 6000, 32
POINTS_CAPTION = r"Epochs done\s*\d+/10[\s\S]*?\d+ points so far"


def epochs_done(page) -> int:
    return int(find_in_main(page, r"Epochs done\s*(\d+)/60").group(1))


def test_training_runs_live_survives_leaving_the_page_and_stop_keeps_the_run(app_page, streamlit_server,
                                                                              real_mnist_path):
    page = app_page
    open_page(page, "train")
    set_number(page, "Batch size", BATCH)
    set_number(page, "Training images", IMAGES)
    set_number(page, "Epochs", 60)
    page.get_by_role("button", name="Train", exact=True).click()

    find_in_main(page, rf"Epoch \d+/60, batch \d+/{math.ceil(IMAGES / BATCH)}\b", timeout=90)
    find_in_main(page, r"Epochs done\s*[1-9]/60", timeout=120)
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    first_count = epochs_done(page)
    # The curves grow epoch by epoch (an epoch may pass between two reads: more, not exactly one more).
    assert eventually(page, lambda: epochs_done(page), lambda done: done > first_count, timeout=120) > first_count

    go_to_page(page, "Pooling")
    sidebar = page.locator('[data-testid="stSidebar"]')
    wait_until(page, "() => document.querySelector('[data-testid=stSidebar]').innerText.includes('Training: epoch')")
    assert "Training: epoch" in sidebar.inner_text()
    before_return = epochs_done_from_sidebar(sidebar.inner_text())

    go_to_page(page, "Train LeNet-5")
    find_in_main(page, r"Epochs done\s*\d+/60")
    assert epochs_done(page) >= before_return - 1
    page.get_by_role("button", name=re.compile("Stop")).wait_for(state="visible", timeout=ACTION_TIMEOUT_MS)

    page.get_by_role("button", name=re.compile("Stop")).click()
    find_in_main(page, r"Last run:\s*stopped", timeout=120)
    wait_idle(page)
    # The result view draws piece by piece: wait for the download button rather than sampling once.
    page.get_by_role("button", name="Download this run (.zip)").wait_for(state="visible", timeout=ACTION_TIMEOUT_MS)

    # Other browser tests share this server's runs folder: this test's run is the one in its workspace.
    token = workspace_cookie(page)
    (run,) = [path for path in published_runs(streamlit_server) if path.parent.name == token]
    assert json.loads((run / "config.json").read_text())["epochs"] == 60
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["status"] == "stopped" and 2 <= metrics["epochs_completed"] < 60
    assert (run / "model.keras").exists()


# The same, in the page: whether the recorded captions (`seen`) show the points growing within one epoch.
GREW_WITHIN_AN_EPOCH = """((seen) => {
    const readings = seen.map((text) => [+text.match(/Epochs done\\s*(\\d+)/)[1], +text.match(/(\\d+) points/)[1]]);
    const within = {};
    readings.forEach(([done, points]) => {
        const before = Math.max(-1, ...readings.filter(([other]) => other < done).map(([, count]) => count));
        if (points > before) (within[done] = within[done] || new Set()).add(points);
    });
    return Object.values(within).some((points) => points.size >= 2);
})"""


DREW_IN_EPOCH_ONE_AND_GREW = """((seen) => {
    const points = seen.map((text) => +text.match(/(\\d+) points/)[1]);
    const first = seen.findIndex((text, index) => /Epochs done\\s*0\\//.test(text) && points[index] > 0);
    return first >= 0 && points.slice(first + 1).some((count) => count > points[first]);
})(seen)"""


def points_within_an_epoch(readings: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Each epoch's point counts, in the order read, leaving out a count no higher than an earlier epoch's (read
    while the page was redrawing: the caption not yet updated)."""
    within: dict[int, list[int]] = {}
    for done, points in readings:
        if points > max((count for other, count in readings if other < done), default=-1):
            within.setdefault(done, []).append(points)
    return within


def test_points_within_an_epoch_leave_out_a_caption_read_mid_redraw():
    assert points_within_an_epoch([(0, 4), (8, 4), (8, 166), (8, 190)]) == {0: [4], 8: [166, 190]}
    assert points_within_an_epoch([(0, 4), (0, 20), (1, 60)]) == {0: [4, 20], 1: [60]}


def epochs_done_from_sidebar(text: str) -> int:
    return int(re.search(r"Training: epoch (\d+)/60", text).group(1)) - 1


def test_book_preset_chart_gains_points_within_an_epoch_and_a_second_session_waits_in_the_queue(
        browser, app_page, real_mnist_path):
    page = app_page
    open_page(page, "train")
    preset = page.get_by_role("combobox", name="Preset")
    preset.click()
    preset.fill("Book")
    preset.press("Enter")
    wait_idle(page)
    # Each caption "Epochs done d/10 ... n points so far" the browser draws, kept by the page itself: epoch 1 of the
    # Book preset is a few seconds long, shorter than what polling from here can be sure to catch twice.
    record_matches(page, POINTS_CAPTION)
    page.get_by_role("button", name="Train", exact=True).click()
    try:
        # Until the chart has grown within one epoch (usually epoch 1), or it has drawn points before epoch 1
        # ended and more later: on a loaded machine the page may draw nothing for a few epochs (its server busy),
        # and a per-epoch chart would have had no point to draw before epoch 1 ended. A reading taken while the page
        # redraws can pair a new epoch count with the caption's old points: only points above every earlier
        # epoch's count belong to an epoch.
        seen = recorded_matches(page, GREW_WITHIN_AN_EPOCH + "(seen) || " + DREW_IN_EPOCH_ONE_AND_GREW, timeout=300_000)
        readings = [(int(re.search(r"Epochs done\s*(\d+)", text).group(1)), int(re.search(r"(\d+) points", text).group(1)))
                    for text in seen]
        grown = points_within_an_epoch(readings)
        # The chart gains points while an epoch runs: the browser drew more points in one epoch later than it first
        # drew, or drew some before the first epoch ended and more afterwards.
        first_epoch = [points for done, points in readings if done == 0 and points > 0]
        assert any(len(set(points)) >= 2 and points[-1] > points[0] for points in grown.values()) or (
            first_epoch and readings[-1][1] > first_epoch[0]), readings

        # The Book run has epochs to go: a second session asking to train meanwhile waits in the queue.
        with visitor(browser, page.app_url) as second:
            open_page(second, "train")
            second.get_by_role("button", name="Train", exact=True).click()
            find_in_main(second, r"Waiting in the queue: place 1 \(1 training now\)", timeout=60)
            second.get_by_role("button", name="Leave the queue").click()
            find_in_main(second, r"Last run:\s*cancelled", timeout=60)
    finally:  # a failed check leaves no Book run training for the tests after this one
        page.get_by_role("button", name=re.compile("Stop")).click()
    find_in_main(page, r"Last run:\s*stopped", timeout=120)


def test_progress_shows_under_the_train_button_and_a_lagging_batch_norm_run_is_trained_again_in_one_click(
        app_page, real_mnist_path):
    page = app_page
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, "train")  # a new workspace starts from Quick look
    widget(page, "stCheckbox", "Batch normalization").locator("label").click()
    wait_idle(page)
    set_number(page, "Batch-norm momentum", 0.99)  # Keras's default: too slow for Quick look's 141 steps
    train_button = page.get_by_role("button", name="Train", exact=True)
    train_button.scroll_into_view_if_needed()
    train_button.click()

    progress = page.locator('[data-testid="stMain"] [data-testid="stProgress"]').first
    progress.wait_for(state="visible", timeout=90_000)
    box = progress.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box  # where the learner who clicked is looking

    find_in_main(page, r"Last run:\s*finished", timeout=120)
    find_in_main(page, r"moving statistics had not caught up")
    page.get_by_role("button", name="Train it again with momentum 0.9").click()
    # The form now holds the settings the new run trains with.
    expect(widget(page, "stNumberInput", "Batch-norm momentum").locator("input")).to_have_value("0.900", timeout=ACTION_TIMEOUT_MS)
    find_in_main(page, r"Last run:\s*finished[\s\S]*?Test accuracy\s*9\d\.\d\d%", timeout=150)
    wait_idle(page)
    assert "had not caught up" not in main_text(page)

    page.get_by_role("button", name="Compare it on the History page").click()
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("History")', timeout=60_000)
