"""The split Discord adapter keeps its old import paths (issue #11 step 5)."""

from __future__ import annotations

import adapters.discord as package
from adapters.discord import buttons, client, interactions, reactions, sync


def test_names_moved_out_of_the_client_are_still_importable_from_it() -> None:
    assert client.DrillButton is buttons.DrillButton is package.DrillButton
    assert (client.ReportButton, client.ReviewButton) == (buttons.ReportButton, buttons.ReviewButton)
    assert (client.FAILED, client.GUILDS_ONLY, client.NO_BUTTONS, client.NO_REPORTS, client.PLATFORM) == (
        interactions.FAILED,
        interactions.GUILDS_ONLY,
        interactions.NO_BUTTONS,
        interactions.NO_REPORTS,
        interactions.PLATFORM,
    )
    assert client.delivery_id is reactions.delivery_id
    assert client.command_fingerprint is sync.command_fingerprint
