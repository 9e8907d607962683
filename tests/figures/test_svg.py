"""to_svg: vl-convert output made accessible (role img, an escaped title) and deterministic."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jsna.figures.svg import to_svg, to_svgs


def bar_spec(figure: str = "compare-x") -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": 300,
        "height": 200,
        "data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 3}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "a", "type": "nominal"},
            "y": {"field": "b", "type": "quantitative"},
        },
        "usermeta": {"jsna": {"figure": figure, "kind": "compare"}},
    }


def test_svg_has_role_img_and_escaped_title() -> None:
    svg = to_svg(bar_spec(), title="Smoking <in> Trafford & Sale")
    root = re.match(r"<svg\b[^>]*>", svg)
    assert root is not None
    assert 'role="img"' in root.group(0)
    assert 'aria-labelledby="compare-x-title"' in root.group(0)
    assert '<title id="compare-x-title">Smoking &lt;in&gt; Trafford &amp; Sale</title>' in svg
    assert svg.index("<title") < svg.index("<rect")
    assert not svg.startswith("<?xml")


def test_svg_is_deterministic() -> None:
    assert to_svg(bar_spec(), title="A") == to_svg(bar_spec(), title="A")


def test_ids_are_unique_per_figure() -> None:
    spec = bar_spec("one")
    spec["encoding"]["color"] = {"field": "b", "type": "quantitative"}  # a gradient has an id
    first, second = to_svgs([(spec, "A"), ({**spec, "usermeta": {"jsna": {"figure": "two"}}}, "B")])
    ids_one = set(re.findall(r'\bid="([^"]+)"', first))
    ids_two = set(re.findall(r'\bid="([^"]+)"', second))
    assert ids_one
    assert ids_two
    assert not ids_one & ids_two
    for name in re.findall(r"url\(#([^)]+)\)", first):
        assert name in ids_one


def test_a_broken_spec_raises_value_error() -> None:
    with pytest.raises(ValueError, match="cannot draw chart 'Broken'"):
        to_svg({"mark": "nonsense"}, title="Broken")
