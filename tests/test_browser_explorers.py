"""The explorer pages in Chromium: sliders move, outputs and formulas follow, bad input is explained."""

from tests.browser import choose_radio, find_in_main, main_text, nudge_slider, open_page, wait_idle, widget


def shapes_line(page) -> str:
    return find_in_main(page, r"Shapes:[^\n]*").group(0)


def formula_text(page) -> str:
    return " ".join(page.locator(".katex-html").all_inner_texts())


def test_convolution_stride_and_padding_change_output_and_formula(app_page):
    open_page(app_page, "convolution")
    assert "output 510 x 510" in shapes_line(app_page)
    formula_before = formula_text(app_page)
    nudge_slider(app_page, "Stride s", 1)
    assert "output 255 x 255" in shapes_line(app_page)
    assert formula_text(app_page) != formula_before
    choose_radio(app_page, "Padding", "same")
    assert "output 256 x 256" in shapes_line(app_page)
    nudge_slider(app_page, "Dilation d", 2)
    assert "output 256 x 256" in shapes_line(app_page)
    assert "SAME: (256, 256)" in main_text(app_page) and "VALID: (253, 253)" in main_text(app_page)


def test_convolution_book_example_sets_edge_kernel_and_stride_two(app_page):
    open_page(app_page, "convolution")
    app_page.get_by_role("button", name="Book's example").click()
    wait_idle(app_page)
    assert app_page.get_by_role("combobox", name="Preset").input_value() == "Edge detection (book)"
    assert "output 255 x 255" in shapes_line(app_page)


def test_convolution_step_through_sum_matches_output(app_page):
    open_page(app_page, "convolution")
    value = find_in_main(app_page, r"Output \(\d+, \d+\)[^\n]*= ([-\d.]+)").group(1)
    assert f"gives {value} at" in main_text(app_page)


def test_custom_kernel_with_text_cell_gets_a_clear_message(app_page):
    open_page(app_page, "convolution")
    widget(app_page, "stSelectbox", "Preset").click()
    app_page.get_by_role("option", name="Custom (edit the grid)").click()
    wait_idle(app_page)
    grid = app_page.locator('[data-testid="stDataFrame"]')
    grid.click(position={"x": 30, "y": 55})  # first data cell
    app_page.wait_for_timeout(500)
    app_page.keyboard.type("abc")
    app_page.wait_for_timeout(300)
    app_page.keyboard.press("Enter")
    wait_idle(app_page)
    assert "which is not a number" in main_text(app_page)


def test_uploading_a_non_image_is_explained(app_page, tmp_path):
    open_page(app_page, "convolution")
    choose_radio(app_page, "Image source", "Upload")
    bad = tmp_path / "notes.png"
    bad.write_text("this is text, not a picture")
    app_page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    wait_idle(app_page)
    app_page.wait_for_selector('[data-testid="stAlert"]')
    assert "notes.png is not an image" in main_text(app_page) + app_page.locator('[data-testid="stSidebar"]').inner_text()


def test_pooling_book_demo_halves_the_image(app_page):
    open_page(app_page, "pooling")
    app_page.get_by_role("button", name="10x10 window").click()
    wait_idle(app_page)
    assert "30 x 45" in shapes_line(app_page)
    app_page.get_by_role("button", name="2x2, stride 2").click()
    wait_idle(app_page)
    assert "300 x 451 → 150 x 225" in shapes_line(app_page)
    nudge_slider(app_page, "Stride s", -1)
    assert "→ 299 x 450" in shapes_line(app_page)
    assert "no trainable parameters" in main_text(app_page)


def test_why_cnns_numbers_follow_the_sliders(app_page):
    open_page(app_page, "why_cnns")
    assert "100,480" in main_text(app_page)
    assert "19,267,712" in main_text(app_page)  # 150,528 x 128 + 128
    nudge_slider(app_page, "Dense units", 1)
    assert "21,676,176" in main_text(app_page)  # 150,528 x 144 + 144
    assert "rounding error only" in main_text(app_page)


def test_convolution_starts_with_an_edge_kernel_and_says_what_it_does(app_page):
    open_page(app_page, "convolution")
    assert app_page.get_by_role("combobox", name="Preset").input_value() == "Sobel x (vertical edges)"
    assert "Vertical edges light up" in main_text(app_page)


def test_explicit_padding_is_asked_for_only_when_chosen(app_page):
    open_page(app_page, "convolution")
    assert widget(app_page, "stSlider", "p (zero rows").count() == 0
    choose_radio(app_page, "Padding", "explicit p")
    assert "output 512 x 512" in shapes_line(app_page)  # p = 1 keeps a 3x3 kernel's output at 512
    assert widget(app_page, "stSlider", "p (zero rows").count() == 1
