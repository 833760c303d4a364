"""The Keras basics page in Chromium: every tab renders, the loss and metric examples compute, the short training
runs with the learning rate typed into the box."""

import json

from tests.browser import find_in_main, nudge_slider, open_page, published_runs, set_number
from tests.browser_runs import open_tab


def test_keras_basics_tabs_render_their_computed_examples(app_page, real_mnist_path):
    page = app_page
    open_page(page, "keras_basics")
    find_in_main(page, r"x_train\s*\(60000, 28, 28\) uint8")
    open_tab(page, "Model")
    find_in_main(page, r"784 x 128 \+ 128 = 100,480")
    open_tab(page, "Losses")
    find_in_main(page, r"sparse 1\.1769, categorical 1\.1769")
    open_tab(page, "Callbacks and TensorBoard")
    find_in_main(page, r"tensorboard --logdir ")  # the test server is on 127.0.0.1: a local visitor
    open_tab(page, "Save and load")
    find_in_main(page, r"after set_weights it holds the trained ones \(equal: True\)")
    open_tab(page, "Open questions")
    find_in_main(page, r"After 3 updates: 66\.67%, the share of predictions equal to the ground truth \(2 of 3\)")


def test_short_training_uses_the_learning_rate_in_the_box(app_page, streamlit_server, real_mnist_path):
    page = app_page
    open_page(page, "keras_basics")
    open_tab(page, "compile and fit")
    set_number(page, "Learning rate for SGD", 0.25)
    find_in_main(page, r"SGD\(learning_rate=0\.25\)` sets it: 0\.25|SGD\(learning_rate=0\.25\) sets it: 0\.25")
    nudge_slider(page, "Epochs for the dense network", -2)
    runs_before = set(published_runs(streamlit_server))
    page.get_by_role("button", name="Train the dense network with SGD(learning_rate=0.25)").click()
    # One epoch of the dense network takes a few seconds now: it may be done before a progress redraw.
    find_in_main(page, r"Epoch 1/1, batch \d+/1875|Starting the training process|Last run:\s*finished", timeout=90)
    find_in_main(page, r"Last run:\s*finished", timeout=180)
    find_in_main(page, r"Test accuracy\s*9\d\.\d\d%")
    find_in_main(page, r"config\.json asks for learning rate 0\.25; its optimizer reported 0\.25")
    find_in_main(page, r"The shipped LeNet-5 reaches \*?\*?9\d\.\d\d%")

    new_runs = set(published_runs(streamlit_server)) - runs_before
    assert len(new_runs) == 1, new_runs
    config = json.loads((new_runs.pop() / "config.json").read_text())
    assert config["learning_rate"] == 0.25 and config["optimizer"] == "sgd" and config["epochs"] == 1
