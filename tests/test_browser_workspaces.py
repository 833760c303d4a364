"""Two browsers on one server: each has its own workspace, and a run is seen by others only once shared."""

import re
import secrets

from tests.browser import (
    find_in_main,
    go_to_page,
    main_text,
    open_page,
    set_number,
    visitor,
    wait_idle,
    workspace_cookie,
)


def run_options(page, text: str) -> list[str]:
    """The History page's run choices that contain `text`, as a user finds them by typing, and those already chosen
    (History draws your own runs from the start, and a multiselect lists a chosen run as a tag, not an option)."""
    picker = page.get_by_role("combobox", name="Runs to compare")
    picker.click()
    picker.fill(text)
    page.wait_for_timeout(500)
    options = page.get_by_role("option").all_inner_texts()
    chosen = list(dict.fromkeys(tag.get_attribute("title") for tag in page.locator("span[data-tag] > span[title]").all()))
    page.keyboard.press("Escape")
    return [option for option in [*chosen, *options] if text in option]


def test_a_run_is_its_workspaces_own_until_shared(browser, app_page, real_mnist_path):
    name = f"ws-{secrets.token_hex(3)}"
    alice = app_page
    open_page(alice, "train")
    set_number(alice, "Training images", 600)
    set_number(alice, "Epochs", 1)
    alice.get_by_label("Run name (optional)").fill(name)
    alice.get_by_label("Run name (optional)").press("Enter")
    wait_idle(alice)
    alice.get_by_role("button", name="Train", exact=True).click()
    find_in_main(alice, r"Last run:\s*finished", timeout=240)
    token = workspace_cookie(alice)
    assert token not in alice.url

    go_to_page(alice, "History")
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
    app_page.get_by_text("was not a valid one").wait_for(timeout=30_000)
    assert "ws=" not in app_page.url and re.fullmatch(r"[0-9a-f]{32}", workspace_cookie(app_page))
