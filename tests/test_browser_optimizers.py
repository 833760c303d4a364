"""The Optimizers, Dropout and batch norm, and Keras basics open-questions views in Chromium."""

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES
from lib.keras_views.optimizer_captions import describe_paths
from lib.keras_views.optimizer_paths import PRIMER_RATES, SURFACES, gradient_descent_1d
from lib.keras_views.optimizer_wording import primer_caption
from tests.browser import choose_radio, eventually, find_in_main, main_text, nudge_slider, open_page, set_number, wait_idle, widget


def table_cells(page) -> list[str]:
    """The cells of the results table, from the grid's accessible DOM table."""
    # The results table, not the chain-rule table above it: the one that names Adam.
    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text=OPTIMIZER_NAMES["adam"]).first
    grid.locator("td").first.wait_for(state="attached")
    return grid.locator("td").all_inner_texts()


def table_rates(page) -> dict[str, str]:
    """Each optimizer's learning rate as the results table shows it."""
    cells = table_cells(page)
    return {name: cells[cells.index(name) + 1] for name in OPTIMIZER_NAMES.values()}


def chart_points(page) -> str:
    return page.locator('.st-key-opt_chart .scatterlayer').first.inner_html()


def choose_surface(page, title: str) -> None:
    field = widget(page, "stSelectbox", "Surface").locator("input")
    field.click()
    field.fill(title)
    field.press("Enter")
    wait_idle(page)


def expected_caption(surface_name: str, rates: dict) -> list[str]:
    """The caption lib.keras_views.optimizer_captions writes for these rates, on Keras paths computed here."""
    from lib.keras_views.optimizer_paths import trajectory

    paths = {name: trajectory(name, surface_name, SURFACES[surface_name].start, 200, rates[name]) for name in rates}
    return describe_paths(surface_name, paths, rates, 200)


def test_each_surface_opens_with_its_suited_rates_and_their_caption(app_page):
    open_page(app_page, "optimizers")
    for surface_name in ("bowl", "rosenbrock"):
        if surface_name != "bowl":
            choose_surface(app_page, SURFACES[surface_name].title)
        suited = SURFACES[surface_name].suited_rates
        expected = {OPTIMIZER_NAMES[name]: f"{rate:g}" for name, rate in suited.items()}
        assert eventually(app_page, lambda: table_rates(app_page), expected.__eq__) == expected
        text = main_text(app_page)
        for sentence in expected_caption(surface_name, suited):
            assert sentence in text, sentence
    assert "Finding the valley is quick" in text


def test_keras_defaults_are_one_click_away_with_their_own_caption_and_explanation(app_page):
    open_page(app_page, "optimizers")
    choose_radio(app_page, "Learning rates", "Keras's defaults")
    expected = {OPTIMIZER_NAMES[name]: f"{rate:g}" for name, rate in KERAS_DEFAULT_LEARNING_RATES.items()}
    assert eventually(app_page, lambda: table_rates(app_page), expected.__eq__) == expected
    text = main_text(app_page)
    sentences = expected_caption("bowl", KERAS_DEFAULT_LEARNING_RATES)
    assert any(sentence.startswith("SGD at η = 0.01 does not zig-zag") for sentence in sentences)
    for sentence in sentences:
        assert sentence in text, sentence
    assert "zig-zags across the valley" not in text
    assert "at the start the gradient is 31.3 long and the minimum is 4.74 away" in text  # the expander opened
    choose_radio(app_page, "Learning rates", "Rates that suit this surface")
    assert eventually(app_page, lambda: table_rates(app_page)["SGD"], "0.09".__eq__) == "0.09"
    find_in_main(app_page, r"SGD zig-zags across the valley")


def test_changing_a_learning_rate_changes_its_path_the_table_and_the_caption(app_page):
    open_page(app_page, "optimizers")
    before_cells = table_cells(app_page)
    before_chart = chart_points(app_page)
    set_number(app_page, "SGD", 0.04)
    cells = eventually(app_page, lambda: table_cells(app_page), lambda now: now != before_cells)
    sgd = cells[cells.index("SGD"): cells.index("SGD") + 6]
    assert sgd[1] == "0.04"
    assert sgd != before_cells[before_cells.index("SGD"): before_cells.index("SGD") + 6]
    # Only SGD's row changed: the other optimizers kept their rates and results.
    assert cells[6:] == before_cells[6:]
    assert chart_points(app_page) != before_chart
    # The caption follows the new rate, and the rate set is now the learner's own.
    find_in_main(app_page, r"SGD at η = 0.04 does not zig-zag: each step multiplies y by 1 − 20η = 0.2")
    assert widget(app_page, "stRadio", "Learning rates").get_by_role("radio", name="Your own").is_checked()


def test_a_rate_too_large_is_drawn_until_it_diverges(app_page):
    open_page(app_page, "optimizers")
    set_number(app_page, "SGD", 0.5)
    find_in_main(app_page, r"SGD at rate 0.5 diverged: step \d+ left the finite numbers")
    find_in_main(app_page, r"SGD diverged: SGD at step \d+ left the finite numbers")


def test_out_of_range_rate_cannot_be_entered(app_page):
    open_page(app_page, "optimizers")
    set_number(app_page, "Adam", 50)
    cells = table_cells(app_page)
    assert cells[cells.index("Adam") + 1] == "0.2"  # the widget refused 50: Adam keeps the bowl's suited rate


def test_primer_shows_three_rates_and_redraws_the_learners_own(app_page):
    open_page(app_page, "optimizers")
    text = main_text(app_page)
    for name, rate in PRIMER_RATES.items():
        assert primer_caption(rate, gradient_descent_1d(rate)) in text, name
    nudge_slider(app_page, "Your learning rate", 30)  # 0.80 -> 1.10
    find_in_main(app_page, "Yours: η = 1.1")
    assert primer_caption(1.1, gradient_descent_1d(1.1)) in main_text(app_page)
    assert main_text(app_page).count("It diverges.") == 2


def test_chain_rule_table_follows_the_weights_and_matches_the_tape(app_page):
    from lib.keras_views.chain_rule import chain_rule, tape_gradients

    open_page(app_page, "optimizers")
    set_number(app_page, "w1", -2.0)
    by_hand, tape = chain_rule(w1=-2.0).gradients, tape_gradients(w1=-2.0)
    find_in_main(app_page, r"z = -2 x 1\.5 \+ 0\.1 = -2\.9000")  # the forward pass with the new w1
    table = app_page.locator('[data-testid="stDataFrame"]').filter(has_text="∂L/∂ŷ").first
    table.locator("td").filter(has_text="w1").first.wait_for(state="attached")  # the grid draws its cells after the run
    expected = [f"{by_hand['w1']:.6f}", f"{tape['w1']:.6f}"]

    def w1_gradients() -> list[str]:
        cells = table.locator("td").all_inner_texts()
        return cells[cells.index("w1"):][3:5]

    assert eventually(app_page, w1_gradients, expected.__eq__) == expected


def drawn_paths(page, chart) -> int:
    """The <path>s of a Plotly chart once it has drawn them all: two reads a moment apart agree (Plotly draws after
    the run has ended, so a read right after it can catch a chart half drawn: 44 of its 140 paths)."""
    last = [-1]

    def read() -> tuple[int, int]:
        previous, last[0] = last[0], chart.inner_html().count("<path")
        return previous, last[0]

    return eventually(page, read, lambda pair: pair[0] == pair[1] > 0)[1]


def test_dropout_button_draws_a_new_mask_and_test_time_never_changes(app_page):
    open_page(app_page, "regularizers")
    strips = app_page.locator('[data-testid="stPlotlyChart"]')
    strips.nth(1).wait_for()
    masks, tests = set(), set()
    for _ in range(4):
        masks.add(strips.nth(0).locator(".scatterlayer").inner_html())
        tests.add(drawn_paths(app_page, strips.nth(1)))
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
    # Why resize: LeNet-5's own dense head refuses the 64 x 64 digit's 14 x 14 x 16 maps.
    find_in_main(app_page, r"expected axis -1 of input shape to have value 400, but received input with shape \(1, 3136\)")
    find_in_main(app_page, r"\d+ scalars read back from")
