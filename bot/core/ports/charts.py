"""The ``ChartRenderer`` port: draws the charts of :mod:`bot.core.charts` (``bot.charts`` implements it)."""

from __future__ import annotations

from typing import Protocol

from bot.core.charts import BoardChart, ChartImage, HeatmapChart, ProgressChart

__all__ = ["ChartRenderer"]


class ChartRenderer(Protocol):
    """Draws the charts of :mod:`bot.core.charts` (blocking: the service calls it in a worker thread)."""

    def board(self, chart: BoardChart) -> ChartImage: ...

    def heatmap(self, chart: HeatmapChart) -> ChartImage: ...

    def progress(self, chart: ProgressChart) -> ChartImage: ...
