"""Draw a digit in Chromium: the mouse draws on the canvas and the page reads every digit."""

import re

import pytest

from tests.browser import find_in_main, open_page, wait_idle, wait_settled
from tests.digit_strokes import DIGITS, PLACEMENTS, place

# Every digit drawn once with the mouse, the two handwriting styles taking turns, at every size and place of
# PLACEMENTS: what the canvas makes of the strokes is read as the strokes mean. The model on every digit in both
# styles, at every size and place and two pen widths, is tests/test_shipped_model.py's (drawings rasterized there).
CASES = [(digit, digit % 2, PLACEMENTS[digit % len(PLACEMENTS)]) for digit in DIGITS]


def draw(page, strokes) -> None:
    box = page.locator("canvas.upper-canvas").first.bounding_box()
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
        page.mouse.up()
    wait_settled(page)  # every stroke's update has reached the page, not only the first


def clear(page) -> None:
    page.get_by_role("button", name="Reset canvas & history").click()
    wait_idle(page)
    find_in_main(page, "The canvas is empty")


@pytest.fixture
def draw_page(app_page):
    open_page(app_page, "draw")
    find_in_main(app_page, "The canvas is empty")
    return app_page


def test_every_digit_drawn_with_the_mouse_is_read_correctly(draw_page):
    misread = []
    for digit, style, (size, left, top) in CASES:
        draw(draw_page, place(DIGITS[digit][style], size, left, top))
        predicted = int(find_in_main(draw_page, r"Prediction\s*(\d)").group(1))
        if predicted != digit:
            misread.append((digit, style, size, predicted))
        clear(draw_page)
    assert not misread, f"misread (digit, style, size, read as): {misread}"


def test_photo_of_a_digit_on_paper_is_read(draw_page, tmp_path):
    import numpy as np
    from PIL import Image

    from tests.digit_strokes import rasterize

    ink = rasterize(place(DIGITS[2][0], 0.6, 0.2, 0.2), width=20)[..., 0].astype(float)
    paper = 205 + 35 * np.linspace(0, 1, 280)[None, :]  # light paper, unevenly lit
    photo = tmp_path / "two.png"
    Image.fromarray(np.clip(paper - ink * 0.7, 0, 255).astype(np.uint8)).save(photo)
    draw_page.get_by_text("Photo of a digit", exact=True).click()
    wait_idle(draw_page)
    draw_page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    wait_idle(draw_page)
    find_in_main(draw_page, r"Prediction\s*2")


def test_a_small_digit_shows_its_steps_and_maps_and_why_this_answer_plays_a_counterfactual(draw_page):
    draw(draw_page, place(DIGITS[7][0], 0.3, 0.6, 0.6))  # small, bottom right
    find_in_main(draw_page, r"Prediction\s*7")
    # Polled, not read once: the prediction shows before the script has drawn the steps below it.
    for caption in ("Cropped to the ink", "Centred by mass", "conv1: 28x28, 6 channels", "pool2: 5x5, 16 channels",
                    "learned 5x5 kernels", "Model card"):
        find_in_main(draw_page, re.escape(caption))

    # Why this answer: both maps for the answer, then a push towards another digit, played back.
    guess = int(find_in_main(draw_page, r"Prediction\s*(\d)").group(1))
    text = find_in_main(draw_page, r"Evidence for \d.*").string
    assert f"Evidence for {guess}" in text and "Why this answer?" in text
    for title in (f"Occlusion: drop in p({guess})", f"Integrated gradients of p({guess})"):
        assert draw_page.get_by_text(title).count() >= 1, title
    # Two more methods: made and drawn once their expander is opened (not on every stroke).
    assert draw_page.get_by_text(f"SmoothGrad of p({guess})").count() == 0
    draw_page.locator('[data-testid="stExpander"] summary').filter(has_text="Two more methods").click()
    wait_idle(draw_page)
    for title in (f"SmoothGrad of p({guess})", f"Grad-CAM of p({guess}) on conv2"):
        draw_page.get_by_text(title).first.wait_for()
    target = 3 if guess != 3 else 8
    box = draw_page.locator('[data-testid="stSelectbox"]').filter(has_text="Push the drawing towards")
    box.locator("input").click()
    box.locator("input").press_sequentially(f"{target} (now")
    box.locator("input").press("Enter")
    wait_idle(draw_page)
    find_in_main(draw_page, rf"the network reads {target} with p = |p\({target}\) only reached")
    frames = draw_page.locator('[data-testid="stSlider"]').filter(has_text="Frame")
    frames.get_by_role("slider").focus()
    frames.get_by_role("slider").press("Home")
    wait_idle(draw_page)
    find_in_main(draw_page, rf"What changed \(p\({target}\) = ")
