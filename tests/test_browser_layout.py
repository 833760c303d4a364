"""Every page at a projector's 1280 x 720, in English and in Korean: nothing runs off the right edge, no picture
covers another, no label loses its end, the language switch is on the first screen, and the page reads in its
language (mostly Korean in Korean, no Korean in English)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from lib.i18n import _, language_override
from lib.server.navigation import all_pages, tagged
from lib.server.pages import EXPLORER
from tests.browser import (
    ACTION_TIMEOUT_MS,
    EXCEPTION_SELECTOR,
    HANGUL,
    MOSTLY,
    NOT_PROSE,
    new_context,
    open_page,
    prose_lines,
    use_workspace,
    visible_text,
    warm_up,
)

VIEWPORT = {"width": 1280, "height": 720}
# Pictures of every kind Streamlit draws: images, Plotly charts, canvases and component frames (the drawing canvas).
PICTURES = ('[data-testid="stImage"] img, [data-testid="stPlotlyChart"] .js-plotly-plot, canvas, '
            '[data-testid="stIFrame"], iframe, [data-testid="stVegaLiteChart"], [data-testid="stPyplot"] img')
TOLERANCE_PX = 2  # sub-pixel rounding and 1 px borders are not overlaps

# Widths in the page (whole document, the main area, its block container) against the width they have to show it.
OVERFLOW_JS = """() => {
  const measure = (name, element) => element && {name, scroll: element.scrollWidth, client: element.clientWidth};
  return [measure("document", document.scrollingElement),
          measure("main area", document.querySelector('[data-testid="stMain"]')),
          measure("main block container", document.querySelector('[data-testid="stMainBlockContainer"]'))]
         .filter(Boolean);
}"""

# Bounding boxes of the visible pictures in the main area, leaving out any picture inside another.
PICTURES_JS = """(selector) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const all = [...main.querySelectorAll(selector)].filter(element => {
    const style = getComputedStyle(element), box = element.getBoundingClientRect();
    // A data grid draws its cells on stacked canvases of its own: a table, not a picture.
    const grid = element.closest('[data-testid="stDataFrame"], [data-testid="stDataEditor"]');
    return !grid && box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  });
  const outer = all.filter(element => !all.some(other => other !== element && other.contains(element)));
  return outer.map(element => {
    const box = element.getBoundingClientRect();
    const chart = element.closest('[data-testid="stPlotlyChart"]');
    const title = element.querySelector && element.querySelector('.gtitle');
    const figure = element.closest('[data-testid="stImageContainer"]');
    const caption = figure && figure.querySelector('[data-testid="stImageCaption"]');
    const label = (title && title.textContent) || (caption && `image "${caption.textContent}"`)
                  || element.getAttribute("title") || (chart ? "plotly chart" : element.tagName.toLowerCase());
    return {label, left: box.left + scrollX, top: box.top + scrollY, right: box.right + scrollX,
            bottom: box.bottom + scrollY};
  });
}"""


def overlap(a: dict, b: dict) -> tuple[float, float]:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]),
            min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]))


def overlapping_pairs(boxes: list[dict]) -> list[str]:
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            width, height = overlap(a, b)
            if width > TOLERANCE_PX and height > TOLERANCE_PX:
                pairs.append(f"{a['label']!r} and {b['label']!r} overlap by {width:.0f} x {height:.0f} px")
    return pairs


def test_overlap_counts_only_boxes_that_share_more_than_the_tolerance():
    left = {"label": "a", "left": 0, "top": 0, "right": 100, "bottom": 100}
    touching = {"label": "b", "left": 99, "top": 0, "right": 200, "bottom": 100}
    covering = {"label": "c", "left": 50, "top": 50, "right": 150, "bottom": 150}
    assert overlapping_pairs([left, touching]) == []
    assert overlapping_pairs([left, covering]) == ["'a' and 'c' overlap by 50 x 50 px"]


@pytest.fixture(scope="module")
def projector(browser, streamlit_server):
    """One 1280 x 720 tab that visits the pages in turn."""
    if not streamlit_server.warmed:
        warm_up(browser, streamlit_server)
        streamlit_server.warmed = True
    context = new_context(browser, viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.app_url = streamlit_server.url
    yield page
    context.close()


def url_path(spec, lang: str = "en") -> str:
    return f"{'' if spec.default else Path(spec.path).stem}?lang={lang}"


@pytest.fixture(scope="module")
def projected(request, projector):
    """The projector tab on the page and in the language given as the parameter; one fixture for every test, so
    that a page is opened once for all the tests that look at it and the tab is always on the page the test
    names."""
    spec, lang = request.param
    open_page(projector, url_path(spec, lang))
    projector.wait_for_timeout(500)  # Plotly and images settle their size after the run ends
    assert projector.locator(EXCEPTION_SELECTOR).count() == 0, projector.locator(EXCEPTION_SELECTOR).first.inner_text()
    return projector


def layout_pages() -> list:
    """Every declared page (lib/server/pages.py), in the sidebar's order."""
    return list(all_pages())


LANGUAGES = ("en", "ko")
LAYOUT_PAGES = layout_pages()
every_page = pytest.mark.parametrize("projected", [(spec, lang) for spec in LAYOUT_PAGES for lang in LANGUAGES],
                                     indirect=True,
                                     ids=[f"{spec.title}-{lang}" for spec in LAYOUT_PAGES for lang in LANGUAGES])


@every_page
def test_page_has_no_horizontal_scroll_at_1280_by_720(projected):
    too_wide = [f"{width['name']}: {width['scroll']} px of content in {width['client']} px"
                for width in projected.evaluate(OVERFLOW_JS) if width["scroll"] > width["client"] + 1]
    assert not too_wide, too_wide


@every_page
def test_no_picture_overlaps_another_at_1280_by_720(projected):
    assert not overlapping_pairs(projected.evaluate(PICTURES_JS, PICTURES))


# Text that Streamlit clips where it does not fit: a label, a page link, a tab, a button or a table's cell whose
# text is wider than its box while its box hides what overflows.
CUT_LABELS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const hosts = '[data-testid="stPageLink"], [data-testid="stWidgetLabel"], [data-testid="stTab"], button, '
                + '[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stCaptionContainer"]';
  return [...main.querySelectorAll(hosts)].flatMap(host => [host, ...host.querySelectorAll('*')])
    .filter(element => {
      const style = getComputedStyle(element);
      return element.textContent.trim() && style.overflowX !== "visible" && style.display !== "none"
             && element.scrollWidth > element.clientWidth + 1;
    })
    .map(element => element.textContent.trim().slice(0, 80));
}"""
# Where the language switch must be, whatever the page: inside the first screen, so that a visitor who cannot
# read the current language finds it without scrolling.
SWITCH_JS = """() => {
  const box = document.querySelector('[data-testid="stSidebar"] .st-key-language_switch').getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right};
}"""


@every_page
def test_no_label_loses_its_end_at_1280_by_720(projected):
    assert not projected.evaluate(CUT_LABELS_JS)


# Captions squeezed under a narrow picture: a word wider than the caption's box (broken inside, "Croppe d"), or
# three words or more standing one per line.
SQUASHED_CAPTIONS_JS = """() => {
  const pen = document.createElement("canvas").getContext("2d");
  const captions = '[data-testid="stImageCaption"], [data-testid="stCaptionContainer"]';
  return [...document.querySelectorAll(`[data-testid="stMain"] :is(${captions})`)]
    .filter(element => element.offsetParent !== null && element.innerText.trim())
    .flatMap(element => {
      const style = getComputedStyle(element);
      pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const words = element.innerText.split(/\\s+/).filter(Boolean);
      const widest = Math.max(...words.map(word => pen.measureText(word).width));
      const range = document.createRange();
      range.selectNodeContents(element);
      const lines = new Set([...range.getClientRects()].map(box => Math.round(box.top))).size;
      const squashed = widest > element.clientWidth + 1 || (words.length >= 3 && lines >= words.length);
      return squashed ? [`${element.innerText.slice(0, 60)}: ${words.length} words on ${lines} lines in `
                         + `${element.clientWidth} px`] : [];
    });
}"""


@every_page
def test_no_caption_is_squashed_one_word_a_line_at_1280_by_720(projected):
    assert not projected.evaluate(SQUASHED_CAPTIONS_JS)


@every_page
def test_the_language_switch_is_on_the_first_screen_at_1280_by_720(projected):
    switch = projected.evaluate(SWITCH_JS)
    assert switch["top"] >= 0 and switch["bottom"] <= VIEWPORT["height"] / 4, switch
    for name in ("English", "한국어"):  # waited for: the sidebar is drawn again while a page reruns
        expect(projected.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True)).to_be_visible()


@every_page
def test_the_page_reads_in_its_language(projected, request):
    """What Chromium shows of the page, the text AppTest cannot see included (charts' and pictures' captions
    as drawn): in Korean, mostly Korean; in English, no Korean but the glossary table's Korean terms."""
    spec, lang = request.node.callspec.params["projected"]
    if lang == "ko":
        lines = prose_lines(visible_text(projected, tuple(NOT_PROSE)))
        korean = [line for line in lines if HANGUL.search(line)]
        assert lines and len(korean) / len(lines) >= MOSTLY, (
            f"{len(korean)} of {len(lines)} lines in Korean; not: {[line for line in lines if line not in korean][:15]}")
    else:
        leave_out = ('[data-testid="stTable"]',) if spec.path == "pages/start/glossary.py" else ()
        korean = [line for line in visible_text(projected, leave_out).splitlines() if HANGUL.search(line)]
        assert not korean, korean[:10]



def explorer_pages() -> list:
    """The pages declared as explorers (lib/server/pages.py): their own controls, and a colour scale on every
    heatmap."""
    return tagged(EXPLORER)


EXPLORERS = explorer_pages()
CONTROLS = ", ".join(f'[data-testid="{kind}"]' for kind in
                     ("stRadio", "stSelectbox", "stSlider", "stCheckbox", "stNumberInput", "stFileUploader",
                      "stMultiSelect", "stSelectSlider", "stToggle"))
# Plotly draws a heatmap in a layer of class "hm" and an image trace in one of class "im".
HEATMAPS_WITHOUT_SCALE_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
  .filter(plot => plot.querySelector('.hm, .im') && !plot.querySelector('.colorbar'))
  .map(plot => (plot.querySelector('.gtitle') || {}).textContent || "untitled chart")"""

every_explorer = pytest.mark.parametrize("projected", [(spec, "en") for spec in EXPLORERS], indirect=True,
                                         ids=[spec.title for spec in EXPLORERS])


@every_explorer
def test_explorer_controls_are_in_the_main_area_not_below_the_sidebar_links(projected):
    sidebar_controls = projected.locator(f'[data-testid="stSidebar"] :is({CONTROLS})')
    assert sidebar_controls.count() == 0, sidebar_controls.all_inner_texts()
    assert projected.locator(f'[data-testid="stMain"] :is({CONTROLS})').count() > 0


@every_explorer
def test_every_heatmap_on_an_explorer_has_a_colour_scale(projected):
    assert not projected.evaluate(HEATMAPS_WITHOUT_SCALE_JS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_canvas_and_its_answer_fit_the_first_screen_of_draw_at_1280_by_720(projector, lang):
    from tests.digit_strokes import DIGITS, place
    from tests.test_browser_draw import draw

    open_page(projector, f"draw?lang={lang}")
    draw(projector, place(DIGITS[3][0], 0.6, 0.2, 0.2))
    with language_override(lang):
        prediction, cropped = _("Prediction"), _("Cropped to the ink")
    answer = projector.locator('[data-testid="stMain"] [data-testid="stMetric"]').filter(has_text=prediction).first
    answer.wait_for()
    projector.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
    # The canvas is drawn in its component's shadow tree: Playwright's locators reach it, the page's own DOM does not.
    for name, element in (("canvas", projector.locator("canvas.upper-canvas").first), ("answer", answer)):
        box = element.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (name, box)
    # With a drawing, the preprocessing steps show, each under a small picture: their captions are not squashed.
    assert not projector.evaluate(SQUASHED_CAPTIONS_JS)
    assert projector.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').filter(
        has_text=cropped).count() == 1


@pytest.fixture(scope="module")
def workspace_with_runs(streamlit_server):
    """A workspace holding three runs that differ only in batch-norm momentum: names with words to fit."""
    from lib.engine.config import TrainingConfig
    from lib.runs.workspaces import new_token
    from tests.test_history_page import write_workspace_run

    token = new_token()
    for index, momentum in enumerate((0.9, 0.95, 0.99)):
        write_workspace_run(streamlit_server.runs_dir, token, TrainingConfig(
            optimizer="adam", epochs=2, train_samples=6000, batch_norm=True, batch_norm_momentum=momentum),
            f"20261202-00000{index}-aaaaa{index}")
    return token


@pytest.mark.parametrize("lang", LANGUAGES)
def test_history_with_your_runs_fits_1280_by_720_without_cut_labels(projector, workspace_with_runs, lang):
    use_workspace(projector, workspace_with_runs)
    open_page(projector, f"history?lang={lang}")
    projector.locator('[data-testid="stMain"] [data-testid="stTable"]').first.wait_for()
    projector.wait_for_timeout(500)
    too_wide = [width for width in projector.evaluate(OVERFLOW_JS) if width["scroll"] > width["client"] + 1]
    assert not too_wide, too_wide
    assert not projector.evaluate(CUT_LABELS_JS)
    tables = projector.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"]')]
        .map(table => ({scroll: table.scrollWidth, client: table.clientWidth}))""")
    assert tables and all(table["scroll"] <= table["client"] + 1 for table in tables), tables  # no sideways scroll
