"""Sharing that cannot leak write access, in Chromium: nothing the owner's address bar or share links ever
showed gives a second browser anything to change, and the owner's browser keeps its workspace by itself.

The owner opens the app with no link (the browser's cookie becomes the workspace), builds an own-classes set
(the MNIST starter), has a finished run in its workspace (written into the workspace's folder as a training
child publishes one, so no training here), shares it on History and copies the run's read-only link. Every URL
the owner's address bar showed, and the link, is then opened in a second browser context: it reads the shared
run and can change nothing. The owner's browser then reloads and opens a new tab: its runs and its set are
still there, with nothing in any address.
"""

import secrets

from playwright.sync_api import Error as PlaywrightError

from lib.engine.config import TrainingConfig
from lib.runs.workspaces import is_shared, workspace_dir
from tests.browser import (
    ACTION_TIMEOUT_MS,
    find_in_main,
    go_to_page,
    main_text,
    open_page,
    visitor,
    wait_idle,
    workspace_cookie,
)
from tests.test_history_page import write_workspace_run
from ui.workspace import COOKIE, COOKIE_RECHECK_MS

SET_LINE = r"Your data set: 90 examples"


def remember_addresses(page, seen: list[str]) -> None:
    """Every address the tab's address bar shows, navigations and history.pushState/replaceState alike."""
    page.on("framenavigated", lambda frame: frame == page.main_frame and seen.append(frame.url))


def share_row(page, run_id: str):
    return page.locator('[data-testid="stHorizontalBlock"]').filter(has_text=run_id).last


def test_no_address_or_share_link_the_owner_saw_lets_another_browser_change_anything(
        browser, app_page, streamlit_server, real_mnist_path):
    owner, seen = app_page, []
    remember_addresses(owner, seen)
    open_page(owner, "")
    token = workspace_cookie(owner)

    run_id, name = f"20261207-000000-{secrets.token_hex(3)}", f"class-demo-{secrets.token_hex(3)}"
    write_workspace_run(streamlit_server.runs_dir, token, TrainingConfig(name=name, optimizer="adam", epochs=2), run_id)
    run_folder = workspace_dir(token, streamlit_server.runs_dir) / run_id

    go_to_page(owner, "Your own classes")
    owner.get_by_role("button", name="Start from MNIST digits 0-2 only").click()
    wait_idle(owner)
    find_in_main(owner, SET_LINE)

    go_to_page(owner, "History")
    share_row(owner, run_id).get_by_role("button", name="Share").click()
    wait_idle(owner)
    assert is_shared(run_folder)
    share_row(owner, run_id).get_by_role("button", name="Link").click()
    link = owner.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]').inner_text().strip()
    assert link.endswith(f"?run={run_id}") and link.startswith(owner.app_url)
    owner.keyboard.press("Escape")
    seen += [owner.url, link]
    assert seen and not [url for url in seen if token in url], "no address or share link holds the token"

    with visitor(browser, owner.app_url) as guest:
        addresses = [url for url in dict.fromkeys(seen) if url.startswith(owner.app_url)]
        assert len(addresses) >= 4, addresses  # Home, Your own classes, History and the run's link at least
        for url in addresses:
            guest.goto(url)
            guest.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
            wait_idle(guest)
            text = main_text(guest)
            assert "Share your runs" not in text and guest.get_by_role("button", name="Delete").count() == 0, url
            assert guest.get_by_role("button", name="Rename or delete").count() == 0, url
            assert guest.get_by_role("button", name="Share", exact=True).count() == 0, url
            assert f"my runs/{name}" not in text, url
        assert addresses[-1] == link  # the run's link, opened last: the guest reads the shared run
        chosen = [tag.get_attribute("title") for tag in guest.locator("span[data-tag] > span[title]").all()]
        assert chosen == [f"shared/{name}"], chosen
        find_in_main(guest, rf"{name}")
        assert "run=" not in guest.url and token not in guest.content()
        assert workspace_cookie(guest) != token, "the guest has a workspace of its own"

        go_to_page(guest, "Your own classes")
        find_in_main(guest, r"Your data set: 0 examples")
        guest.get_by_role("button", name="Start from MNIST digits 0-2 only").count()  # the guest's own, empty set

    assert is_shared(run_folder) and name in (run_folder / "config.json").read_text()

    owner.reload()  # the owner's browser, later
    owner.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    wait_idle(owner)
    find_in_main(owner, rf"{name} \({run_id}\)\s*shared")
    assert workspace_cookie(owner) == token and token not in owner.url

    tab = owner.context.new_page()  # a new tab of the same browser
    tab.set_default_timeout(ACTION_TIMEOUT_MS)
    tab.app_url = owner.app_url
    open_page(tab, "own_classes")
    find_in_main(tab, SET_LINE)
    go_to_page(tab, "History")
    find_in_main(tab, rf"{name} \({run_id}\)\s*shared")
    assert token not in tab.url
    tab.close()


def private_link_of(page) -> str:
    """The workspace link the sidebar shows when asked for (the only place the token is shown)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    code = sidebar.locator('[data-testid="stCode"]').filter(has_text="?ws=")
    for _attempt in range(3):  # a tab still settling (a reload, a rerun) may swallow a click: ask again
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
        wait_idle(page)
        show = sidebar.get_by_role("button", name="Show my private link")
        if not show.is_visible():
            sidebar.get_by_text("Private link (move to another device)").click()
        show.click()
        wait_idle(page)
        try:
            code.wait_for(timeout=15_000)
            return code.inner_text().strip()
        except PlaywrightError:
            continue
    raise AssertionError("the sidebar never showed the private link")


def joined(tab) -> bool:
    """Whether the tab's script found another tab's workspace in the cookie and reloaded to join it."""
    for _attempt in range(5):
        try:
            return tab.evaluate(f"() => sessionStorage.getItem('{COOKIE}')") == "joined"
        except PlaywrightError:  # the page was reloading as it was asked
            tab.wait_for_load_state()
    return False


def test_two_tabs_of_a_first_visit_end_in_one_workspace_and_a_private_link_moves_it(browser, app_page):
    first = app_page
    second = first.context.new_page()
    second.set_default_timeout(ACTION_TIMEOUT_MS)
    second.app_url = first.app_url
    # Both open before either has run its script: each makes a token, and the later one joins the other's.
    first.goto(first.app_url, wait_until="commit")
    second.goto(f"{first.app_url}/history", wait_until="commit")
    for tab in (first, second):
        tab.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
        wait_idle(tab)
    # A tab whose cookie the other overwrote finds it COOKIE_RECHECK_MS after its script ran.
    first.wait_for_timeout(COOKIE_RECHECK_MS + 500)
    for tab in (first, second):  # a tab that found the other's cookie reloads to join it: wait for that run
        if joined(tab):
            tab.wait_for_timeout(1_000)
            tab.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
            wait_idle(tab)
    token = workspace_cookie(first)
    links = [private_link_of(tab) for tab in (first, second)]
    assert all(link.endswith(f"?ws={token}") for link in links), (token, links)

    with visitor(browser, first.app_url) as laptop:  # another device: the private link, pasted
        laptop.goto(links[0])
        laptop.get_by_text("now keeps the workspace of the private link").wait_for(timeout=60_000)
        wait_idle(laptop)
        assert "ws=" not in laptop.url, "the token leaves the address once adopted"
        assert workspace_cookie(laptop) == token
        laptop.reload()
        laptop.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
        wait_idle(laptop)
        assert private_link_of(laptop).endswith(f"?ws={token}") and "ws=" not in laptop.url
    second.close()
