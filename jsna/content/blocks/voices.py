"""Community voices block: themes (counts, bar chart), consented quotes and equality monitoring."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["VoicesBlock"]

_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class VoicesBlock(AnalysisBlock):
    """Community voices: themes and consented quotes next to the related indicators.

    Responses are chosen by theme or by linked indicator (either matches);
    with neither, every response of the chosen surveys counts.
    """

    block: Literal["voices"] = Field(description="Block kind.")
    surveys: tuple[str, ...] = Field(
        default=(),
        description="Survey ids (voices/<id>.yml) to draw from; none listed means all of them.",
    )
    themes: tuple[str, ...] = Field(
        default=(),
        description="Theme codes of the chapter's topic (voices/themes.yml): responses coded "
        "with any of them are shown.",
    )
    indicators: tuple[str, ...] = Field(
        default=(),
        description="Indicator ids: responses linked to any of them are shown.",
    )
    quotes: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Most quotes shown (only those whose respondent consented to publication).",
    )
    equality: bool = Field(
        default=False,
        description="Also show who responded by age band, sex and ward against the population.",
    )
    population: str | None = Field(
        default=None,
        pattern=_ID,
        description="Indicator of the resident population by ward, sex and single year of age, "
        "for the equality table's population shares (e.g. population_ward).",
    )

    def indicator_ids(self) -> tuple[str, ...]:
        """Linked indicators and the population indicator."""
        return self.indicators + ((self.population,) if self.population else ())
