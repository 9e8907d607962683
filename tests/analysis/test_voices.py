"""Community voices: import validation, personal-data screening, consent rules, themes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from jsna.analysis.voices import (
    VoicesRejectedError,
    attribution,
    equality_table,
    population_groups,
    quotes,
    read_responses,
    suggest_themes,
    theme_counts,
)
from jsna.analysis.voices_store import (
    accept_suggestions,
    code_response,
    import_survey,
    survey_responses,
)
from jsna.content.project import Disclosure
from jsna.content.voices import Survey, Theme, load_voices
from jsna.errors import ContentError
from jsna.store.schema import voice_response, voice_survey
from tests.store.conftest import backend_url, empty_engine, engine, postgres_url  # noqa: F401

SURVEY = Survey(
    id="s1",
    title="Test survey",
    method="survey",
    start=date(2025, 3, 1),
    end=date(2025, 4, 30),
    participants=10,
    file="s1.csv",
)
THEMES = {
    "food": Theme(code="food", label="Food", keywords=("food", "veg*", "healthy eating")),
    "lonely": Theme(code="lonely", label="Loneliness", keywords=("lonel*", "alone")),
    "gp": Theme(code="gp", label="GP access", keywords=("gp", "doctor*")),
}
INDICATORS = {"smoking_adults", "obesity_year6"}
WARDS = {"E05015248": "Hale", "Hale": "Hale", "Sale Moor": "Sale Moor"}
HEADER = (
    "response_id,survey_id,date,free_text,consent_to_publish,anonymity,themes,indicators,"
    "age_band,sex,ethnic_group,disability,ward"
)
RULES = Disclosure(max_suppressed_count=4)


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "s1.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def read(path: Path, **options: object) -> pd.DataFrame:
    return read_responses(path, SURVEY, THEMES, INDICATORS, wards=WARDS, **options).frame  # type: ignore[arg-type]


def problems(path: Path, **options: object) -> list[str]:
    with pytest.raises(VoicesRejectedError) as caught:
        read_responses(path, SURVEY, THEMES, INDICATORS, wards=WARDS, **options)  # type: ignore[arg-type]
    assert "nothing imported" in str(caught.value)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_is_read_and_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "R1,s1,2025-03-02,Fresh VEG costs too much,Yes,Anonymous,,obesity_year6,25-34,Female,"
        "white,no,E05015248",
        "R2,s1,2025-04-30,I feel lonely,no,named,lonely;food; lonely,,,,,prefer not to say,",
    )
    frame = read(path)
    assert frame["response_id"].tolist() == ["R1", "R2"]
    assert frame["consent"].tolist() == [True, False]
    assert frame["anonymous"].tolist() == [True, False]
    # not coded in the file: None (suggestions kept apart); coded: de-duplicated, in order
    assert frame["themes"].isna().tolist() == [True, False]
    assert frame["themes"].iloc[1] == "lonely;food"
    assert frame["suggested"].tolist() == ["food", "lonely"]
    assert frame["sex"].tolist() == ["female", "not stated"]
    assert frame["ethnic_group"].tolist() == ["White", "not stated"]
    assert frame["disability"].tolist() == ["no", "not stated"]
    assert frame["ward"].tolist() == ["Hale", "not stated"]  # code -> name
    assert frame["response_date"].tolist() == [date(2025, 3, 2), date(2025, 4, 30)]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("write to jo.bloggs@example.co.uk please", "an e-mail address"),
        ("ring me on 0161 912 3456", "a UK phone number"),
        ("mobile +44 7700 900123", "a UK phone number"),
        ("I live at M33 7XX near the park", "a full UK postcode"),
        ("my number is 943 476 5919", "an NHS number"),
        ("NHS no 9434765919 on my letter", "an NHS number"),
    ],
)
def test_personal_data_in_the_free_text_is_refused(tmp_path: Path, text: str, rule: str) -> None:
    path = write(tmp_path, f"R1,s1,2025-03-02,{text},yes,anonymous,,,,,,,")
    assert problems(path) == [
        f"s1.csv:2:free_text: personal data: looks like {rule} (remove it, or import with --strip)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "the M33 bus is always late",  # an outward code alone is not a full postcode
        "number 943 476 5918 is not valid",  # wrong NHS check digit, not a phone number
        "we waited from 2025-03-01 to 2025-04-01",
        "I paid £12,500 for 3 years",
    ],
)
def test_ordinary_text_is_not_taken_for_personal_data(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, f'R1,s1,2025-03-02,"{text}",yes,anonymous,,,,,,,')
    assert read(path)["text"].tolist() == [text]


def test_strip_removes_personal_data_from_the_free_text_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "R1,s1,2025-03-02,Mail a@b.com or call 07700 900123 (M33 7XX; 943 476 5919),yes,"
        "anonymous,,,,,,,",
    )
    screened = read_responses(path, SURVEY, THEMES, INDICATORS, wards=WARDS, strip=True)
    assert screened.frame["text"].tolist() == [
        "Mail [e-mail address removed] or call [phone number removed] ([postcode removed]; "
        "[NHS number removed])"
    ]
    assert screened.stripped == {
        "e-mail address": 1,
        "UK phone number": 1,
        "full UK postcode": 1,
        "NHS number": 1,
    }
    # another column is never stripped: the file is refused
    bad = write(tmp_path, "R1,s1,2025-03-02,Fine,yes,anonymous,,,,,,,M33 7XX")
    found = problems(bad, strip=True)
    assert "s1.csv:2:ward: personal data: looks like a full UK postcode" in found


def test_columns_of_names_contacts_or_unknown_are_refused_before_any_row(tmp_path: Path) -> None:
    header = HEADER.replace("ward", "first_name,email,notes")
    path = write(tmp_path, "R1,s1,2025-03-02,Fine,yes,anonymous,,,,,,,Jo,jo@x.org,n", header=header)
    assert problems(path) == [
        "s1.csv:1:first_name: personal data: a column of names is not accepted (delete the column)",
        "s1.csv:1:email: personal data: a column of contact details is not accepted (delete it)",
        "s1.csv:1:notes: unknown column (columns allowed: response_id, survey_id, date, "
        "free_text, consent_to_publish, anonymity, themes, indicators, age_band, sex, "
        "ethnic_group, disability, ward)",
    ]
    missing = write(tmp_path, "R1,s1,Fine", header="response_id,survey_id,free_text")
    assert problems(missing) == [
        "s1.csv:1:date: required column is missing",
        "s1.csv:1:consent_to_publish: required column is missing",
        "s1.csv:1:anonymity: required column is missing",
    ]


def test_every_bad_value_is_reported_by_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "R1,s1,2025-03-02,Fine,yes,anonymous,,,,,,,",
        "R1,s2,2025-02-28,,maybe,anon,nope,no_such,teen,x,Martian,perhaps,Narnia",
        "bad id,s1,02/03/2025,Fine,no,named,,,,,,,",
    )
    assert problems(path) == [
        "s1.csv:3:response_id: response id repeated",
        "s1.csv:3:survey_id: must be 's1'",
        "s1.csv:3:date: outside the survey's dates (2025-03-01 to 2025-04-30)",
        "s1.csv:3:free_text: must not be empty",
        "s1.csv:3:consent_to_publish: must be yes or no",
        "s1.csv:3:anonymity: must be named or anonymous",
        "s1.csv:3:themes: unknown theme code 'nope'",
        "s1.csv:3:indicators: unknown indicator id 'no_such'",
        "s1.csv:3:age_band: must be one of under 16, 16-24, 25-34, 35-44, 45-54, 55-64, "
        "65-74, 75+, or blank",
        "s1.csv:3:sex: must be one of female, male, or blank",
        "s1.csv:3:ethnic_group: must be one of Asian, Black, Mixed, White, Other, or blank",
        "s1.csv:3:disability: must be one of yes, no, or blank",
        "s1.csv:3:ward: not a ward of the area (name or code)",
        "s1.csv:4:response_id: must be 1-64 letters, digits, '.', '_' or '-'",
        "s1.csv:4:date: must be a date YYYY-MM-DD",
    ]


def test_xlsx_files_are_read_like_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        [["R1", "s1", pd.Timestamp("2025-03-02"), "I see my GP", "yes", "anonymous", "Sale Moor"]],
        columns=[*HEADER.split(",")[:6], "ward"],
    )
    path = tmp_path / "s1.xlsx"
    frame.to_excel(path, index=False)
    read_back = read_responses(path, SURVEY, THEMES, INDICATORS, wards=WARDS).frame
    assert read_back["suggested"].tolist() == ["gp"]
    assert read_back["ward"].tolist() == ["Sale Moor"]
    assert read_back["response_date"].tolist() == [date(2025, 3, 2)]  # a date cell
    other = tmp_path / "s1.txt"
    other.write_text("x")
    with pytest.raises(Exception, match=r"s1.txt: not a .csv or .xlsx file"):
        read_responses(other, SURVEY, THEMES, INDICATORS)


def test_keyword_rules_match_whole_words_and_stems_in_any_case() -> None:
    text = pd.Series(
        ["Vegetables and FOOD", "Loneliness; I live alone", "my GP", "gpx foodbank", ""]
    )
    assert suggest_themes(text, THEMES).tolist() == [
        ("food",),
        ("lonely",),
        ("gp",),
        (),
        (),
    ]
    assert suggest_themes(text, {}).tolist() == [(), (), (), (), ()]


def frame_of(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {
        "survey_id": "s1",
        "response_date": date(2025, 3, 1),
        "consent": True,
        "anonymous": True,
        "themes": None,
        "suggested": "",
        "indicators": "",
        "age_band": "25-34",
        "sex": "female",
        "ethnic_group": "White",
        "disability": "no",
        "ward": "Hale",
    }
    out = pd.DataFrame(
        [base | {"response_id": f"R{i}", "text": f"text {i}"} | r for i, r in enumerate(rows)]
    )
    return out


def test_theme_counts_use_coded_themes_else_suggestions() -> None:
    frame = frame_of(
        [
            {"themes": "food;gp"},
            {"themes": "food", "suggested": "lonely"},  # coded wins over the suggestion
            {"suggested": "lonely"},
            {"themes": ""},  # coded as no theme
        ]
    )
    counts = theme_counts(frame, THEMES)
    assert counts[["code", "responses", "suggested_only"]].values.tolist() == [
        ["food", 2, 0],
        ["lonely", 1, 1],
        ["gp", 1, 0],
    ]
    assert counts["share"].tolist() == [0.5, 0.25, 0.25]


def test_only_consented_responses_are_quoted() -> None:
    frame = frame_of(
        [
            {"themes": "food", "consent": False, "text": "secret"},
            {"themes": "food", "consent": True, "text": "food quote"},
            {"themes": "gp", "consent": True, "text": "gp quote"},
            {"themes": "gp", "consent": True, "text": "gp quote"},  # the same words once
            {"themes": "lonely", "consent": False, "text": "private"},
        ]
    )
    picked = quotes(frame, THEMES, RULES, 5)
    assert sorted(picked["quote"]) == ["food quote", "gp quote"]
    assert quotes(frame, THEMES, RULES, 0).empty
    nobody = frame.assign(consent=False)
    assert quotes(nobody, THEMES, RULES, 3).empty


def test_anonymous_quotes_show_only_details_more_than_the_limit_share() -> None:
    # 6 respondents aged 25-34; 5 of them female; 3 of those in Hale
    rows = [{"sex": "female", "ward": "Hale"}] * 3 + [{"sex": "female", "ward": "Urmston"}] * 2
    rows += [{"sex": "male", "ward": "Urmston"}]
    rows += [{"age_band": "75+", "sex": "male", "ward": "Hale", "anonymous": False}]
    who = attribution(frame_of(rows), RULES).tolist()
    assert who[0] == "aged 25-34, female"  # only 3 in Hale: the ward is not shown
    assert who[5] == "aged 25-34"  # the only man aged 25-34
    assert who[6] == "aged 75+, male, Hale"  # named: their stated details
    alone = frame_of([{"age_band": "75+"}])
    assert attribution(alone, RULES).tolist() == [""]
    assert attribution(alone, Disclosure(max_suppressed_count=0)).tolist() == [
        "aged 75+, female, Hale"
    ]


def test_equality_table_hides_small_counts_and_one_more() -> None:
    rows = [{"sex": "female"}] * 10 + [{"sex": "male"}] * 7 + [{"sex": "not stated"}] * 2
    population = pd.DataFrame(
        {"characteristic": ["Sex", "Sex"], "group": ["female", "male"], "people": [600, 400]}
    )
    table = equality_table(frame_of(rows), population, RULES)
    sex = table[table["characteristic"] == "Sex"].set_index("group")
    assert sex["respondents"].to_dict() == {"female": 10, "male": 7, "not stated": 2}
    # 2 is hidden; alone it could be worked out from the total, so 7 is hidden too
    assert sex["hidden"].to_dict() == {"female": False, "male": True, "not stated": True}
    assert sex.loc["female", "respondents_share"] == pytest.approx(10 / 17)
    assert sex.loc["female", "population_share"] == pytest.approx(0.6)
    no_secondary = Disclosure(max_suppressed_count=4, secondary=False)
    sex = equality_table(frame_of(rows), None, no_secondary).query("characteristic == 'Sex'")
    assert sex["hidden"].tolist() == [False, False, True]


def test_population_groups_band_single_years_and_skip_broad_groups() -> None:
    rows = []
    for sex, scale in (("persons", 2), ("female", 1), ("male", 1)):
        for age, people in (("15", 5), ("16", 10), ("30", 20), ("65+", 999), ("90+", 7)):
            rows.append({"area_name": "Hale", "sex": sex, "age": age, "value": people * scale})
    groups = population_groups(pd.DataFrame(rows)).set_index(["characteristic", "group"])
    assert groups["people"].to_dict() == {
        ("Age band", "16-24"): 20,
        ("Age band", "25-34"): 40,
        ("Age band", "75+"): 14,
        ("Sex", "female"): 37,
        ("Sex", "male"): 37,
        ("Ward", "Hale"): 74,
    }


def test_import_is_all_or_nothing_and_keeps_analysts_codes(
    tmp_path: Path,
    engine: Engine,  # noqa: F811
) -> None:
    """On SQLite and PostgreSQL."""
    good = write(
        tmp_path,
        "R1,s1,2025-03-02,My GP is great,yes,anonymous,,,,,,,",
        "R2,s1,2025-03-03,Lonely,yes,anonymous,food,,,,,,",
    )
    with engine.begin() as connection:
        screened = read_responses(good, SURVEY, THEMES, INDICATORS)
        done = import_survey(connection, SURVEY, screened, file_name="s1.csv", actor="t")
    assert (done.status, done.rows) == ("new", 2)
    with engine.begin() as connection:
        before, after = code_response(connection, "s1", "R1", ["gp", "lonely"], THEMES, actor="a")
        assert (before, after) == (None, "gp;lonely")
        with pytest.raises(ValueError, match="unknown theme code 'x'"):
            code_response(connection, "s1", "R1", ["x"], THEMES, actor="a")
        with pytest.raises(KeyError):
            code_response(connection, "s1", "R9", ["gp"], THEMES, actor="a")
    # a bad file changes nothing
    write(tmp_path, "R1,s1,2025-03-02,mail me: a@b.com,yes,anonymous,,,,,,,")
    with pytest.raises(VoicesRejectedError), engine.begin() as connection:
        screened = read_responses(good, SURVEY, THEMES, INDICATORS)
    with engine.connect() as connection:
        assert len(survey_responses(connection, ["s1"])) == 2
    # re-import: R1's analyst codes are kept, R3 is new and not coded
    write(
        tmp_path,
        "R1,s1,2025-03-02,My GP is great!,yes,anonymous,,,,,,,",
        "R3,s1,2025-03-04,Doctors are kind,no,named,,,,,,,",
    )
    with engine.begin() as connection:
        screened = read_responses(good, SURVEY, THEMES, INDICATORS)
        done = import_survey(connection, SURVEY, screened, file_name="s1.csv", actor="t")
        assert (done.status, done.kept_codes) == ("replaced", 1)
        again = import_survey(connection, SURVEY, screened, file_name="s1.csv", actor="t")
        assert again.status == "unchanged"
    with engine.begin() as connection:
        frame = survey_responses(connection, ["s1"]).set_index("response_id")
        assert frame["themes"].fillna("(none)").to_dict() == {"R1": "gp;lonely", "R3": "(none)"}
        assert accept_suggestions(connection, "s1", actor="a") == 1
        coded = connection.execute(
            select(
                voice_response.c.response_id, voice_response.c.themes, voice_response.c.coded_by
            ).order_by(voice_response.c.response_id)
        ).all()
        assert [tuple(r) for r in coded] == [("R1", "gp;lonely", "a"), ("R3", "gp", "a")]
        assert connection.execute(select(voice_survey.c.row_count)).scalar_one() == 2


def test_declarations_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "themes.yml").write_text(
        "themes:\n  - {code: a, label: A}\n  - {code: a, label: B}\n"
    )
    (folder / "s.yml").write_text(
        "id: s\ntitle: S\nmethod: survey\nstart: 2025-05-01\nend: 2025-04-01\n"
        "participants: 3\nfile: s.csv\n"
    )
    (folder / "t.yml").write_text(
        "id: t\ntitle: T\nmethod: poll\nstart: 2025-04-01\nend: 2025-05-01\n"
        "participants: 3\nfile: missing.csv\n"
    )
    with pytest.raises(ContentError) as caught:
        load_voices(tmp_path)
    found = caught.value.problems
    assert any("s.yml:1: (file): end is before start" in p for p in found), found
    assert any("t.yml:3: method:" in p for p in found), found
    assert any("themes.yml:1: (file): theme codes listed twice: a" in p for p in found), found
    assert load_voices(tmp_path / "nothing").surveys == {}


def test_the_trafford_example_is_marked_made_up_and_reads_cleanly() -> None:
    root = Path(__file__).resolve().parents[2] / "examples" / "trafford"
    voices = load_voices(root)
    assert voices.surveys, "the example declares a survey"
    for survey in voices.surveys.values():
        assert survey.made_up
        assert "made-up" in survey.file
        assert "made-up" in survey.title
        frame = read_responses(
            voices.data_file(survey.id),
            survey,
            voices.themes,
            INDICATORS
            | {
                "overweight_adults",
                "physically_inactive_adults",
                "physically_active_adults",
                "depression_prevalence",
                "self_harm_admissions",
                "mental_health_services",
                "alcohol_mortality",
            },
        ).frame
        assert 60 <= len(frame) <= 120


def test_jsna_check_reports_voices_problems(tmp_path: Path) -> None:
    from jsna.content.project_files import check_project
    from tests.render.site import copy_example

    root = copy_example(tmp_path / "project")
    chapter = root / "chapters" / "06-mental-health.md"
    text = chapter.read_text()
    chapter.write_text(text.replace("themes: [loneliness,", "surveys: [nope]\nthemes: [lonely,"))
    problems = check_project(root).problems
    line = next(
        i for i, t in enumerate(chapter.read_text().splitlines(), 1) if "block: voices" in t
    )
    where = f"{chapter}:{line - 1}: block:"
    assert problems == (
        f"{where} unknown survey 'nope' (no voices/nope.yml)",
        f"{where} unknown theme 'lonely' (not in voices/themes.yml)",
    )
    survey = root / "voices" / "illustrative-health-wellbeing-2025.yml"
    survey.write_text(survey.read_text().replace("participants: 96", "participants: -1"))
    assert check_project(root).problems == (
        f"{survey}:9: participants: Input should be greater than or equal to 0",
    )


def test_personal_data_counts_every_item_and_checks_nhs_digits() -> None:
    from jsna.analysis.personal_data import personal_data, strip_personal_data

    text = pd.Series(
        ["a@b.org and c@d.org", "943 476 5919 / 943 476 5918", "fine", None], index=[5, 6, 7, 8]
    )
    found = personal_data(text)
    mask, items = found["e-mail address"]
    assert (mask.tolist(), items) == ([True, False, False, False], 2)
    mask, items = found["NHS number"]
    assert (mask.tolist(), items) == ([False, True, False, False], 1)
    assert strip_personal_data(text).tolist() == [
        "[e-mail address removed] and [e-mail address removed]",
        "[NHS number removed] / 943 476 5918",
        "fine",
        "",
    ]


def test_the_command_line_imports_whole_files_or_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jsna.cli.main import cli
    from tests.render.site import copy_example

    root = copy_example(tmp_path / "project")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    survey = "illustrative-health-wellbeing-2025"
    raw = tmp_path / "raw.csv"
    raw.write_text(
        HEADER.replace("s1", survey)
        + f"\nX1,{survey},2025-03-02,Call 0161 912 3456,yes,anonymous,,,,,,,\n"
        + f"X2,{survey},2025-03-02,Fine,perhaps,anonymous,,,,,,,\n"
    )
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["voices", "import", str(root), str(raw), "--survey", survey, "--db", url]
    )
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        f"error: 2 problems in {raw}, nothing imported:",
        "raw.csv:2:free_text: personal data: looks like a UK phone number (remove it, or import "
        "with --strip)",
        "raw.csv:3:consent_to_publish: must be yes or no",
    ]
    unknown = runner.invoke(cli, ["voices", "import", str(root), str(raw), "--db", url])
    assert unknown.exit_code == 1
    assert "is not a declared survey's file: name it with --survey" in unknown.output
    done = runner.invoke(cli, ["voices", "import", str(root), "--db", url])
    assert done.exit_code == 0, done.output
    assert done.output == f"{survey}: new (96 responses)\n"
    raw.write_text(raw.read_text().replace("perhaps", "no"))
    stripped = runner.invoke(
        cli, ["voices", "import", str(root), str(raw), "--survey", survey, "--strip", "--db", url]
    )
    assert stripped.output == f"{survey}: replaced (2 responses), 1 personal data item removed\n"
