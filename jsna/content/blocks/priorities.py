"""Priority-setting block: the ranked priorities of a scoring round, and the matrix chart."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["PrioritiesBlock"]


class PrioritiesBlock(AnalysisBlock):
    """The ranked priorities of a scoring round, with the evidence trail of each.

    Example::

        block: priorities
        round: 2026-illustrative
        view: full

    The round is read from the store (scored in the web app, moderated and
    published there) and, when the store does not hold it, from the project's
    ``priorities/<round>.yml``. A round is shown only once published; an
    illustrative round is labelled as such on every figure.
    """

    block: Literal["priorities"] = Field(description="Block kind.")
    round: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Id of the scoring round, e.g. 2026-illustrative.",
    )
    view: Literal["full", "headline"] = Field(
        default="full",
        description="full: the ranked list with evidence, the size-and-severity matrix chart "
        "and the scorers' agreement; headline: the ranked list only (for the summary chapter).",
    )
    limit: int | None = Field(
        default=None, ge=1, le=100, description="Show at most this many priorities."
    )
