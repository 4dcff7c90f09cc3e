"""Content: the ML-PRO syllabus and question bank (YAML data) plus the loader and lint."""

from __future__ import annotations

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
SYLLABUS_PATH = CONTENT_DIR / "syllabus.yaml"
QUESTIONS_DIR = CONTENT_DIR / "questions"

__all__ = ["CONTENT_DIR", "QUESTIONS_DIR", "SYLLABUS_PATH"]
