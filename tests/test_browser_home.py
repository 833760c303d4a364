"""The app in a real browser: the Home page opens and links to every page."""

from lib.server.pages import PAGES
from tests.browser import ACTION_TIMEOUT_MS, open_page


def test_home_page_opens_in_chromium_with_its_title(app_page):
    open_page(app_page)
    assert app_page.locator("h1").first.inner_text() == "CNN Lab"


def test_home_page_links_to_every_other_page(app_page):
    open_page(app_page)
    main = app_page.locator('[data-testid="stMain"]')
    for page in PAGES[1:]:
        assert main.get_by_role("link", name=page.title).count() >= 1, page.title


def test_home_lists_the_route_in_the_books_order_and_each_page_says_what_to_try(app_page):
    from lib.server.navigation import route

    open_page(app_page)
    main = app_page.locator('[data-testid="stMain"]')
    tops = [main.get_by_role("link", name=f"{page.title}: {page.blurb}").first.bounding_box()["y"]
            for page in route()]
    assert tops == sorted(tops), tops
    main.get_by_role("link", name=route()[0].title).first.click()
    guide = app_page.get_by_text(f"Step 1 of {len(route())}")
    guide.wait_for(timeout=ACTION_TIMEOUT_MS)
    assert app_page.get_by_role("link", name=f"Next: {route()[1].title}").count() == 1
