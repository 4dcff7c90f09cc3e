"""What authors see of the reports in a test's database: ``studybot content reports`` and the items
``content validate`` flags (shared by the Slack and Discord report tests)."""

from __future__ import annotations

import io

import pytest

from bot.itemstats import open_reports, run_reports
from content.loader import Bank


async def authors_view(db_url: str, bank: Bank, monkeypatch: pytest.MonkeyPatch) -> tuple[str, set[str]]:
    """(the ``content reports`` listing, the ids ``content validate`` says need review)."""
    monkeypatch.setattr("bot.app.load_content", lambda: bank)
    out = io.StringIO()
    assert await run_reports(out, db_url) == 0
    flagged = await open_reports(db_url)
    assert isinstance(flagged, dict), flagged
    return out.getvalue(), set(flagged)
