"""The test command also enforces lint, types and the layer rules of docs/architecture.md."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["bot", "adapters", "content", "scheduler", "storage"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff() -> None:
    result = _run(_tool("ruff"), "check", *PACKAGES, "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    """One code style everywhere: ``ruff format`` leaves every file as it is."""
    result = _run(_tool("ruff"), "format", "--check", *PACKAGES, "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_packages() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_layer_contracts() -> None:
    result = _run(_tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


# the concrete classes and builders that only the composition root calls (docs/architecture.md)
ROOT_ONLY = {"SqlStore", "SqlLease", "SqlSlackInstallations", "create_engine", "QuizService", "RoutingNotifier"}
ROOT_ONLY |= {"MatplotlibCharts", "load_content", "upgrade", "upgrade_async"}


def test_only_the_composition_root_builds_the_concrete_classes() -> None:
    """import-linter keeps ``storage``, ``content.loader`` and ``bot.charts`` to ``bot.app``; this also covers
    the classes it cannot guard by module (QuizService, RoutingNotifier), in every package but those three."""
    import ast

    found = []
    for folder in ("bot", "adapters", "scheduler"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() in {"bot/app.py", "bot/charts.py"}:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in ROOT_ONLY:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
    assert not found, "built outside bot/app.py: " + ", ".join(found)
