"""Helpers the browser tests of training, sharing and handing in runs share (tests/browser.py is the harness).

Actions that Chromium answers alone, with no script run on the server: a tab of `st.tabs` shown, an expander
opened, a select box's list filtered. `wait_idle` gives such an action its whole grace period to start a run it
never starts; these wait instead for what the browser shows.
"""

from tests.browser import NEXT_FRAMES


def open_tab(page, name: str) -> None:
    """Show the tab `name` of an `st.tabs` (drawn with the page, switched in the browser) and wait until it is."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    page.wait_for_function("(tab) => tab.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())
    page.evaluate(NEXT_FRAMES)


def open_expander(page, label: str) -> None:
    """Open the expander whose summary reads `label` (its content is drawn with the page) and wait until it is."""
    details = page.locator('[data-testid="stExpander"] details').filter(
        has=page.locator("summary").filter(has_text=label)).first
    details.locator("summary").click()
    page.wait_for_function("(details) => details.open", arg=details.element_handle())
    page.evaluate(NEXT_FRAMES)


def filter_options(page, label: str, text: str):
    """Type `text` into the select box or multiselect `label`; wait until its list shows what matches (or says
    there is nothing). Returns the picker, still open."""
    picker = page.get_by_role("combobox", name=label)
    picker.click()
    picker.fill(text)
    page.get_by_role("option").filter(has_text=text).or_(page.get_by_text("No results", exact=True)).first.wait_for()
    return picker
