"""lib.engine.image_sets and lib.engine.labelled_images: your own classes read from folders, zips and drawings, brought
to MNIST's form."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lib.engine import image_sets, labelled_images
from lib.engine.config import TrainingConfig
from lib.engine.image_sets import (
    ImageSetError,
    evaluation_set,
    image_set_from_zip_bytes,
    load_image_set,
    prepare_image,
    read_image_bytes,
    stratified_split,
)
from lib.engine.labelled_images import ImageSet, build_image_set, check_class_name, image_set_zip_bytes, mnist_subset
from tests.shape_drawings import SHAPES, draw_shape, encoded, shape_files, shape_zip, write_shape_folder


def png(pixels, mode=None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8), mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def square_outline(size=(120, 90), box=(20, 10, 60, 50), ink=255, background=0, width=4) -> np.ndarray:
    """A gray image (height, width) with a square outline in `box` (left, top, right, bottom)."""
    pixels = np.full((size[1], size[0]), background, np.uint8)
    left, top, right, bottom = box
    pixels[top:bottom, left:right] = ink
    pixels[top + width: bottom - width, left + width: right - width] = background
    return pixels


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(image.max(axis=1) > 25), np.flatnonzero(image.max(axis=0) > 25)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    y, x = np.indices(image.shape)
    return np.array([(y * image).sum(), (x * image).sum()]) / image.sum()


# --- one image ------------------------------------------------------------------------------------------------

def test_a_shape_is_cropped_scaled_to_20_px_and_centred_by_mass_white_on_black():
    prepared = prepare_image(square_outline())
    assert prepared.shape == (28, 28) and prepared.dtype == np.uint8
    assert max(ink_box(prepared)) in (19, 20, 21)
    np.testing.assert_allclose(centre_of_mass(prepared.astype(float)), [13.5, 13.5], atol=0.6)
    assert prepared.max() == 255 and prepared[0].max() == prepared[-1].max() == 0


def test_dark_ink_on_light_paper_reads_as_light_ink_on_dark():
    light_on_dark = square_outline(ink=255, background=0)
    dark_on_light = square_outline(ink=10, background=240)
    np.testing.assert_allclose(prepare_image(dark_on_light).astype(int), prepare_image(light_on_dark).astype(int),
                               atol=2)


@pytest.mark.parametrize("background", [30, 128, 200])
def test_polarity_follows_the_background_not_a_fixed_threshold(background):
    """Mid-gray paper with darker ink, and darker paper with lighter ink, give the same prepared shape."""
    lighter = square_outline(ink=min(255, background + 60), background=background)
    darker = square_outline(ink=max(0, background - 60), background=background)
    reference = prepare_image(square_outline())
    for pixels in (lighter, darker):
        assert np.abs(prepare_image(pixels).astype(int) - reference).mean() < 3


def test_a_filled_shape_bigger_than_half_the_image_is_still_the_ink():
    filled = np.full((50, 50), 250, np.uint8)
    filled[5:45, 8:42] = 0  # most of the image is the (dark) shape; the border is paper
    prepared = prepare_image(filled)
    assert prepared[14, 14] == 255 and prepared[0, 0] == 0


@pytest.mark.parametrize("ink_colour", [(255, 255, 255), (0, 0, 0), (200, 30, 30)])
def test_the_transparent_background_of_rgba_is_background_whatever_the_inks_colour(ink_colour):
    outline = square_outline() > 0
    rgba = np.zeros((*outline.shape, 4), np.uint8)
    rgba[..., :3] = 255 - np.array(ink_colour, np.uint8)  # the hidden colour of transparent pixels is misleading
    rgba[outline, :3] = ink_colour
    rgba[outline, 3] = 255
    assert np.abs(prepare_image(rgba).astype(int) - prepare_image(square_outline())).mean() < 3


@pytest.mark.parametrize("pixels", [np.zeros((40, 40)), np.full((40, 40), 255), np.full((30, 50, 3), 128),
                                    np.zeros((40, 40, 4))], ids=["black", "white", "gray rgb", "transparent"])
def test_a_blank_image_is_refused(pixels):
    with pytest.raises(ImageSetError):
        prepare_image(pixels.astype(np.uint8))


def test_faint_paper_texture_is_not_ink():
    rng = np.random.default_rng(0)
    paper = (rng.normal(220, 4, (80, 80))).clip(0, 255).astype(np.uint8)
    with pytest.raises(ImageSetError):
        prepare_image(paper)
    paper[30:50, 38:42] = 20
    prepared = prepare_image(paper)
    assert max(ink_box(prepared)) in (19, 20, 21) and (prepared[:, :8] == 0).all()


def test_a_prepared_image_is_taken_as_it_is():
    prepared = prepare_image(square_outline())
    np.testing.assert_array_equal(prepare_image(prepared), prepared)


@pytest.mark.parametrize("extension", ["png", "jpg", "bmp"])
@pytest.mark.parametrize("rgb", [False, True])
def test_image_files_of_any_format_and_size_read_as_their_shape(extension, rgb):
    reference = prepare_image(square_outline())
    data = encoded(square_outline(size=(200, 150), box=(50, 40, 130, 120), width=8, ink=20, background=235),
                   extension, rgb=rgb)
    assert np.abs(read_image_bytes(data, f"a.{extension}").astype(int) - reference).mean() < 8


def test_an_animation_is_read_from_its_first_frame():
    first, second = Image.fromarray(square_outline()), Image.fromarray(np.zeros((90, 120), np.uint8))
    buffer = io.BytesIO()
    first.save(buffer, format="GIF", save_all=True, append_images=[second])
    np.testing.assert_allclose(read_image_bytes(buffer.getvalue(), "a.gif"), prepare_image(square_outline()), atol=2)


def test_exif_orientation_is_applied():
    bar = np.zeros((60, 60), np.uint8)
    bar[10:50, 28:32] = 255  # upright
    image = Image.fromarray(bar)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    height, width = ink_box(read_image_bytes(buffer.getvalue(), "a.jpg"))
    assert width > 3 * height  # shown lying down


def test_a_file_that_is_not_an_image_is_refused_naming_it():
    with pytest.raises(ImageSetError, match="notes.txt"):
        read_image_bytes(b"just some words", "notes.txt")


# --- class names and drawn sets ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   ", "a" * 41, "cats/dogs", "back\\slash", "tab\there", ".", "..",
                                  ".hidden", "__MACOSX"])
def test_unusable_class_names_are_refused(name):
    with pytest.raises(ImageSetError):
        check_class_name(name)


def test_a_class_name_is_stripped_and_may_hold_any_letters():
    assert check_class_name("  고양이 cat-1  ") == "고양이 cat-1"
    assert check_class_name("a" * 40) == "a" * 40


def drawn(count, seed=0):
    rng = np.random.default_rng(seed)
    return [prepare_image(draw_shape("circle", rng)) for _ in range(count)]


def test_a_drawn_set_sorts_its_classes_as_folders_are_sorted_and_counts_them():
    image_set = build_image_set({"zebra": drawn(2), "Apple": drawn(3), "apple pie": drawn(1)})
    assert image_set.class_names == ("Apple", "apple pie", "zebra")
    assert image_set.counts() == {"Apple": 3, "apple pie": 1, "zebra": 2}
    assert image_set.images.shape == (6, 28, 28) and image_set.images.dtype == np.uint8
    assert image_set.labels.dtype == np.int64 and list(image_set.labels) == [0, 0, 0, 1, 2, 2]


@pytest.mark.parametrize("examples, message", [
    ({"one": drawn(2)}, "1 class"),
    ({"a": drawn(1), "A": drawn(1)}, "both called"),
    ({"a": drawn(1), "b": []}, "no examples"),
    ({"a": drawn(1), "b": [np.zeros((20, 20))]}, "28 x 28"),
    ({"a": drawn(1), "b/c": drawn(1)}, "slash"),
])
def test_a_drawn_set_that_cannot_train_is_refused_in_one_line(examples, message):
    with pytest.raises(ImageSetError, match=message) as caught:
        build_image_set(examples)
    assert "\n" not in str(caught.value)


def test_too_many_drawings_are_refused(monkeypatch):
    monkeypatch.setattr(labelled_images, "MAX_IMAGES", 3)
    with pytest.raises(ImageSetError, match="at most 3"):
        build_image_set({"a": drawn(2), "b": drawn(2)})


def test_a_set_is_frozen_and_compares_by_its_contents():
    image_set = build_image_set({"a": drawn(1), "b": drawn(1, seed=1)})
    assert image_set == build_image_set({"b": drawn(1, seed=1), "a": drawn(1)})
    assert image_set != build_image_set({"a": drawn(1), "c": drawn(1, seed=1)})
    with pytest.raises(ValueError):
        image_set.images[0, 0, 0] = 1
    assert hash(image_set) == hash(build_image_set({"a": drawn(1), "b": drawn(1, seed=1)}))


def test_a_sets_zip_reads_back_to_the_same_set():
    image_set = build_image_set({"ring": drawn(3), "other ring": drawn(2, seed=5)})
    data = image_set_zip_bytes(image_set)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist())[0] == "other ring/0001.png"
    assert image_set_from_zip_bytes(data) == image_set


# --- folders and zips ----------------------------------------------------------------------------------------

MIXED = dict(sizes=((64, 64), (200, 150), (30, 45)), polarities=(False, True), extensions=("png", "jpg", "bmp"))


def test_a_folder_of_class_folders_reads_mixed_sizes_formats_and_polarities(tmp_path):
    files = shape_files(6, seed=0, **MIXED)
    image_set = load_image_set(write_shape_folder(tmp_path / "shapes", files))
    assert image_set.class_names == SHAPES
    assert image_set.counts() == dict.fromkeys(SHAPES, 6) and image_set.notes == ()
    for image in image_set.images:  # every one in MNIST's form
        assert max(ink_box(image)) in (19, 20, 21) and image.max() == 255
        np.testing.assert_allclose(centre_of_mass(image.astype(float)), [13.5, 13.5], atol=0.8)


def test_the_same_drawings_inverted_and_in_another_format_read_the_same(tmp_path):
    files = shape_files(3, seed=9, sizes=((64, 64),), polarities=(False,), extensions=("png",))
    inverted = {name.replace(".png", ".bmp"): encoded(255 - np.asarray(Image.open(io.BytesIO(data))), "bmp")
                for name, data in files.items()}
    light = load_image_set(write_shape_folder(tmp_path / "light", files))
    dark = load_image_set(write_shape_folder(tmp_path / "dark", inverted))
    assert light.class_names == dark.class_names and np.array_equal(light.labels, dark.labels)
    assert np.abs(light.images.astype(int) - dark.images).max() <= 2


@pytest.mark.parametrize("top", ["", "my shapes"])
def test_a_zip_holds_its_class_folders_at_its_top_or_in_one_top_folder(top, tmp_path):
    files = shape_files(3, seed=1, **MIXED)
    from_folder = load_image_set(write_shape_folder(tmp_path / "shapes", files))
    path = tmp_path / "shapes.zip"
    path.write_bytes(shape_zip(files, top=top))
    assert load_image_set(path) == from_folder == image_set_from_zip_bytes(path.read_bytes())


def test_macos_litter_and_hidden_files_are_ignored(tmp_path):
    files = shape_files(2, seed=2, shapes=("circle", "cross"))
    litter = {"__MACOSX/circle/._0000.png": b"\0\5\26\7", ".DS_Store": b"\0\0\0\1Bud1", "circle/.DS_Store": b"x",
              ".git/config": b"[core]", "cross/.hidden/0009.png": b"junk"}
    image_set = image_set_from_zip_bytes(shape_zip({**files, **litter}))
    assert image_set.class_names == ("circle", "cross") and image_set.notes == ()
    assert image_set == load_image_set(write_shape_folder(tmp_path / "s", {**files, **litter}))


def test_files_that_are_not_images_are_skipped_and_counted(tmp_path):
    files = {**shape_files(2, seed=3, shapes=("circle", "cross")), "circle/notes.txt": b"drawn on Monday",
             "cross/broken.png": b"\x89PNG\r\n\x1a\n broken", "cross/thumbs.db": b"\0" * 10}
    image_set = load_image_set(write_shape_folder(tmp_path / "s", files))
    assert image_set.counts() == {"circle": 2, "cross": 2}
    assert image_set.notes == ("3 files that are not images were skipped.",)


def test_a_file_beside_the_class_folders_is_noted_and_blank_images_skipped():
    files = {**shape_files(2, seed=4, shapes=("circle", "cross")), "README.md": b"# my set",
             "cross/empty.png": png(np.zeros((30, 30)))}
    image_set = image_set_from_zip_bytes(shape_zip(files))
    assert image_set.counts() == {"circle": 2, "cross": 2}
    assert image_set.notes == ("1 blank image was skipped.", "1 file outside the class folders was ignored.")


def bad_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD = png(square_outline())
REFUSED_ZIPS = {
    "one class": ({"circle/1.png": GOOD, "circle/2.png": GOOD}, "1 class; it needs at least 2"),
    "empty": ({}, "is empty"),
    "only folders": ({"circle/": b"", "cross/": b""}, "is empty"),
    "class of non-images": ({"circle/1.png": GOOD, "cross/1.txt": b"text"}, "'cross' has no readable image"),
    "nothing readable": ({"circle/1.txt": b"a", "cross/1.txt": b"b"}, "no image that can be read"),
    "climbs out": ({"circle/1.png": GOOD, "cross/../../evil.png": GOOD}, "climbs out"),
    "absolute": ({"circle/1.png": GOOD, "/etc/cross/1.png": GOOD}, "climbs out"),
    "drive letter": ({"circle/1.png": GOOD, "C:\\cross\\1.png": GOOD}, "climbs out"),
    "same names but case": ({"cat/1.png": GOOD, "Cat/1.png": GOOD}, "other than in case"),
    "bad class name": ({"circle/1.png": GOOD, f"{'x' * 41}/1.png": GOOD}, "longer than 40"),
}


@pytest.mark.parametrize("case", REFUSED_ZIPS)
def test_an_unusable_zip_is_refused_in_one_line(case):
    members, message = REFUSED_ZIPS[case]
    with pytest.raises(ImageSetError, match=message) as caught:
        image_set_from_zip_bytes(bad_zip(members))
    assert "\n" not in str(caught.value)


def test_a_zip_of_too_many_images_is_refused_before_any_is_read(monkeypatch):
    monkeypatch.setattr(labelled_images, "MAX_IMAGES", 3)
    monkeypatch.setattr(image_sets, "decode_image", lambda *args: pytest.fail("an image was read"))
    with pytest.raises(ImageSetError, match="4 images; at most 3"):
        image_set_from_zip_bytes(bad_zip({"a/1.png": GOOD, "a/2.png": GOOD, "b/1.png": GOOD, "b/2.png": GOOD}))


def test_a_zip_that_expands_past_the_byte_limit_is_refused_before_any_is_read(monkeypatch):
    monkeypatch.setattr(image_sets, "decode_image", lambda *args: pytest.fail("an image was read"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/1.png", GOOD)
        archive.writestr("b/bomb.png", b"\0" * (image_sets.MAX_BYTES + 1))  # compresses to a few kB
    assert len(buffer.getvalue()) < 1_000_000
    with pytest.raises(ImageSetError, match="the limit is 50 MB"):
        image_set_from_zip_bytes(buffer.getvalue())


def test_a_zip_file_over_the_byte_limit_is_refused_unread(monkeypatch, tmp_path):
    monkeypatch.setattr(image_sets, "MAX_BYTES", 1000)
    path = tmp_path / "big.zip"
    path.write_bytes(bad_zip({"a/1.png": GOOD, "b/1.png": GOOD, "b/2.png": b"x" * 2000}))
    with pytest.raises(ImageSetError, match="big.zip is 0 MB; the limit is 0 MB"):
        load_image_set(path)


def test_a_folder_over_the_limits_is_refused_before_any_image_is_read(monkeypatch, tmp_path):
    folder = write_shape_folder(tmp_path / "s", {"a/1.png": GOOD, "a/2.png": GOOD, "b/1.png": GOOD})
    monkeypatch.setattr(image_sets, "decode_image", lambda *args: pytest.fail("an image was read"))
    monkeypatch.setattr(labelled_images, "MAX_IMAGES", 2)
    with pytest.raises(ImageSetError, match="3 images; at most 2"):
        load_image_set(folder)
    monkeypatch.setattr(labelled_images, "MAX_IMAGES", 5000)
    monkeypatch.setattr(image_sets, "MAX_BYTES", 2 * len(GOOD))
    with pytest.raises(ImageSetError, match="MB of files"):
        load_image_set(folder)


def test_missing_paths_empty_folders_and_files_that_are_not_zips_are_refused(tmp_path):
    with pytest.raises(ImageSetError, match="does not exist"):
        load_image_set(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageSetError, match="is empty"):
        load_image_set(tmp_path / "empty")
    (tmp_path / "set.zip").write_text("not a zip at all")
    with pytest.raises(ImageSetError, match="neither a folder nor a zip"):
        load_image_set(tmp_path / "set.zip")
    with pytest.raises(ImageSetError, match="not a zip file"):
        image_set_from_zip_bytes(b"PK but no")


def test_a_password_protected_member_refuses_the_zip():
    data = bytearray(bad_zip({"a/1.png": GOOD, "b/1.png": GOOD}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 1  # bit 0 of the flags: encrypted
            start += 4
    with pytest.raises(ImageSetError, match="password"):
        image_set_from_zip_bytes(bytes(data))


# --- splits, starting points, evaluation ---------------------------------------------------------------------

def test_a_stratified_split_holds_out_part_of_every_class():
    labels = np.repeat([0, 1, 2, 3], [10, 2, 7, 1])
    train, validation = stratified_split(labels, 0.2, seed=0)
    assert sorted([*train, *validation]) == list(range(len(labels)))
    assert set(labels[validation]) == {0, 1, 2} and set(labels[train]) == {0, 1, 2, 3}
    assert np.bincount(labels[validation]).tolist() == [2, 1, 1]
    again = stratified_split(labels, 0.2, seed=0)
    assert np.array_equal(again[0], train) and not np.array_equal(stratified_split(labels, 0.2, seed=1)[1], validation)


def test_mnist_digits_0_to_2_are_a_starting_set(real_mnist_path, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(real_mnist_path))
    image_set = mnist_subset()
    assert image_set.class_names == ("0", "1", "2") and image_set.counts() == {"0": 30, "1": 30, "2": 30}
    assert image_set_from_zip_bytes(image_set_zip_bytes(image_set)) == image_set
    assert mnist_subset(per_class=5, seed=1) != mnist_subset(per_class=5, seed=2)


def test_the_evaluation_set_is_the_test_data_or_else_the_validation_part(tmp_path):
    data = tmp_path / "train.zip"
    data.write_bytes(shape_zip(shape_files(5, seed=5)))
    held = write_shape_folder(tmp_path / "held", shape_files(2, seed=6))
    image_set = load_image_set(data)
    validation = evaluation_set(TrainingConfig(data=str(data), seed=3))
    _train, expected = stratified_split(image_set.labels, 0.2, 3)
    assert validation == ImageSet(image_set.images[expected], image_set.labels[expected], image_set.class_names)
    assert evaluation_set(TrainingConfig(data=str(data), test_data=str(held))) == load_image_set(held)
    (held / "circle").rename(held / "disc")
    with pytest.raises(ImageSetError, match="are not the training data's"):
        evaluation_set(TrainingConfig(data=str(data), test_data=str(held)))


# --- folders that cannot be read, and links (the command line's --data) ---------------------------------------
# Tests run as root, whom permissions do not stop: an unreadable file or folder is simulated where it is read.

def two_shape_folder(root):
    return write_shape_folder(root, shape_files(2, seed=5, shapes=("circle", "cross")))


def test_a_file_that_cannot_be_read_refuses_the_set_in_one_line_naming_it(tmp_path, monkeypatch):
    folder = two_shape_folder(tmp_path / "set")
    locked = sorted((folder / "cross").iterdir())[0]
    real_read = Path.read_bytes

    def read_bytes(path):
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(ImageSetError) as refusal:
        load_image_set(folder)
    assert str(refusal.value) == f"{locked} cannot be read (Permission denied)."


def test_a_folder_that_cannot_be_read_is_reported_as_unreadable_not_empty(tmp_path, monkeypatch):
    import os

    folder = two_shape_folder(tmp_path / "set")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == folder / "circle":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(ImageSetError) as refusal:
        load_image_set(folder)
    assert str(refusal.value) == f"{folder / 'circle'} cannot be read (Permission denied)."


def test_a_zip_that_cannot_be_read_is_reported_as_unreadable(tmp_path, monkeypatch):
    data = tmp_path / "set.zip"
    data.write_bytes(shape_zip(shape_files(2, seed=5, shapes=("circle", "cross"))))
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
                        if path == data else real_read(path))
    with pytest.raises(ImageSetError, match=r"set.zip cannot be read \(Permission denied\)\.$"):
        load_image_set(data)


def test_a_linked_class_folder_is_followed_and_counts_as_a_class(tmp_path):
    elsewhere = write_shape_folder(tmp_path / "elsewhere", shape_files(2, seed=6, shapes=("square",)))
    folder = two_shape_folder(tmp_path / "set")
    (folder / "square").symlink_to(elsewhere / "square", target_is_directory=True)
    image_set = load_image_set(folder)
    assert image_set.class_names == ("circle", "cross", "square") and image_set.counts()["square"] == 2


def test_a_link_back_to_a_folder_above_is_refused_not_followed_for_ever(tmp_path):
    folder = two_shape_folder(tmp_path / "set")
    (folder / "circle" / "loop").symlink_to(folder, target_is_directory=True)
    with pytest.raises(ImageSetError, match="links to a folder that is read already"):
        load_image_set(folder)


def test_a_link_to_nothing_is_refused_naming_it(tmp_path):
    folder = two_shape_folder(tmp_path / "set")
    (folder / "cross" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    with pytest.raises(ImageSetError, match=r"gone.png is a link to nothing\.$"):
        load_image_set(folder)


# --- what decoding costs, refused before it is paid -------------------------------------------------------------

def blank_bomb_png(side: int = 6000) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")  # 36 M pixels in about 4.5 kB
    return buffer.getvalue()


def test_a_set_whose_images_declare_too_many_pixels_is_refused_before_any_is_decoded(monkeypatch):
    bomb = blank_bomb_png()
    count = image_sets.MAX_SET_PIXELS // 6000**2 + 1
    data = shape_zip({f"{'ab'[index % 2]}/{index}.png": bomb for index in range(count)})
    assert len(data) < 100_000 and count <= labelled_images.MAX_IMAGES  # within every limit on files and bytes

    def no_decoding(image):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(ImageSetError) as refusal:
        image_set_from_zip_bytes(data, "bombs.zip")
    assert str(refusal.value) == (f"bombs.zip holds images of {count * 6000**2:,} pixels in all; the limit is "
                                  f"{image_sets.MAX_SET_PIXELS:,}: use fewer or smaller images.")


def test_a_jpeg_counts_the_pixels_it_is_decoded_at_not_its_full_size():
    from lib.engine.image_prep import decoded_pixels

    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(buffer, format="JPEG")
    assert decoded_pixels(buffer.getvalue(), "photo.jpg") == 1000 * 750  # decoded at a quarter of each side
    assert decoded_pixels(blank_bomb_png(), "bomb.png") == 6000 * 6000
