"""Syllabus and question-bank value objects shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "LETTERS",
    "ExamFormat",
    "Objective",
    "Question",
    "Subtopic",
    "Syllabus",
    "Topic",
]

LETTERS: tuple[str, str, str, str] = ("A", "B", "C", "D")


@dataclass(frozen=True, slots=True)
class Objective:
    id: str  # "T.S.N"
    text: str

    @property
    def subtopic_id(self) -> str:
        return self.id.rsplit(".", 1)[0]

    @property
    def topic_id(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Subtopic:
    id: str  # "T.S"
    title: str
    objectives: tuple[Objective, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    id: str  # "T"
    title: str
    subtopics: tuple[Subtopic, ...]


@dataclass(frozen=True, slots=True)
class ExamFormat:
    """The real exam's format, from the official exam guide (kept in content/syllabus.yaml)."""

    questions: int = 59
    minutes: int = 120
    passing_score: float | None = None  # None: the guide publishes no passing score
    guide_version: str = ""


@dataclass(frozen=True, slots=True)
class Syllabus:
    topics: tuple[Topic, ...]
    exam: ExamFormat = ExamFormat()

    def objectives(self) -> list[Objective]:
        return [o for t in self.topics for s in t.subtopics for o in s.objectives]

    def objective(self, objective_id: str) -> Objective:
        for o in self.objectives():
            if o.id == objective_id:
                return o
        raise KeyError(objective_id)

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    def subtopic(self, subtopic_id: str) -> Subtopic:
        for t in self.topics:
            for s in t.subtopics:
                if s.id == subtopic_id:
                    return s
        raise KeyError(subtopic_id)


@dataclass(frozen=True, slots=True)
class Question:
    """One multiple-choice item as stored in the bank (canonical option order A-D)."""

    id: str
    objective_id: str
    stem: str
    options: tuple[str, str, str, str]
    answer: str  # canonical letter A-D
    explanation: str
    explanation_short: str
    rationales: tuple[str, str, str, str]
    references: tuple[tuple[str, str], ...] = ()  # (title, url)
    tags: tuple[str, ...] = ()
    official_domain: str = ""
    difficulty: str = "medium"
    scenario: bool = False
    shuffle: bool = True
    status: str = "draft"
    reviewers: tuple[str, ...] = field(default=())

    @property
    def answer_index(self) -> int:
        return LETTERS.index(self.answer)

    @property
    def topic_id(self) -> str:
        return self.objective_id.split(".", 1)[0]

    @property
    def subtopic_id(self) -> str:
        return self.objective_id.rsplit(".", 1)[0]
