"""The History page in Chromium: the book's figures, uploads good and bad (arriving from a finished run:
tests/test_browser_workspaces.py)."""

from tests.browser import ACTION_TIMEOUT_MS, find_in_main, open_page, wait_idle

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n"


def test_upload_of_csvlogger_file_plots_and_malformed_file_is_named(app_page, tmp_path):
    good, bad = tmp_path / "my_log.csv", tmp_path / "broken.csv"
    good.write_text(CSV_LOGGER)
    bad.write_text("time,value\n1,2\n")
    open_page(app_page, "history")
    app_page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(good), str(bad)])
    wait_idle(app_page)
    find_in_main(app_page, r"Skipped upload broken\.csv needs an 'epoch' column")

    picker = app_page.get_by_role("combobox", name="Runs to compare")
    picker.click()
    picker.type("my_log")  # the list is long: filter it as a user would
    app_page.get_by_role("option", name="upload/my_log").click()
    app_page.keyboard.press("Escape")
    wait_idle(app_page)
    app_page.locator('[data-testid="stTable"]').first.wait_for()  # the comparison
    chart = app_page.locator('[data-testid="stPlotlyChart"]')
    chart.get_by_text("my_log (validation)").first.wait_for(timeout=ACTION_TIMEOUT_MS)
    assert chart.count() == 1


def test_book_views_read_the_results_from_the_data(app_page):
    open_page(app_page, "history")
    app_page.get_by_role("button", name="Optimizers", exact=True).click()
    wait_idle(app_page)
    find_in_main(app_page, r"runs reached 99% validation accuracy")
    app_page.get_by_role("button", name="Regularization on 200 samples", exact=True).click()
    wait_idle(app_page)
    find_in_main(app_page, r"shows the widest train/validation gap")
    find_in_main(app_page, r"The best validation accuracy, [\d.]+% at epoch \d+, comes from dropout; it ends at")
    app_page.get_by_role("button", name="Show all 8 runs").click()
    wait_idle(app_page)
    find_in_main(app_page, r"comes from l1 \+ batch norm, but that run is unstable")

