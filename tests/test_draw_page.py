"""The Draw page through AppTest: every model is offered, two runs of one name each under a label of its own."""

from streamlit.testing.v1 import AppTest

from lib.runs.store import SHIPPED_MODEL, set_shared
from lib.runs.workspaces import new_token, workspace_dir
from tests.conftest import ROOT
from tests.run_folders import make_run


def test_two_runs_of_one_name_are_both_listed_and_each_can_be_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token, classmate = new_token(), new_token()
    mine = make_run(workspace_dir(token, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL)
    also_mine = make_run(workspace_dir(token, tmp_path), "20260101-000001-dup", name="dup", model=SHIPPED_MODEL)
    set_shared(make_run(workspace_dir(classmate, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL),
               True)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/draw/draw.py")
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    picker = app.selectbox(key="draw_model")
    shown = set(picker.options)  # AppTest lists the options as the page shows them
    assert {"my runs: dup (20260101-000000-dup)", "my runs: dup (20260101-000001-dup)", "shared: dup"} <= shown
    assert len(set(picker.options)) == len(picker.options)
    for path in (also_mine, mine):  # the options are the runs' model paths: each is chosen by its own
        picker.set_value(str(path / "model.keras")).run()
        assert not app.exception, [exception.message for exception in app.exception]
        picker = app.selectbox(key="draw_model")
        assert picker.value == str(path / "model.keras")
        assert picker.options[picker.index] == f"my runs: dup ({path.name})"


def test_receptive_fields_offers_both_runs_of_one_name_and_opens_on_the_shipped_model(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    second = make_run(workspace_dir(token, tmp_path), "20260101-000001-dup", name="dup", model=SHIPPED_MODEL)
    make_run(workspace_dir(token, tmp_path), "20260101-000000-dup", name="dup", model=SHIPPED_MODEL)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.session_state["workspace_token"] = token
    app.run()
    app.switch_page("pages/draw/receptive.py")
    app.run()
    picker = app.selectbox(key="receptive_model")
    assert picker.value == str(SHIPPED_MODEL)
    assert {"my runs: dup (20260101-000000-dup)", "my runs: dup (20260101-000001-dup)"} <= set(picker.options)
    picker.set_value(str(second / "model.keras")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert app.selectbox(key="receptive_model").value == str(second / "model.keras")


def uploader_types(app: AppTest) -> set[str]:
    (uploader,) = app.get("file_uploader")
    return set(uploader.proto.type)


def test_draw_accepts_the_image_kinds_the_explorers_accept_animated_gifs_included(tmp_path, monkeypatch):
    import io

    import numpy as np
    from PIL import Image

    from lib.explore.drawing import preprocess_photo
    from lib.explore.images import load_upload

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/draw/draw.py")
    app.run()
    app.radio(key="draw_source").set_value("Photo of a digit").run()
    assert not app.exception, [exception.message for exception in app.exception]
    draw_types = uploader_types(app)
    explorer = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    explorer.run()
    explorer.switch_page("pages/operations/convolution.py")
    explorer.run()
    explorer.radio(key="conv_source").set_value("Upload").run()
    assert draw_types >= uploader_types(explorer) and {".gif", ".tif", ".tiff"} <= draw_types
    # An animated GIF of a dark digit on light paper reads as its first frame, with a note saying so.
    frames = [Image.new("L", (56, 56), 255) for _ in range(3)]
    for index, frame in enumerate(frames):  # frames that differ, or the GIF writer merges them
        frame.paste(0, (24 + index, 8, 32 + index, 48))
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    photo = load_upload(buffer.getvalue(), "one.gif")
    assert any("animated (3 frames)" in note for note in photo.notes)
    assert np.asarray(preprocess_photo(photo.pixels).image).max() > 0
