"""A workspace's own-classes set on disk: kept whole, read back exactly, and never trusted before it is checked."""

import io
import zipfile

import numpy as np
import pytest

from lib.engine.image_sets import ImageSetError
from lib.engine.labelled_images import MAX_IMAGES
from lib.runs import own_sets
from lib.runs.own_sets import load_own_set, own_set_path, own_set_stamp, save_own_set
from lib.runs.workspaces import listing_fingerprint, new_token, workspace_dir


def a_set(counts=(3, 2), names=("circle", "cross")) -> dict:
    rng = np.random.default_rng(0)
    examples, next_id = {}, 0
    for name, count in zip(names, counts):
        examples[name] = []
        for _ in range(count):
            examples[name].append((next_id, rng.integers(0, 256, (28, 28), dtype=np.uint8)))
            next_id += 1
    return {"classes": list(names), "examples": examples, "next_id": next_id + 5, "version": 9}


def assert_same(left: dict, right: dict) -> None:
    assert left["classes"] == right["classes"] and left["next_id"] == right["next_id"]
    assert left["version"] == right["version"]
    for name in left["classes"]:
        assert [i for i, _ in left["examples"][name]] == [i for i, _ in right["examples"][name]]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(left["examples"][name], right["examples"][name]))


def test_a_saved_set_reads_back_exactly_classes_in_order_ids_and_pixels(tmp_path):
    token, examples = new_token(), a_set(names=("zebra", "apple"))
    save_own_set(token, examples, tmp_path)
    loaded, note = load_own_set(token, tmp_path)
    assert note is None
    assert_same(loaded, examples)


def test_a_set_with_an_empty_class_and_an_empty_set_read_back(tmp_path):
    token = new_token()
    save_own_set(token, a_set(counts=(0, 2)), tmp_path)
    assert load_own_set(token, tmp_path)[0]["examples"]["circle"] == []
    save_own_set(token, {"classes": [], "examples": {}, "next_id": 0, "version": 3}, tmp_path)
    assert load_own_set(token, tmp_path)[0] == {"classes": [], "examples": {}, "next_id": 0, "version": 3}


def test_a_workspace_without_a_set_has_none_and_no_note(tmp_path):
    assert load_own_set(new_token(), tmp_path) == (None, None)
    assert own_set_stamp(new_token(), tmp_path) is None


def test_the_set_is_kept_in_a_hidden_folder_of_the_workspace_and_only_for_a_valid_token(tmp_path):
    token = new_token()
    path = save_own_set(token, a_set(), tmp_path)
    assert path == workspace_dir(token, tmp_path) / ".own_set" / "set.npz" == own_set_path(token, tmp_path)
    assert [p.name for p in path.parent.iterdir()] == ["set.npz"], "no temporary file is left behind"
    with pytest.raises(ValueError):
        save_own_set("../../etc", a_set(), tmp_path)


def test_saving_a_set_does_not_change_the_run_listings_fingerprint(tmp_path):
    token = new_token()
    save_own_set(token, a_set(), tmp_path)
    before = listing_fingerprint(tmp_path)
    save_own_set(token, a_set(counts=(4, 4)), tmp_path)
    assert listing_fingerprint(tmp_path) == before


def test_the_stamp_changes_when_another_session_saves(tmp_path):
    token = new_token()
    save_own_set(token, a_set(), tmp_path)
    first = own_set_stamp(token, tmp_path)
    save_own_set(token, a_set(counts=(5, 1)), tmp_path)
    assert own_set_stamp(token, tmp_path) != first


def test_a_set_beyond_the_limit_is_refused_and_the_old_one_stays(tmp_path):
    token = new_token()
    save_own_set(token, a_set(), tmp_path)
    big = {"classes": ["a", "b"], "examples": {"a": [(i, np.zeros((28, 28), np.uint8)) for i in range(MAX_IMAGES)],
                                               "b": [(MAX_IMAGES, np.zeros((28, 28), np.uint8))]},
           "next_id": MAX_IMAGES + 1, "version": 1}
    with pytest.raises(ImageSetError, match="at most 5,000"):
        save_own_set(token, big, tmp_path)
    assert_same(load_own_set(token, tmp_path)[0], a_set())


def test_a_write_that_fails_halfway_leaves_the_old_set_whole(tmp_path, monkeypatch):
    token = new_token()
    save_own_set(token, a_set(), tmp_path)

    def fail(file, **arrays):
        file.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(own_sets.np, "savez_compressed", fail)
    with pytest.raises(OSError):
        save_own_set(token, a_set(counts=(9, 9)), tmp_path)
    monkeypatch.undo()
    assert_same(load_own_set(token, tmp_path)[0], a_set())
    assert [p.name for p in own_set_path(token, tmp_path).parent.iterdir()] == ["set.npz"]


def write_arrays(path, **changes):
    arrays = own_sets.set_arrays(a_set())
    arrays.update(changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


TAMPERED = {
    "label out of range": {"labels": np.array([0, 0, 0, 1, 2])},
    "negative label": {"labels": np.array([0, 0, -1, 1, 1])},
    "repeated id": {"ids": np.array([0, 0, 2, 3, 4])},
    "id past next_id": {"next_id": np.array(2)},
    "class name a path": {"classes": np.array(["../up", "cross"])},
    "repeated class": {"classes": np.array(["Circle", "circle"])},
    "images not bytes": {"images": np.zeros((5, 28, 28), np.float32)},
    "images another size": {"images": np.zeros((5, 27, 28), np.uint8)},
    "fewer ids than images": {"ids": np.array([0, 1])},
    "objects": {"classes": np.array([{"a": 1}, 2], dtype=object)},
    "newer format": {"format": np.array(2)},
    "no version": {"version": np.array([1, 2])},
}


@pytest.mark.parametrize("change", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_file_reads_as_no_set_with_a_note(tmp_path, change):
    token = new_token()
    write_arrays(own_set_path(token, tmp_path), **change)
    loaded, note = load_own_set(token, tmp_path)
    assert loaded is None and "could not be read back" in note


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40], ids=["empty", "text", "cut"])
def test_a_corrupt_file_reads_as_no_set_with_a_note(tmp_path, data):
    token = new_token()
    path = own_set_path(token, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    assert load_own_set(token, tmp_path)[0] is None and load_own_set(token, tmp_path)[1]


def test_a_file_missing_an_array_reads_as_no_set_with_a_note(tmp_path):
    token = new_token()
    path = own_set_path(token, tmp_path)
    path.parent.mkdir(parents=True)
    buffer = io.BytesIO()
    np.savez(buffer, classes=np.array(["a", "b"]))
    path.write_bytes(buffer.getvalue())
    assert load_own_set(token, tmp_path)[0] is None and load_own_set(token, tmp_path)[1]


def test_a_file_larger_than_any_set_is_not_opened(tmp_path, monkeypatch):
    token = new_token()
    save_own_set(token, a_set(), tmp_path)
    monkeypatch.setattr(own_sets, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr(own_sets.np, "load", lambda *args, **kwargs: pytest.fail("a file past the limit was opened"))
    assert load_own_set(token, tmp_path)[0] is None


def test_the_stored_file_holds_no_pickles(tmp_path):
    token = new_token()
    path = save_own_set(token, a_set(), tmp_path)
    with zipfile.ZipFile(path) as archive, np.load(path, allow_pickle=False) as arrays:
        assert sorted(archive.namelist()) == sorted(f"{name}.npy" for name in arrays.files)
        assert all(arrays[name].dtype != object for name in arrays.files)
