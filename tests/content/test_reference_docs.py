"""docs/content.md is generated from the content models and must be up to date."""

from __future__ import annotations

from pydantic import BaseModel

from jsna.content.reference import FILES, content_reference
from tests.paths import ROOT


def test_content_reference_is_current() -> None:
    committed = (ROOT / "docs" / "content.md").read_text()
    assert committed == content_reference(), "docs/content.md is stale: run `make docs`"


def test_every_key_of_every_file_is_listed() -> None:
    text = content_reference()
    for path, _, roots in FILES:
        assert f"## `{path}`" in text
        for model in roots:
            assert f"### {model.__name__}\n" in text
            for name in model.model_fields:
                assert f"| `{name}` |" in text, f"{model.__name__}.{name}"


def test_nested_models_get_a_section_and_a_link() -> None:
    text = content_reference()
    assert "| `geographies` | [Geographies](#geographies) | **required** |" in text
    assert "### LookupFile\n" in text
    assert "| `numerator` | [Selection](#selection) (optional) | none |" in text
    assert "| `polarity` | one of `high_is_good`, `low_is_good`, `no_judgement` |" in text


def test_sections_appear_once() -> None:
    text = content_reference()
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert len(headings) == len(set(headings))
    assert all(issubclass(model, BaseModel) for _, _, roots in FILES for model in roots)
