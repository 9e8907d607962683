"""Community assets block."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .base import AnalysisBlock

__all__ = ["AssetSource", "AssetsBlock"]


class AssetSource(BaseModel):
    """A declared source of locations (``lon``/``lat`` per row) read as community assets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="Source id whose file lists the places (one per row).")
    category: str = Field(
        min_length=1, description="Category of every place of the source, e.g. Libraries."
    )


class AssetsBlock(AnalysisBlock):
    """Community assets as a layer: counts and rates per 1,000 people by area beside need.

    Assets are the places of declared sources (one category per source) and
    the council's own asset lists imported into the store (``jsna assets
    import``; each row has its own category). They are counted by area and
    divided by the area's population, shown as a table next to a need
    indicator and as a map of the need with the assets as points by category.
    The figures' data twins (CSV, JSON) export the rates; the points are in
    the assets figure's data.
    """

    block: Literal["assets"] = Field(description="Block kind.")
    sources: tuple[AssetSource, ...] = Field(
        default=(), description="Declared sources of places, each with its category."
    )
    lists: tuple[str, ...] = Field(
        default=(),
        description="Names of asset lists imported into the store (jsna assets import).",
    )
    need: str | None = Field(
        default=None, description="Indicator id of the need shown beside the assets (by area)."
    )
    population: str = Field(
        default="population_ward",
        description="Indicator id of the resident population counts by area (the denominator).",
    )
    area_type: str = Field(default="ward23", description="Area type the assets are counted by.")

    @model_validator(mode="after")
    def _some_assets(self) -> AssetsBlock:
        if not self.sources and not self.lists:
            raise ValueError("name at least one of sources or lists")
        categories = [s.source for s in self.sources]
        if len(set(categories)) != len(categories):
            raise ValueError("a source is listed twice")
        return self

    def indicator_ids(self) -> tuple[str, ...]:
        """The population and need indicators."""
        return (self.population, *((self.need,) if self.need else ()))

    def source_ids(self) -> tuple[str, ...]:
        """The sources read as assets."""
        return tuple(s.source for s in self.sources)
