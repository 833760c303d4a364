"""The Keras basics page in Chromium: every tab renders, the loss example is editable, the short training runs."""

from tests.browser import find_in_main, nudge_slider, open_page, wait_idle


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def test_keras_basics_tabs_and_short_training(app_page, real_mnist_path):
    page = app_page
    open_page(page, "keras_basics")
    find_in_main(page, r"x_train\s*\(60000, 28, 28\) uint8")
    open_tab(page, "Model")
    find_in_main(page, r"784 x 128 \+ 128 = 100,480")
    open_tab(page, "Losses")
    find_in_main(page, r"sparse 1\.1769, categorical 1\.1769")
    open_tab(page, "Callbacks and TensorBoard")
    find_in_main(page, r"tensorboard --logdir ")
    open_tab(page, "Save and load")
    find_in_main(page, r"after set_weights it holds the trained ones \(equal: True\)")

    open_tab(page, "compile and fit")
    nudge_slider(page, "Epochs for the dense network", -2)
    page.get_by_role("button", name="Train the dense network").click()
    # One epoch of the dense network takes a few seconds now: it may be done before a progress redraw.
    find_in_main(page, r"Epoch 1/1, batch \d+/1875|Starting the training process|Last run:\s*finished", timeout=90)
    find_in_main(page, r"Last run:\s*finished", timeout=180)
    find_in_main(page, r"The shipped LeNet-5 reaches \*?\*?9\d\.\d\d%", timeout=30)
    find_in_main(page, r"Test accuracy\s*9\d\.\d\d%")
