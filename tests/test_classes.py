"""lib.runs.classes: codes, rights, limits, closed classes and concurrent writers, on run folders in a tmp dir."""

import json
import threading

import pytest

from lib.runs.class_rights import close_class, create_class, delete_class, hand_in, join_class, remove_entry
from lib.runs.classes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    STUDENT,
    TEACHER,
    VISITOR,
    ClassError,
    class_codes,
    class_path,
    load_class,
    valid_code,
)
from lib.runs.workspaces import new_token, workspace_dir
from tests.run_folders import make_run

CURVE = [{"epoch": epoch, "loss": 0.5, "accuracy": 0.9, "val_loss": 0.4, "val_accuracy": value}
         for epoch, value in enumerate((0.91, 0.95, 0.93), start=1)]


@pytest.fixture
def root(tmp_path):
    return tmp_path / "runs"


@pytest.fixture
def teacher():
    return new_token()


def finished_run(root, token, run_id="20260101-000000-run-abc123", **kwargs):
    make_run(workspace_dir(token, root), run_id, history=CURVE, **kwargs)
    return run_id


def student(root, code, name):
    token = new_token()
    join_class(code, token, name, root=root)
    return token


def test_a_new_class_has_a_code_of_the_unambiguous_alphabet_and_its_creator_as_teacher(root, teacher):
    found = create_class(teacher, "  Period 3  ", root=root)
    assert len(found.code) == CODE_LENGTH and set(found.code) <= set(CODE_ALPHABET)
    assert not set(found.code) & set("0O1I")
    read = load_class(found.code, root)
    assert read.title == "Period 3" and read.role(teacher) == TEACHER and read.role(new_token()) == VISITOR


def test_the_class_file_keeps_a_hash_of_the_teachers_token_never_the_token(root, teacher):
    found = create_class(teacher, "Period 3", root=root)
    token = student(root, found.code, "Ann")
    text = class_path(found.code, root).read_text()
    assert teacher not in text and token not in text


@pytest.mark.parametrize("value", ["../../etc", "ABC", "ABCDE0", "ABCDEI", "ABCDEFG", "", None, 123, "A" * 5000,
                                   "ABC/EF", "ABCDE\n"])
def test_bad_codes_are_refused_before_they_become_a_path(root, value):
    assert valid_code(value) is None
    with pytest.raises(ClassError, match="class code"):
        load_class(value, root)
    assert not (root / "classes").exists() or not any((root / "classes").iterdir())


def test_a_code_is_read_in_any_case_with_spaces_or_dashes(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    assert valid_code(f" {code[:3].lower()}-{code[3:]} ") == code
    assert load_class(code.lower(), root).code == code


def test_an_unknown_code_says_there_is_no_such_class(root):
    with pytest.raises(ClassError, match="no class with the code 234567"):
        load_class("234567", root)


def test_a_corrupt_class_file_is_refused_in_words(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    class_path(code, root).write_text("{not json")
    with pytest.raises(ClassError, match=f"Class {code} cannot be read"):
        load_class(code, root)


@pytest.mark.parametrize("damage", [lambda data: data["entries"].append({"id": "x"}),
                                    lambda data: data["entries"][0].update(final_val_accuracy="high"),
                                    lambda data: data["members"].update(someone=["not", "a", "member"])])
def test_a_class_file_with_damaged_entries_or_members_is_refused_in_words(root, teacher, damage):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    hand_in(code, ann, finished_run(root, ann), root=root)
    data = json.loads(class_path(code, root).read_text())
    damage(data)
    class_path(code, root).write_text(json.dumps(data))
    with pytest.raises(ClassError, match=f"Class {code} cannot be read"):
        load_class(code, root)


@pytest.mark.parametrize("name", ["", "   ", "a" * 41, "Ann\nBob", "tab\there", "evil\u202eeman"])
def test_display_names_that_are_empty_too_long_or_hold_control_characters_are_refused(root, teacher, name):
    code = create_class(teacher, "Period 3", root=root).code
    with pytest.raises(ClassError):
        join_class(code, new_token(), name, root=root)
    assert load_class(code, root).members == {}


def test_two_members_cannot_share_a_display_name_but_one_can_rename_themselves(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    with pytest.raises(ClassError, match="already goes by that name"):
        join_class(code, new_token(), "ANN", root=root)
    join_class(code, ann, "Ann K.", root=root)
    found = load_class(code, root)
    assert found.member_name(ann) == "Ann K." and len(found.members) == 1 and found.role(ann) == STUDENT


def test_a_member_hands_in_a_finished_run_as_a_snapshot_without_paths_or_tokens(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    run_id = finished_run(root, ann, name="my adam")
    entry = hand_in(code, ann, run_id, root=root)
    assert (entry["name"], entry["run_name"], entry["optimizer"]) == ("Ann", "my adam", "adam")
    assert (entry["best_val_accuracy"], entry["best_epoch"], entry["final_val_accuracy"]) == (0.95, 2, 0.93)
    text = class_path(code, root).read_text()
    assert str(root) not in text and ann not in text and teacher not in text
    assert [saved["id"] for saved in load_class(code, root).entries] == [entry["id"]]


def test_the_same_run_cannot_be_handed_in_twice(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    run_id = finished_run(root, ann)
    hand_in(code, ann, run_id, root=root)
    with pytest.raises(ClassError, match="already handed in"):
        hand_in(code, ann, run_id, root=root)


def test_a_visitor_who_has_not_joined_cannot_hand_in(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    stranger = new_token()
    with pytest.raises(ClassError, match="Join class"):
        hand_in(code, stranger, finished_run(root, stranger), root=root)
    assert load_class(code, root).entries == []


def test_nobody_can_hand_in_another_workspaces_run_or_a_path(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann, bob = student(root, code, "Ann"), student(root, code, "Bob")
    anns_run = finished_run(root, ann)
    for run_id in (anns_run, f"../{ann}/{anns_run}", "/etc"):
        with pytest.raises(ClassError, match="own workspace"):
            hand_in(code, bob, run_id, root=root)


@pytest.mark.parametrize("kwargs, message", [({"status": "failed"}, "finished"),
                                             ({"config": {"data": "digits.zip"}}, "MNIST"),
                                             ({"name": "two\nlines"}, "control character")])
def test_runs_that_cannot_be_compared_are_refused_in_one_line(root, teacher, kwargs, message):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    with pytest.raises(ClassError, match=message) as refused:
        hand_in(code, ann, finished_run(root, ann, **kwargs), root=root)
    assert "\n" not in str(refused.value)


def test_a_student_withdraws_their_own_entry_but_not_anothers(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann, bob = student(root, code, "Ann"), student(root, code, "Bob")
    anns = hand_in(code, ann, finished_run(root, ann), root=root)
    bobs = hand_in(code, bob, finished_run(root, bob), root=root)
    with pytest.raises(ClassError, match="Only the teacher"):
        remove_entry(code, bob, anns["id"], root=root)
    with pytest.raises(ClassError, match="Only the teacher"):
        remove_entry(code, new_token(), anns["id"], root=root)
    remove_entry(code, bob, bobs["id"], root=root)
    assert [entry["id"] for entry in load_class(code, root).entries] == [anns["id"]]


def test_the_teacher_removes_any_entry(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    anns = hand_in(code, ann, finished_run(root, ann), root=root)
    remove_entry(code, teacher, anns["id"], root=root)
    assert load_class(code, root).entries == []


def test_only_the_teacher_closes_a_class_and_a_closed_class_takes_no_change_from_students(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    anns = hand_in(code, ann, finished_run(root, ann), root=root)
    with pytest.raises(ClassError, match="Only the class's teacher"):
        close_class(code, ann, root=root)
    assert not load_class(code, root).closed
    close_class(code, teacher, root=root)
    for attempt in (lambda: join_class(code, new_token(), "Cy", root=root),
                    lambda: hand_in(code, ann, finished_run(root, ann, run_id="20260102-000000-b-abc123"), root=root),
                    lambda: remove_entry(code, ann, anns["id"], root=root)):
        with pytest.raises(ClassError, match="is closed"):
            attempt()
    remove_entry(code, teacher, anns["id"], root=root)  # the teacher may still take a run off
    assert load_class(code, root).entries == []


def test_a_closed_class_can_be_deleted_by_its_teacher_alone(root, teacher):
    code = create_class(teacher, "Period 3", root=root).code
    with pytest.raises(ClassError, match="Close the class"):
        delete_class(code, teacher, root=root)
    close_class(code, teacher, root=root)
    with pytest.raises(ClassError, match="Only the class's teacher"):
        delete_class(code, new_token(), root=root)
    delete_class(code, teacher, root=root)
    assert class_codes(root) == []


def test_the_server_keeps_at_most_its_limit_of_classes(root, teacher, monkeypatch):
    monkeypatch.setenv("CNN_LAB_MAX_CLASSES", "2")
    create_class(teacher, "A", root=root)
    create_class(teacher, "B", root=root)
    with pytest.raises(ClassError, match="already keeps 2 classes"):
        create_class(teacher, "C", root=root)
    assert len(class_codes(root)) == 2


def test_a_class_takes_at_most_its_limit_of_members_but_a_member_may_rejoin(root, teacher, monkeypatch):
    monkeypatch.setenv("CNN_LAB_CLASS_MEMBERS", "2")
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    student(root, code, "Bob")
    with pytest.raises(ClassError, match="already has 2 students"):
        join_class(code, new_token(), "Cy", root=root)
    join_class(code, ann, "Ann", root=root)
    assert len(load_class(code, root).members) == 2


def test_a_board_holds_at_most_its_limit_of_runs(root, teacher, monkeypatch):
    monkeypatch.setenv("CNN_LAB_CLASS_RUNS", "1")
    code = create_class(teacher, "Period 3", root=root).code
    ann = student(root, code, "Ann")
    hand_in(code, ann, finished_run(root, ann), root=root)
    with pytest.raises(ClassError, match="already holds 1 runs"):
        hand_in(code, ann, finished_run(root, ann, run_id="20260102-000000-b-abc123"), root=root)


def test_concurrent_joins_and_hand_ins_are_all_kept_and_the_limit_holds(root, teacher, monkeypatch):
    monkeypatch.setenv("CNN_LAB_CLASS_RUNS", "15")
    code = create_class(teacher, "Period 3", root=root).code
    tokens = [new_token() for _ in range(20)]
    for index, token in enumerate(tokens):
        finished_run(root, token, run_id=f"20260101-000000-r{index}-abc123")
    errors, barrier = [], threading.Barrier(len(tokens))

    def take_part(index, token):
        barrier.wait()
        join_class(code, token, f"student {index}", root=root)
        try:
            hand_in(code, token, f"20260101-000000-r{index}-abc123", root=root)
        except ClassError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=take_part, args=pair) for pair in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = load_class(code, root)
    assert len(found.members) == 20 and len(found.entries) == 15
    assert len(errors) == 5 and all("already holds 15 runs" in error for error in errors)
    json.loads(class_path(code, root).read_text())  # whole, never half-written
