"""Turn the YAML syllabus and question files into core objects, or say exactly what is wrong.

Every problem names the file, the item id and the field. Loading is all-or-nothing: if any file or
item is invalid, :class:`ContentError` is raised and no partial bank is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.model import ExamFormat, Objective, Question, Subtopic, Syllabus, Topic
from content import QUESTIONS_DIR, SYLLABUS_PATH
from content.schema import BankFile, ItemModel, SyllabusFile

__all__ = [
    "Bank",
    "ContentError",
    "Problem",
    "load_bank",
    "load_content",
    "load_syllabus",
    "read_bank_files",
]

_FILE_RE = re.compile(r"^[1-5]\.[1-3]\.yaml$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, located as precisely as possible."""

    file: str
    item: str | None
    field: str | None
    message: str
    level: str = "BLOCK"  # BLOCK | WARN
    check: str = "I-01"

    def __str__(self) -> str:
        where = self.file
        if self.item:
            where += f" item {self.item}"
        if self.field:
            where += f" field {self.field}"
        return f"{self.level} {self.check} {where}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} content problem(s):\n{lines}{more}")


@dataclass(frozen=True, slots=True)
class LoadedItem:
    """A validated item with where it came from (for lint)."""

    file: str
    model: ItemModel


@dataclass(frozen=True, slots=True)
class Bank:
    syllabus: Syllabus
    questions: tuple[Question, ...]
    items: tuple[LoadedItem, ...]

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ContentError(
            [Problem(str(path), None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]
        ) from exc
    except OSError as exc:
        raise ContentError([Problem(str(path), None, None, f"cannot read: {exc}")]) from exc


def _loc(err: Any) -> str:
    return ".".join(str(p) for p in err["loc"]) or "(item)"


def load_syllabus(path: Path = SYLLABUS_PATH) -> Syllabus:
    data = _read_yaml(path)
    try:
        model = SyllabusFile.model_validate(data)
    except ValidationError as exc:
        raise ContentError([Problem(str(path), None, _loc(e), e["msg"]) for e in exc.errors()]) from exc
    problems: list[Problem] = []
    topics: list[Topic] = []
    for t in model.topics:
        subs: list[Subtopic] = []
        for s in t.subtopics:
            if not s.id.startswith(t.id + "."):
                problems.append(Problem(str(path), None, f"subtopic {s.id}", f"not under topic {t.id}"))
            objs = []
            for n, o in enumerate(s.objectives, start=1):
                if o.id != f"{s.id}.{n}":
                    problems.append(Problem(str(path), None, f"objective {o.id}", f"expected id {s.id}.{n}"))
                objs.append(Objective(o.id, o.text))
            subs.append(Subtopic(s.id, s.title, tuple(objs)))
        topics.append(Topic(t.id, t.title, tuple(subs)))
    if problems:
        raise ContentError(problems)
    fmt = model.exam_format
    exam = (
        ExamFormat(fmt.scored_questions, fmt.minutes, fmt.passing_score, fmt.guide_version)
        if fmt is not None
        else ExamFormat()
    )
    return Syllabus(tuple(topics), exam)


def read_bank_files(files: Iterable[Path], syllabus: Syllabus) -> tuple[list[LoadedItem], list[Problem]]:
    """Validate bank files item by item; return the valid items and every problem found."""
    objective_ids = {o.id for o in syllabus.objectives()}
    items: list[LoadedItem] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in files:
        name = str(path)
        try:
            data = _read_yaml(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if not _FILE_RE.match(path.name):
            problems.append(Problem(name, None, None, "file name must be <T.S>.yaml, e.g. 3.1.yaml"))
        try:
            bank = BankFile.model_validate(data)
        except ValidationError as exc:
            problems.extend(Problem(name, None, _loc(e), e["msg"]) for e in exc.errors())
            continue
        for index, raw in enumerate(bank.items):
            item_id = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
            try:
                model = ItemModel.model_validate(raw)
            except ValidationError as exc:
                problems.extend(Problem(name, item_id, _loc(e), e["msg"]) for e in exc.errors())
                continue
            if model.id in seen:
                problems.append(Problem(name, model.id, "id", f"duplicate id (also in {seen[model.id]})"))
                continue
            seen[model.id] = name
            if model.objective not in objective_ids:
                problems.append(Problem(name, model.id, "objective", f"unknown objective {model.objective}"))
                continue
            expected_file = model.objective.rsplit(".", 1)[0] + ".yaml"
            if path.name != expected_file:
                problems.append(
                    Problem(name, model.id, "objective", f"objective {model.objective} belongs in {expected_file}")
                )
            items.append(LoadedItem(name, model))
    return items, problems


def to_question(model: ItemModel) -> Question:
    return Question(
        id=model.id,
        objective_id=model.objective,
        stem=model.stem.strip(),
        options=model.options.as_tuple(),
        answer=model.answer,
        explanation=" ".join(model.explanation.split()),
        explanation_short=model.explanation_short,
        rationales=model.rationales.as_tuple(),
        references=tuple((r.title, str(r.url)) for r in model.references),
        tags=tuple(model.tags),
        official_domain=model.official_domain,
        difficulty=model.difficulty,
        scenario=model.scenario,
        shuffle=model.shuffle,
        status=model.status,
        reviewers=tuple(model.reviewers),
    )


def bank_files(directory: Path = QUESTIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"), key=lambda p: [int(x) for x in p.stem.split(".") if x.isdigit()])


def load_bank(syllabus: Syllabus, directory: Path = QUESTIONS_DIR) -> Bank:
    """Load and validate every question file; raise :class:`ContentError` on any problem."""
    items, problems = read_bank_files(bank_files(directory), syllabus)
    if problems:
        raise ContentError(problems)
    active = [it for it in items if it.model.status != "retired"]
    return Bank(syllabus, tuple(to_question(it.model) for it in active), tuple(items))


def load_content(syllabus_path: Path = SYLLABUS_PATH, questions_dir: Path = QUESTIONS_DIR) -> Bank:
    return load_bank(load_syllabus(syllabus_path), questions_dir)
