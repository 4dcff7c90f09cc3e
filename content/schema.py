"""Pydantic schema of the syllabus and of question-bank files (content-standards §4.3)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

__all__ = [
    "BankFile",
    "BankMeta",
    "ItemModel",
    "Reference",
    "ReviewRecord",
    "SyllabusFile",
    "Waiver",
]

_ID_RE = r"^mlpro-[1-5]\.[1-3]\.[1-7]-\d{3}$"
_OBJ_RE = r"^[1-5]\.[1-3]\.[1-7]$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reference(_Strict):
    title: str = Field(min_length=3)
    url: HttpUrl


class Waiver(_Strict):
    check: str = Field(pattern=r"^[IB]-\d{2}$")
    reason: str = Field(min_length=10)


class ReviewRecord(_Strict):
    """One reviewer's answer to an item: ``blind`` saw stem and options, ``options-only`` the options alone."""

    by: str = Field(min_length=1)
    mode: Literal["blind", "options-only"]
    answer: Literal["A", "B", "C", "D", "-"]
    sure: bool = False  # options-only: the reviewer could tell, rather than guessed
    also: list[Literal["A", "B", "C", "D"]] = Field(default_factory=list)  # blind: other defensible options
    date: dt.date


class Options(_Strict):
    A: str = Field(min_length=1)
    B: str = Field(min_length=1)
    C: str = Field(min_length=1)
    D: str = Field(min_length=1)

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.A, self.B, self.C, self.D)


class ItemModel(_Strict):
    id: str = Field(pattern=_ID_RE)
    objective: str = Field(pattern=_OBJ_RE)
    official_domain: Literal["Model Development", "MLOps", "Model Deployment"]
    difficulty: Literal["easy", "medium", "hard"]
    cognitive_level: Literal["recall", "understand", "apply", "analyze"]
    scenario: bool
    stem: str = Field(min_length=10)
    options: Options
    answer: Literal["A", "B", "C", "D"]
    shuffle: bool = True
    explanation: str = Field(min_length=10)
    explanation_short: str = Field(min_length=5)
    rationales: Options
    references: list[Reference] = Field(min_length=1)
    tags: list[str] = Field(min_length=1)
    volatility: Literal["low", "medium", "high"] = "medium"
    last_verified: dt.date
    status: Literal["draft", "reviewed", "published", "retired"]
    reviewers: list[str] = Field(default_factory=list)
    reviews: list[ReviewRecord] = Field(default_factory=list)
    variant_of: str | None = None
    render: Literal["message", "poll"] = "message"
    lint_waivers: list[Waiver] = Field(default_factory=list)
    post_history: list[dict[str, str]] | None = None

    @field_validator("tags")
    @classmethod
    def _tags_vocabulary_form(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not tag or tag != tag.lower() or " " in tag:
                raise ValueError(f"tag {tag!r} must be lowercase-hyphenated")
        return tags

    @model_validator(mode="after")
    def _id_matches_objective(self) -> ItemModel:
        if self.id.split("-")[1] != self.objective:
            raise ValueError(f"id {self.id} does not match objective {self.objective}")
        return self


class BankMeta(_Strict):
    exam: Literal["ML-PRO"]
    syllabus_version: str
    exam_guide_version: str
    authors: list[str] = Field(min_length=1)
    license: str


class BankFile(_Strict):
    bank_meta: BankMeta
    items: list[dict[str, object]] = Field(min_length=1)  # validated one by one (errors name the item)


class SyllabusObjective(_Strict):
    id: str = Field(pattern=_OBJ_RE)
    text: str = Field(min_length=5)


class SyllabusSubtopic(_Strict):
    id: str = Field(pattern=r"^[1-5]\.[1-3]$")
    title: str
    objectives: list[SyllabusObjective] = Field(min_length=1)


class SyllabusTopic(_Strict):
    id: str = Field(pattern=r"^[1-5]$")
    title: str
    subtopics: list[SyllabusSubtopic] = Field(min_length=1)


class SyllabusExamFormat(_Strict):
    """The real exam's format as the official guide states it (used by /exam)."""

    guide_version: str
    scored_questions: int = Field(ge=1, le=200)
    minutes: int = Field(ge=1, le=600)
    passing_score: float | None = Field(default=None, ge=0, le=1)  # null: the guide publishes none


class SyllabusFile(_Strict):
    exam: str
    syllabus_version: str
    exam_format: SyllabusExamFormat | None = None
    topics: list[SyllabusTopic] = Field(min_length=1)
