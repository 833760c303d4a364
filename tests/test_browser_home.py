"""The app in a real browser: the Home page opens and links to every page."""

from lib.navigation import PAGES
from tests.browser import open_page


def test_home_page_opens_in_chromium_with_its_title(app_page):
    open_page(app_page)
    assert app_page.locator("h1").first.inner_text() == "CNN Lab"


def test_home_page_links_to_every_other_page(app_page):
    open_page(app_page)
    main = app_page.locator('[data-testid="stMain"]')
    for page in PAGES[1:]:
        assert main.get_by_role("link", name=page.title).count() >= 1, page.title
