"""A shared own-classes run in Chromium, seen by a second visitor: nothing of its owner's reaches their browser,
and a hostile run name is shown as text, fetching nothing.

The owner trains on the "MNIST digits 0-2 only" starter through the page, shares the run, and renames it to
Markdown, HTML and a javascript: link whose image points at a port on 127.0.0.1 nobody listens on. The second
visitor, in a browser context of their own, opens every page that can show a shared run; the test reads each
page's text, its HTML and every websocket frame the browser received, and every request it made.
"""


from lib.plain_text import WORD_JOINER
from lib.runs.workspaces import rename_run
from tests.browser import (
    find_in_main,
    free_port,
    go_to_page,
    main_text,
    open_page,
    visitor,
    wait_idle,
    workspace_cookie,
)
from tests.browser_runs import open_expander

DEAD_PORT = free_port()  # bound and released: nothing listens there
HOSTILE = (f"![p](http://127.0.0.1:{DEAD_PORT}/p.png) :red[**PWNED**] [click me](javascript:alert(1)) "
           f"<img src=http://127.0.0.1:{DEAD_PORT}/h.png>")


def pick(page, label: str, text: str) -> None:
    """Type `text` into the select box (or multiselect) `label` and take the first option holding it."""
    picker = page.get_by_role("combobox", name=label)
    picker.click()
    picker.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    page.keyboard.press("Escape")
    wait_idle(page)


def assert_nothing_of_the_owner(page, frames: list[bytes], secrets: list[str]) -> None:
    html, text = page.content(), main_text(page)
    received = b"".join(frames).decode("latin-1")
    for secret in secrets:
        assert secret not in html and secret not in text and secret not in received, secret


def assert_plain(page, requests: list[str]) -> None:
    assert not [url for url in requests if f":{DEAD_PORT}" in url], "the browser fetched the name's image"
    main = page.locator('[data-testid="stMain"]')
    assert main.locator(f'img[src*=":{DEAD_PORT}"]').count() == 0
    assert main.locator('a[href^="javascript"]').count() == 0
    assert main.locator(f'a[href*=":{DEAD_PORT}"]').count() == 0, "an address in the name became a link"
    assert main.get_by_text("PWNED", exact=True).count() == 0, "PWNED stands alone: the name was formatted"


def test_a_shared_own_classes_run_shows_a_second_visitor_nothing_of_its_owner(browser, app_page, streamlit_server,
                                                                             real_mnist_path):
    owner = app_page
    open_page(owner, "own_classes")
    owner.get_by_role("button", name="Start from MNIST digits 0-2 only").click()
    wait_idle(owner)
    owner.get_by_role("button", name="Train on my classes").click()
    wait_idle(owner)
    find_in_main(owner, r"Last run:\s*finished", timeout=300)
    token = workspace_cookie(owner)
    (run,) = [path for path in (streamlit_server.runs_dir / "workspaces" / token).iterdir()
              if not path.name.startswith(".")]
    assert token not in (run / "config.json").read_text()

    go_to_page(owner, "History")
    share_row = owner.locator('[data-testid="stHorizontalBlock"]').filter(has_text=run.name).last
    share_row.get_by_role("button", name="Share").click()
    wait_idle(owner)
    rename_run(token, run, HOSTILE, root=streamlit_server.runs_dir)  # what the page's Rename button calls
    for zipped in (run.parent / ".image_sets").glob("*.zip"):
        zipped.unlink()  # the set is gone: the model card must not fall back to naming where it was
    secrets = [token, str(streamlit_server.runs_dir), ".image_sets"]

    with visitor(browser, owner.app_url) as guest:
        requests, frames = [], []
        guest.on("request", lambda request: requests.append(request.url))
        guest.on("websocket", lambda socket: socket.on(
            "framereceived", lambda frame: frames.append(frame if isinstance(frame, bytes) else frame.encode())))

        open_page(guest, "history")
        pick(guest, "Runs to compare", "PWNED")
        find_in_main(guest, r"Settings that differ between these runs")
        assert_nothing_of_the_owner(guest, frames, secrets)
        assert_plain(guest, requests)

        go_to_page(guest, "Draw a digit")
        pick(guest, "Read with", "PWNED")
        find_in_main(guest, r"Model card: shared: !\[p\]")
        open_expander(guest, "Misclassified examples")  # its gallery, read from the run itself
        find_in_main(guest, r"held out of its set for validation")
        assert HOSTILE in main_text(guest).replace(WORD_JOINER, "")  # the name, as text
        assert_nothing_of_the_owner(guest, frames, secrets)
        assert_plain(guest, requests)

        go_to_page(guest, "Receptive fields")
        pick(guest, "Model", "PWNED")
        assert_nothing_of_the_owner(guest, frames, secrets)
        assert_plain(guest, requests)

        go_to_page(guest, "Your own classes")
        assert_nothing_of_the_owner(guest, frames, secrets)
        assert_plain(guest, requests)
        assert frames, "the websocket frames were recorded"
