"""The split Slack adapter keeps its old import paths (issue #11 step 5)."""

from __future__ import annotations

import adapters.slack as package
from adapters.slack import app, home, shared


def test_names_moved_out_of_the_app_module_are_still_importable_from_it() -> None:
    assert app.wait_idle is shared.wait_idle is package.wait_idle
    assert app.HOME_INTRO is home.HOME_INTRO
    assert app.build_slack_app is package.build_slack_app
