"""The Conv layer and Receptive fields pages in Chromium, on a digit drawn with the mouse."""

import re
import time

from tests.browser import choose_radio, find_in_main, go_to_page, main_text, nudge_slider, open_page, wait_idle, widget
from tests.digit_strokes import DIGITS, place
from tests.test_browser_draw import draw


def parameter_count(page) -> str:
    return re.sub(r"\s", "", page.locator(".katex-html").first.inner_text()).split("=")[-1]


def output_maps(page) -> int:
    return int(find_in_main(page, r"\((\d+) output maps\)").group(1))


def choose_photo(page, name: str) -> None:
    photo = page.get_by_role("combobox", name="Photo")
    photo.click()
    photo.fill(name)
    photo.press("Enter")
    wait_idle(page)


def test_changing_n_and_d_changes_parameters_and_output_maps(app_page):
    open_page(app_page, "conv_layer")
    assert parameter_count(app_page) == "20"  # 2 * (1 * 3 * 3 + 1)
    assert output_maps(app_page) == 2
    nudge_slider(app_page, "Number of kernels N", 3)
    assert parameter_count(app_page) == "50"  # 5 * (1 * 3 * 3 + 1)
    assert output_maps(app_page) == 5
    choose_photo(app_page, "Astronaut")
    assert parameter_count(app_page) == "50"  # shown in gray first: still D = 1
    app_page.locator('[data-testid="stMain"]').get_by_text("Colour", exact=True).click()  # D = 3
    wait_idle(app_page)
    assert parameter_count(app_page) == "140"  # 5 * (3 * 3 * 3 + 1)
    assert "x 3 (pixels 0-255" in main_text(app_page)
    assert output_maps(app_page) == 5


def test_proof_shows_numpy_book_layer_and_keras_agree(app_page):
    open_page(app_page, "conv_layer")
    choose_radio(app_page, "Kernels", "Random")
    app_page.get_by_text("Run these weights through").click()
    wait_idle(app_page)
    differences = [float(value) for value in
                   re.findall(r"largest difference\s*([0-9.]+e[-+]\d+)", main_text(app_page))]
    assert len(differences) == 2 and max(differences) < 1e-3


def drawn_three(page) -> None:
    open_page(page, "draw")
    draw(page, place(DIGITS[3][0], 0.7, 0.15, 0.15))
    find_in_main(page, r"Prediction\s*\d")


def test_a_drawn_digit_gives_conv1_the_draw_pages_maps_and_a_pool2_unit_a_16_by_16_box(app_page):
    """One digit drawn once, read by the two pages that take the Draw page's digit."""
    drawn_three(app_page)
    go_to_page(app_page, "Conv layer")
    choose_radio(app_page, "Input", "Digit")
    choose_radio(app_page, "Which digit", "Drawn digit")
    choose_radio(app_page, "Kernels", "LeNet-5 conv1")
    app_page.get_by_role("button", name="Use conv1's own stride, padding and activation").click()
    wait_idle(app_page)
    assert parameter_count(app_page) == "156"
    assert output_maps(app_page) == 6
    difference = float(find_in_main(app_page, r"Same as the Draw page's conv1 for this digit: largest difference "
                                              r"([0-9.]+e[-+]\d+)").group(1))
    assert difference < 1e-5

    go_to_page(app_page, "Receptive fields")
    choose_radio(app_page, "Which digit", "Drawn digit")
    choose_radio(app_page, "Layer", "pool2")
    assert "(16 x 16 pixels" in main_text(app_page)
    nudge_slider(app_page, "Unit row", -2)  # row 0: the field is clipped at the top
    assert re.search(r"rows 0-13, columns \d+-\d+ \(14 x 16 pixels", main_text(app_page))
    box = app_page.locator('[data-testid="stPlotlyChart"]').first.locator("path[style*='228, 87, 46']")
    assert box.count() >= 1


def kernel_choices(page) -> list[str]:
    """The Kernels radio's options, once it is drawn (a page that loads LeNet-5 draws it again when it has)."""
    radios = widget(page, "stRadio", "Kernels").get_by_role("radio")
    radios.first.wait_for(state="attached", timeout=60_000)
    return radios.evaluate_all("radios => radios.map(radio => radio.closest('label').innerText.trim())")


def choices_become(page, expected: list[str], timeout: float = 60.0) -> list[str]:
    """The Kernels radio's options once they are `expected`, or what they were when `timeout` ran out."""
    deadline = time.monotonic() + timeout
    while (found := kernel_choices(page)) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return found


def test_lenet_kernels_are_offered_only_for_inputs_with_as_many_channels(app_page):
    open_page(app_page, "conv_layer")
    expected = ["Presets", "Random", "LeNet-5 conv1"]  # a gray photo: D = 1
    assert choices_become(app_page, expected) == expected
    choose_radio(app_page, "Kernels", "LeNet-5 conv1")
    choose_photo(app_page, "Astronaut")
    app_page.locator('[data-testid="stMain"]').get_by_text("Colour", exact=True).click()  # D = 3
    wait_idle(app_page)
    assert kernel_choices(app_page) == ["Presets", "Random"]
    assert "This input has D = 3, so neither fits it" in main_text(app_page)
    assert parameter_count(app_page) == "56"  # back to 2 presets: 2 * (3 * 3 * 3 + 1)


def test_lenet_conv2_on_pool1_activations_gives_the_draw_pages_maps(app_page):
    open_page(app_page, "conv_layer")
    choose_radio(app_page, "Input", "LeNet-5 activations")  # MNIST test digit 0, pool1: D = 6
    assert kernel_choices(app_page) == ["Presets", "Random", "LeNet-5 conv2"]
    choose_radio(app_page, "Kernels", "LeNet-5 conv2")
    app_page.get_by_role("button", name="Use conv2's own stride, padding and activation").click()
    wait_idle(app_page)
    assert parameter_count(app_page) == "2,416"  # 16 * (6 * 5 * 5 + 1)
    difference = float(find_in_main(app_page, r"Same as the Draw page's conv2 for this digit: largest difference "
                                              r"([0-9.]+e[-+]\d+)").group(1))
    assert difference < 1e-5
