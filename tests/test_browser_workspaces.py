"""Two browsers on one server: each has its own workspace, and a run is seen by others only once shared; a run
finished on the Train page opens on History."""

import re
import secrets

from playwright.sync_api import expect

from tests.browser import (
    ACTION_TIMEOUT_MS,
    find_in_main,
    main_text,
    open_page,
    set_number,
    visitor,
    wait_idle,
    widget,
    workspace_cookie,
)
from tests.browser_runs import filter_options


def run_options(page, text: str) -> list[str]:
    """The History page's run choices that contain `text`, as a user finds them by typing, and those already chosen
    (History draws your own runs from the start, and a multiselect lists a chosen run as a tag, not an option)."""
    filter_options(page, "Runs to compare", text)
    options = page.get_by_role("option").all_inner_texts()
    chosen = list(dict.fromkeys(tag.get_attribute("title") for tag in page.locator("span[data-tag] > span[title]").all()))
    page.keyboard.press("Escape")
    return [option for option in [*chosen, *options] if text in option]


def test_a_finished_run_opens_on_history_beside_its_nearest_book_run_and_is_its_workspaces_own_until_shared(
        browser, app_page, real_mnist_path):
    name = f"ws-{secrets.token_hex(3)}"
    alice = app_page
    open_page(alice, "train")  # a new workspace starts from Quick look: Adam, batch 128
    set_number(alice, "Training images", 600)
    set_number(alice, "Epochs", 1)
    alice.get_by_label("Run name (optional)").fill(name)
    alice.get_by_label("Run name (optional)").press("Enter")
    wait_idle(alice)
    alice.get_by_role("button", name="Train", exact=True).click()
    find_in_main(alice, r"Last run:\s*finished", timeout=240)
    wait_idle(alice)
    token = workspace_cookie(alice)
    assert token not in alice.url

    # History opened from the finished run shows that run beside the book run nearest to it.
    alice.get_by_role("button", name="Compare it on the History page").click()
    alice.wait_for_selector('[data-testid="stMain"] h1:has-text("Training history")', timeout=60_000)
    wait_idle(alice)
    picker = widget(alice, "stMultiSelect", "Runs to compare")
    expect(picker).to_contain_text(f"my runs/{name}")
    expect(picker).to_contain_text("optimizers/adam (Keras default rate)")
    find_in_main(alice, r"Your run is shown beside adam \(Keras default rate\), the book run nearest to it: "
                        r"same optimizer and regularizers")
    chart = alice.locator('[data-testid="stPlotlyChart"]')
    chart.get_by_text(f"{name} (validation)").first.wait_for(timeout=ACTION_TIMEOUT_MS)

    assert token not in alice.url, "the workspace is kept by the browser, not in the address"
    mine = run_options(alice, name)
    assert len(mine) == 1 and mine[0].startswith("my runs/")
    find_in_main(alice, rf"{name} \(")
    alice.reload()
    alice.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    wait_idle(alice)
    find_in_main(alice, rf"{name} \(")  # still there after a reload: the browser's cookie is the workspace

    with visitor(browser, alice.app_url) as bob:
        open_page(bob, "history")
        assert name not in main_text(bob) and run_options(bob, name) == []
        assert workspace_cookie(bob) != token, "a new browser gets a workspace of its own"

        share_row = alice.locator('[data-testid="stHorizontalBlock"]').filter(has_text=name).last
        share_row.get_by_role("button", name="Share").click()
        wait_idle(alice)
        find_in_main(alice, rf"{name} \([^)]*\)\s*shared")

        bob.reload()
        bob.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
        wait_idle(bob)
        options = run_options(bob, name)
        assert len(options) == 1 and options[0].startswith(f"shared/{name}")
        assert "Share your runs" not in main_text(bob)  # Bob cannot unshare Alice's run


def test_a_malformed_workspace_link_gets_a_fresh_workspace_and_a_note(app_page):
    open_page(app_page, "?ws=../../etc/passwd")
    app_page.get_by_text("was not a valid one").wait_for(timeout=ACTION_TIMEOUT_MS)
    assert "ws=" not in app_page.url and re.fullmatch(r"[0-9a-f]{32}", workspace_cookie(app_page))
