"""Content loading: every shipped file loads; broken files name file, item and field; all-or-nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

from content import QUESTIONS_DIR, SYLLABUS_PATH
from content.cli import run_validate
from content.loader import Bank, ContentError, load_bank, load_syllabus


def test_syllabus_has_5_topics_15_subtopics_105_objectives() -> None:
    s = load_syllabus()
    assert len(s.topics) == 5
    assert sum(len(t.subtopics) for t in s.topics) == 15
    objs = s.objectives()
    assert len(objs) == 105 and objs[0].id == "1.1.1" and objs[-1].id == "5.3.7"
    assert s.objective("3.2.4").text.startswith("Given a scenario, choose a rollback vs retrain")
    assert s.topic("3").title == "Model Registry, Governance & Release Management"


def test_every_shipped_question_file_loads(bank: Bank) -> None:
    files = sorted(QUESTIONS_DIR.glob("*.yaml"))
    assert files, "no question files shipped"
    assert len(bank.questions) >= len(files)
    subtopics = {q.subtopic_id for q in bank.questions}
    assert {p.stem for p in files} <= subtopics
    for q in bank.questions:
        assert len(q.options) == 4 and q.answer in "ABCD" and q.explanation and all(q.rationales)


def test_shipped_content_validates() -> None:
    out = io.StringIO()
    files = sorted(QUESTIONS_DIR.glob("*.yaml"))
    code = run_validate(out, files)  # per-file checks; the whole-bank checks are in test_bank.py
    assert code == 0, out.getvalue()[-3000:]


def _copy_bank(tmp_path: Path) -> Path:
    dst = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, dst)
    return dst


def _first_file(d: Path) -> Path:
    return sorted(d.glob("*.yaml"))[0]


def test_broken_field_names_file_item_and_field(tmp_path: Path) -> None:
    d = _copy_bank(tmp_path)
    f = _first_file(d)
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    item_id = data["items"][1]["id"]
    data["items"][1]["answer"] = "E"
    data["items"][1]["colour"] = "red"
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_bank(load_syllabus(), d)
    text = str(err.value)
    assert f.name in text and item_id in text and "field answer" in text and "field colour" in text


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    d = _copy_bank(tmp_path)
    f = _first_file(d)
    f.write_text(f.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_bank(load_syllabus(), d)
    assert f.name in str(err.value) and "line" in str(err.value)


def test_nothing_is_half_loaded(tmp_path: Path) -> None:
    d = _copy_bank(tmp_path)
    f = sorted(d.glob("*.yaml"))[-1]
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    del data["items"][-1]["stem"]
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    bank = None
    with pytest.raises(ContentError):
        bank = load_bank(load_syllabus(), d)
    assert bank is None


def test_validate_fails_clearly_on_a_broken_copy(tmp_path: Path) -> None:
    d = _copy_bank(tmp_path)
    f = _first_file(d)
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    item = data["items"][0]
    item["stem"] = "Which of the following is NOT a good idea?"
    item["options"]["A"] = "All of the above"
    item["rationales"]["B"] = "Incorrect. Unlike option A, this one is wrong for the reason given in the docs."
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    assert run_validate(out, [f]) == 1
    text = out.getvalue()
    for check in ("I-03", "I-06", "P-01"):
        assert f"BLOCK {check} {f}" in text and item["id"] in text, text
    assert "content validate: FAILED" in text


def test_duplicate_ids_across_files_are_reported(tmp_path: Path) -> None:
    d = _copy_bank(tmp_path)
    f = _first_file(d)
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    data["items"].append(dict(data["items"][0]))
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_bank(load_syllabus(), d)
    assert "duplicate id" in str(err.value)


def test_syllabus_path_is_inside_the_package() -> None:
    assert SYLLABUS_PATH.exists() and "shared" not in SYLLABUS_PATH.parts
