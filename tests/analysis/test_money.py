"""Money flow against hand-computed figures: reading the spend file, the links, the Sankey
layout (scale, node and band positions, curves) and spend per head."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jsna.analysis.money import flows, per_head, read_spend, sankey_layout
from jsna.errors import InputFileError

HEADER = "funder,care_setting,priority,year,amount_gbp,note\n"
ROWS = [
    ("F1", "S1", "P1", "2024/25", 50),
    ("F1", "S1", "P2", "2024/25", 10),
    ("F1", "S2", "P2", "2024/25", 20),
    ("F2", "S2", "P2", "2024/25", 20),
    ("F1", "S1", "P1", "2023/24", 999),
]


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "spend.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _spend(tmp_path: Path) -> pd.DataFrame:
    body = "".join(f"{f},{s},{p},{y},{a},made up\n" for f, s, p, y, a in ROWS)
    return read_spend(_write(tmp_path, body))


def test_read_spend(tmp_path: Path) -> None:
    spend = _spend(tmp_path)
    assert spend["amount_gbp"].tolist() == [50.0, 10.0, 20.0, 20.0, 999.0]
    assert spend["note"].iloc[0] == "made up"


def test_read_spend_accepts_pounds_and_commas(tmp_path: Path) -> None:
    spend = read_spend(_write(tmp_path, 'F, S ,P,2024/25,"£1,250.50",\n'))
    assert spend["amount_gbp"].tolist() == [1250.5]
    assert spend["care_setting"].tolist() == ["S"]


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        (
            "funder,priority,year,amount_gbp\n",
            "F,P,2024/25,1\n",
            ": missing column(s) care_setting: needs funder, care_setting, priority, year, "
            "amount_gbp",
        ),
        (HEADER, "", ": no rows of spend"),
        (
            HEADER,
            "F,S,P,2024/25,1,\nF,,P,2024/25,2,\n",
            ", row 3, column 'care_setting': must not be empty",
        ),
        (
            HEADER,
            "F,S,P,2024/25,1,\nF,S,P,2024/25,1,\nF,S,P,2024/25,ten,\n",
            ", row 4, column 'amount_gbp': must be a number of pounds, 0 or more (found 'ten')",
        ),
        (
            HEADER,
            "F,S,P,2024/25,-5,\n",
            ", row 2, column 'amount_gbp': must be a number of pounds, 0 or more (found '-5')",
        ),
    ],
)
def test_read_spend_errors(tmp_path: Path, header: str, body: str, message: str) -> None:
    path = _write(tmp_path, body, header)
    with pytest.raises(InputFileError) as caught:
        read_spend(path)
    assert str(caught.value) == f"{path}{message}"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_spend(tmp_path / "nope.csv")


def test_flows_sum_one_year(tmp_path: Path) -> None:
    links = flows(_spend(tmp_path))
    got = {(r.stage, r.source, r.target): r.amount for r in links.itertuples()}
    assert got == {
        (0, "F1", "S1"): 60,
        (0, "F1", "S2"): 20,
        (0, "F2", "S2"): 20,
        (1, "S1", "P1"): 50,
        (1, "S1", "P2"): 10,
        (1, "S2", "P2"): 40,
    }
    earlier = flows(_spend(tmp_path), "2023/24")
    assert earlier["amount"].tolist() == [999, 999]


def test_sankey_layout_by_hand(tmp_path: Path) -> None:
    layout = sankey_layout(
        flows(_spend(tmp_path)), width=300, height=120, node_width=10, gap=10, samples=5
    )
    # scale = (120 - 10 x (2 - 1)) / 100 = 1.1 drawing units per pound
    nodes = layout.nodes.set_index("node")
    assert nodes.loc[["0:F1", "0:F2"], "amount"].tolist() == [80, 20]
    expected = {
        "0:F1": (0, 88),
        "0:F2": (98, 120),
        "1:S1": (0, 66),
        "1:S2": (76, 120),
        "2:P1": (0, 55),  # P1 and P2 tie at 50: by name
        "2:P2": (65, 120),
    }
    for node, (y0, y1) in expected.items():
        assert (nodes.loc[node, "y0"], nodes.loc[node, "y1"]) == pytest.approx((y0, y1))
    # columns at (300 - 10) / 2 = 145 apart
    assert nodes["x0"].tolist() == [0, 0, 145, 145, 290, 290]
    links = layout.links.set_index(["source", "target"])
    bands = {
        ("F1", "S1"): (0, 66, 0, 66),
        ("F1", "S2"): (66, 88, 76, 98),  # below F1 -> S1 at F1; above F2's band at S2
        ("F2", "S2"): (98, 120, 98, 120),
        ("S1", "P1"): (0, 55, 0, 55),
        ("S1", "P2"): (55, 66, 65, 76),
        ("S2", "P2"): (76, 120, 76, 120),
    }
    for key, band in bands.items():
        got = tuple(links.loc[key, ["sy0", "sy1", "ty0", "ty1"]])
        assert got == pytest.approx(band), key
    assert links.loc[("F1", "S2"), ["x0", "x1"]].tolist() == [10, 145]
    # the curve: 5 samples, smoothstep from the source band to the target band
    link = links.loc[("F1", "S2"), "link"]
    curve = layout.curves[layout.curves["link"] == link]
    assert curve["x"].tolist() == pytest.approx([10, 43.75, 77.5, 111.25, 145])
    assert curve["y0"].tolist() == pytest.approx([66, 66 + 10 * 0.15625, 71, 76 - 10 * 0.15625, 76])
    assert (curve["y1"] - curve["y0"]).tolist() == pytest.approx([22] * 5)


def test_sankey_of_nothing() -> None:
    empty = pd.DataFrame(columns=["stage", "source", "target", "amount"])
    assert sankey_layout(empty).nodes.empty


def test_per_head_by_hand(tmp_path: Path) -> None:
    by = per_head(_spend(tmp_path), 200, "priority")
    assert by["name"].tolist() == ["P1", "P2"]  # a tie at 50: by name
    assert by["amount"].tolist() == [50.0, 50.0]
    assert by["per_head"].tolist() == [0.25, 0.25]
    assert by["share"].tolist() == [0.5, 0.5]
    funders = per_head(_spend(tmp_path), 200, "funder")
    assert funders.set_index("name")["per_head"].to_dict() == {"F1": 0.4, "F2": 0.1}
    with pytest.raises(ValueError, match="population must be above 0"):
        per_head(_spend(tmp_path), 0, "priority")
