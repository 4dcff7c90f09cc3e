"""The split scheduler keeps its old import paths (issue #11 step 5)."""

from __future__ import annotations

from scheduler import channels, runs, sweeps


def test_names_moved_out_of_channels_are_still_importable_from_it() -> None:
    assert channels.ALL_CHANNELS == runs.ALL_CHANNELS == "*"
    assert (channels.REVEALS, channels.RESYNC, channels.MAINTENANCE, channels.PLANS) == (
        sweeps.REVEALS,
        sweeps.RESYNC,
        sweeps.MAINTENANCE,
        sweeps.PLANS,
    )
