"""The Optimizers, Dropout and batch norm, and Keras basics open-questions views in Chromium."""

from tests.browser import find_in_main, open_page, set_number, wait_idle


def table_cells(page) -> list[str]:
    """The cells of the results table, from the grid's accessible DOM table."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("td").first.wait_for(state="attached")
    return grid.locator("td").all_inner_texts()


def chart_points(page) -> str:
    return page.locator('[data-testid="stPlotlyChart"] .scatterlayer').first.inner_html()


def test_changing_a_learning_rate_changes_its_path_and_the_table(app_page):
    open_page(app_page, "optimizers")
    before_cells = table_cells(app_page)
    before_chart = chart_points(app_page)
    set_number(app_page, "SGD", 0.09)
    cells = table_cells(app_page)
    sgd = cells[cells.index("SGD"): cells.index("SGD") + 6]
    assert sgd[1] == "0.09"
    assert sgd != before_cells[before_cells.index("SGD"): before_cells.index("SGD") + 6]
    # Only SGD's row changed: the other optimizers kept their rates and results.
    assert cells[6:] == before_cells[6:]
    assert chart_points(app_page) != before_chart


def test_a_rate_too_large_is_drawn_until_it_diverges(app_page):
    open_page(app_page, "optimizers")
    set_number(app_page, "SGD", 0.5)
    find_in_main(app_page, r"SGD at rate 0.5 diverged: step \d+ left the finite numbers")


def test_out_of_range_rate_cannot_be_entered(app_page):
    open_page(app_page, "optimizers")
    set_number(app_page, "Adam", 50)
    cells = table_cells(app_page)
    assert cells[cells.index("Adam") + 1] == "0.001"  # the widget refused 50: Adam keeps Keras's default


def test_dropout_button_draws_a_new_mask_and_test_time_never_changes(app_page):
    open_page(app_page, "regularizers")
    strips = app_page.locator('[data-testid="stPlotlyChart"]')
    strips.nth(1).wait_for()
    masks, tests = set(), set()
    for _ in range(4):
        masks.add(strips.nth(0).locator(".scatterlayer").inner_html())
        tests.add(strips.nth(1).inner_html().count("<path"))
        app_page.get_by_role("button", name="Draw a new dropout mask").click()
        wait_idle(app_page)
    assert len(masks) >= 3
    assert len(tests) == 1
    find_in_main(app_page, r"gamma = -?[\d.]+")


def test_open_questions_show_any_input_size_and_keras_error(app_page):
    open_page(app_page, "keras_basics")
    app_page.get_by_role("tab", name="Open questions").click()
    wait_idle(app_page)
    find_in_main(app_page, r"maps of 64 x 64 x 6")
    find_in_main(app_page, r"expected axis -1 of input shape to have value 784")
    find_in_main(app_page, r"\d+ scalars read back from")
