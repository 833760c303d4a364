"""Helpers the browser tests of training, sharing and handing in runs share (tests/browser.py is the harness).

Actions that Chromium answers alone, with no script run on the server: a tab of `st.tabs` shown, an expander
opened, a select box's list filtered. `wait_idle` gives such an action its whole grace period to start a run it
never starts; these wait instead for what the browser shows.
"""

from tests.browser import NEXT_FRAMES, wait_until


def open_tab(page, name: str) -> None:
    """Show the tab `name` of an `st.tabs` (drawn with the page, switched in the browser) and wait until it is."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    wait_until(page, "(tab) => tab.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())
    page.evaluate(NEXT_FRAMES)


def open_expander(page, label: str) -> None:
    """Open the expander whose summary reads `label` (its content is drawn with the page) and wait until it is."""
    details = page.locator('[data-testid="stExpander"] details').filter(
        has=page.locator("summary").filter(has_text=label)).first
    details.locator("summary").click()
    wait_until(page, "(details) => details.open", arg=details.element_handle())
    page.evaluate(NEXT_FRAMES)


def filter_options(page, label: str, text: str):
    """Type `text` into the select box or multiselect `label`; wait until its list shows what matches (or says
    there is nothing). Returns the picker, still open."""
    picker = page.get_by_role("combobox", name=label)
    picker.click()
    picker.fill(text)
    page.get_by_role("option").filter(has_text=text).or_(page.get_by_text("No results", exact=True)).first.wait_for()
    return picker


# Every change of the main area's text that matches a pattern, as the browser drew it: recorded in the page by a
# MutationObserver, so a reading the test's polling would come too late for (a live chart's caption redrawn every
# second during a first epoch of a few seconds) is kept all the same.
RECORD_MATCHES = """(pattern) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const regex = new RegExp(pattern);
    window.__cnnLabMatches = [];
    let pending = false;
    const note = () => {
        pending = false;
        const found = main.innerText.match(regex);
        if (found && found[0] !== window.__cnnLabMatches.at(-1)) window.__cnnLabMatches.push(found[0]);
    };
    // Read once a frame at most: a chart's redraw changes the page many times over in one frame.
    new MutationObserver(() => {
        if (!pending) { pending = true; requestAnimationFrame(note); }
    }).observe(main, {subtree: true, childList: true, characterData: true});
    note();
}"""


def record_matches(page, pattern: str) -> None:
    """From now on, keep each text of the main area that `pattern` (a JavaScript regex) matches, as it changes."""
    page.evaluate(RECORD_MATCHES, pattern)


def recorded_matches(page, until: str, timeout: float = 120_000) -> list[str]:
    """The texts kept since `record_matches`, once the JavaScript condition `until` on them (`seen`) holds."""
    wait_until(page, f"() => {{ const seen = window.__cnnLabMatches; return {until}; }}", timeout=timeout)
    return page.evaluate("() => window.__cnnLabMatches")
