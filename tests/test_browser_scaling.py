"""The Scaling out page in Chromium follows the Training form; the Training page lists devices."""

import re

from tests.browser import find_in_main, go_to_page, main_text, open_page, set_number


def test_scaling_commands_follow_the_training_form(app_page):
    open_page(app_page, "train")
    app_page.get_by_text("Devices and strategy (tf.distribute)").click()
    # requirements.txt installs tensorflow-cpu, requirements-gpu.txt the CUDA build: the sentence must fit either.
    build = find_in_main(app_page, r"TensorFlow [\d.]+ \((?P<packages>[^;)]+); (?P<build>a CPU-only build|built "
                                   r"with CUDA)\) sees (?P<devices>[^\n]*?)\.(?=\s|$)")
    assert re.fullmatch(r"(tensorflow(-cpu|-gpu)? [\d.]+(, )?)+", build["packages"]), build.group(0)
    assert "CPU:0" in build["devices"].split(", ")
    if build["build"] == "a CPU-only build":
        assert "GPU" not in build["devices"] and "No GPU in use" in main_text(app_page)
    set_number(app_page, "Epochs", 7)
    go_to_page(app_page, "Scaling out")
    text = find_in_main(app_page, r"python -m lib.cli[^\n]*--epochs=7[^\n]*").group(0)
    assert "--strategy=multiworker" in text and "--optimizer=adam" in text
    find_in_main(app_page, r'TF_CONFIG=\'\{"cluster": \{"worker": \["10.0.0.1:12345", "10.0.0.2:12345"\]\}, '
                           r'"task": \{"type": "worker", "index": 1\}\}\'')
