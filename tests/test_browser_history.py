"""The History page in Chromium: the book's figures, uploads good and bad, and arriving from a finished run."""

from playwright.sync_api import expect

from tests.browser import find_in_main, open_page, set_number, wait_idle, widget

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
    chart.get_by_text("my_log (validation)").first.wait_for(timeout=30_000)
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


def test_history_opened_from_a_finished_run_shows_that_run(app_page, real_mnist_path):
    page = app_page
    open_page(page, "train")  # a new workspace starts from Quick look: Adam, batch 128
    set_number(page, "Training images", 600)
    set_number(page, "Epochs", 1)
    page.get_by_role("button", name="Train", exact=True).click()
    find_in_main(page, r"Last run:\s*finished", timeout=240)
    wait_idle(page)

    page.get_by_role("button", name="Compare it on the History page").click()
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("Training history")', timeout=60_000)
    wait_idle(page)
    picker = widget(page, "stMultiSelect", "Runs to compare")
    expect(picker).to_contain_text("my runs/adam lr 0.001, 1 epoch on 600 images")
    expect(picker).to_contain_text("optimizers/adam (Keras default rate)")
    find_in_main(page, r"Your run is shown beside adam \(Keras default rate\), the book run nearest to it: "
                       r"same optimizer and regularizers")
    chart = page.locator('[data-testid="stPlotlyChart"]')
    chart.get_by_text("adam lr 0.001, 1 epoch on 600 images (validation)").first.wait_for(timeout=30_000)
