"""Community voices: reading a responses file, screening personal data, themes and consent.

The file format (documented in ``docs/analyses/community-voices.md``) has one
row per response and these columns (header names exactly; order free):

================== ======== ==================================================
column             required values
================== ======== ==================================================
response_id        yes      letters, digits, ``._-``; unique in the file
survey_id          yes      the survey's id (``voices/<id>.yml``)
date               yes      YYYY-MM-DD, within the survey's dates
free_text          yes      what the person said (at most 2,000 characters)
consent_to_publish yes      yes / no: may the words be quoted in the JSNA
anonymity          yes      named / anonymous
themes             no       theme codes separated by ``;`` (analyst-coded)
indicators         no       related indicator ids separated by ``;``
age_band           no       under 16, 16-24, 25-34 ... 65-74, 75+
sex                no       female / male
ethnic_group       no       Asian, Black, Mixed, White, Other
disability         no       yes / no
ward               no       a ward name or code of the project's wards
================== ======== ==================================================

Blank demographic cells (or "prefer not to say") are "not stated". Any other
column is refused, and so are columns that hold names (``name``,
``surname`` ...) or contact details. The free text of every row is screened
for personal data (:data:`PERSONAL_DATA`): e-mail addresses, UK phone numbers,
full UK postcodes and NHS numbers (valid check digit). They are refused, or
with ``strip=True`` replaced by ``[... removed]`` in the free text (never in
the other columns). A file with any problem is refused whole
(:class:`VoicesRejectedError` lists every problem by file, row, column and
rule); row numbers are spreadsheet rows (the header is row 1).

Consent rules (:func:`quotes`): a response is quoted only when its
consent_to_publish is yes. An anonymous quote's attribution shows only
demographic details shared by more respondents than the project's
``disclosure.max_suppressed_count`` (ward is dropped first, then sex, then age
band); ethnic group and disability are never shown beside a quote.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jsna.content.project import Disclosure
from jsna.content.voices import Survey, Theme
from jsna.errors import InputFileError

from .personal_data import RULES, personal_data, strip_personal_data, with_article

__all__ = [
    "AGE_BANDS",
    "COLUMNS",
    "NOT_STATED",
    "PERSONAL_DATA",
    "Problem",
    "Screened",
    "VoicesRejectedError",
    "age_band_of",
    "attribution",
    "effective_themes",
    "equality_table",
    "file_checksum",
    "hidden_counts",
    "population_groups",
    "quotes",
    "read_responses",
    "split_codes",
    "suggest_themes",
    "theme_counts",
]

REQUIRED = ("response_id", "survey_id", "date", "free_text", "consent_to_publish", "anonymity")
OPTIONAL = ("themes", "indicators", "age_band", "sex", "ethnic_group", "disability", "ward")
COLUMNS = REQUIRED + OPTIONAL
"""Columns of a responses file, required first."""

NOT_STATED = "not stated"
AGE_BANDS = ("under 16", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
SEXES = ("female", "male")
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
DISABILITY = ("yes", "no")
MAX_TEXT = 2000
MAX_FILE_BYTES = 20 * 1024 * 1024

_NAME_COLUMN = re.compile(r"(^|_)(name|names|forename|surname|firstname|lastname)($|_)")
_CONTACT_COLUMN = re.compile(r"(^|_)(e_?mail|phone|mobile|telephone|postcode|address|nhs)($|_)")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

PERSONAL_DATA = RULES
"""Rule name -> (regular expression, replacement when stripped): :mod:`.personal_data`."""


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell: ``file:row:column: rule``; the value is never shown for
    personal data."""

    file: str
    row: int
    column: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.rule}"


class VoicesRejectedError(InputFileError):
    """A responses file broke one or more rules; nothing was imported."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''}, nothing imported:"
        super().__init__(path, "\n".join([heading, *map(str, self.problems[:1000])]))


@dataclass(frozen=True)
class Screened:
    """A responses file read, screened and checked: one row per response."""

    frame: pd.DataFrame
    """survey_id, response_id, response_date, text, consent, anonymous, themes (None: not
    coded), suggested, indicators, age_band, sex, ethnic_group, disability, ward."""
    checksum: str
    stripped: dict[str, int] = field(default_factory=dict)
    """Personal data items removed from the free text, by rule (``strip=True``)."""


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_codes(values: pd.Series) -> pd.Series:
    """``"a; b;a"`` -> ``("a", "b")`` per cell: trimmed, de-duplicated, in order."""
    return values.fillna("").astype(str).map(_codes)


def _codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(";") if p.strip()))


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputFileError(path, "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputFileError(path, f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        else:
            raise InputFileError(path, "not a .csv or .xlsx file")
    except (UnicodeDecodeError, ValueError, OSError) as error:
        if isinstance(error, InputFileError):
            raise
        raise InputFileError(path, f"cannot be read as a table ({error})") from error
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _column_problems(path: Path, columns: list[str]) -> list[Problem]:
    problems = []
    for name in columns:
        low = name.lower()
        if _NAME_COLUMN.search(low):
            rule = "personal data: a column of names is not accepted (delete the column)"
        elif _CONTACT_COLUMN.search(low):
            rule = "personal data: a column of contact details is not accepted (delete it)"
        elif name not in COLUMNS:
            rule = f"unknown column (columns allowed: {', '.join(COLUMNS)})"
        else:
            continue
        problems.append(Problem(path.name, 1, name, rule))
    for name in REQUIRED:
        if name not in columns:
            problems.append(Problem(path.name, 1, name, "required column is missing"))
    return problems


def _screen(
    path: Path, frame: pd.DataFrame, *, strip: bool
) -> tuple[pd.DataFrame, list[Problem], dict[str, int]]:
    problems: list[Problem] = []
    stripped: dict[str, int] = {}
    for column in frame.columns:
        for rule, (mask, items) in personal_data(frame[column]).items():
            if not items:
                continue
            if strip and column == "free_text":
                stripped[rule] = items
                continue
            hint = " (remove it, or import with --strip)" if column == "free_text" else ""
            rule_text = f"personal data: looks like {with_article(rule)}{hint}"
            problems += [
                Problem(path.name, int(i) + 2, column, rule_text)
                for i in np.flatnonzero(mask.to_numpy())
            ]
    if stripped:
        frame = frame.assign(free_text=strip_personal_data(frame["free_text"]))
    return frame, problems, stripped


def _bad(path: Path, column: str, mask: pd.Series | np.ndarray, rule: str) -> list[Problem]:
    return [
        Problem(path.name, int(i) + 2, column, rule)
        for i in np.flatnonzero(np.asarray(mask, dtype=bool))
    ]


def _choice(
    path: Path, frame: pd.DataFrame, column: str, allowed: tuple[str, ...]
) -> tuple[pd.Series, list[Problem]]:
    """A demographic column normalised to the allowed spelling, blanks as "not stated"."""
    if column not in frame:
        return pd.Series(NOT_STATED, index=frame.index), []
    raw = frame[column].str.strip()
    lookup = {a.lower(): a for a in allowed} | {"": NOT_STATED, "prefer not to say": NOT_STATED}
    lookup[NOT_STATED] = NOT_STATED
    values = raw.str.lower().map(lookup)
    rule = f"must be one of {', '.join(allowed)}, or blank"
    return values.fillna(""), _bad(path, column, values.isna(), rule)


def _codes_problems(
    path: Path, codes: pd.Series, column: str, known: Iterable[str], what: str
) -> list[Problem]:
    exploded = codes.explode().dropna()
    unknown = exploded[~exploded.isin(list(known))]
    return [
        Problem(path.name, int(i) + 2, column, f"unknown {what} {code!r}")
        for i, code in unknown.items()
    ]


def _checked(
    path: Path,
    frame: pd.DataFrame,
    survey: Survey,
    themes: Mapping[str, Theme],
    indicator_ids: Iterable[str],
    wards: Mapping[str, str],
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    ids = frame["response_id"].str.strip()
    problems += _bad(
        path,
        "response_id",
        ~ids.str.match(_ID.pattern),
        "must be 1-64 letters, digits, '.', '_' or '-'",
    )
    problems += _bad(path, "response_id", ids.duplicated() & (ids != ""), "response id repeated")
    survey_ids = frame["survey_id"].str.strip()
    problems += _bad(path, "survey_id", survey_ids != survey.id, f"must be {survey.id!r}")
    # spreadsheets give date cells as "2025-03-02 00:00:00"
    written = frame["date"].str.strip().str.replace(r" 00:00:00$", "", regex=True)
    dates = pd.to_datetime(written, format="%Y-%m-%d", errors="coerce")
    problems += _bad(path, "date", dates.isna(), "must be a date YYYY-MM-DD")
    start, end = pd.Timestamp(survey.start), pd.Timestamp(survey.end)
    outside = dates.notna() & ((dates < start) | (dates > end))
    problems += _bad(
        path, "date", outside, f"outside the survey's dates ({survey.start} to {survey.end})"
    )
    text = frame["free_text"].str.strip()
    problems += _bad(path, "free_text", text == "", "must not be empty")
    problems += _bad(
        path, "free_text", text.str.len() > MAX_TEXT, f"longer than {MAX_TEXT} characters"
    )
    consent = frame["consent_to_publish"].str.strip().str.lower()
    problems += _bad(path, "consent_to_publish", ~consent.isin(["yes", "no"]), "must be yes or no")
    anonymity = frame["anonymity"].str.strip().str.lower()
    problems += _bad(
        path, "anonymity", ~anonymity.isin(["named", "anonymous"]), "must be named or anonymous"
    )
    coded = split_codes(frame["themes"]) if "themes" in frame else pd.Series([()] * len(frame))
    coded.index = frame.index
    problems += _codes_problems(path, coded, "themes", themes, "theme code")
    linked = split_codes(frame["indicators"]) if "indicators" in frame else coded.map(lambda _: ())
    problems += _codes_problems(path, linked, "indicators", indicator_ids, "indicator id")
    demographics = {}
    for column, allowed in (
        ("age_band", AGE_BANDS),
        ("sex", SEXES),
        ("ethnic_group", ETHNIC_GROUPS),
        ("disability", DISABILITY),
    ):
        demographics[column], found = _choice(path, frame, column, allowed)
        problems += found
    ward = frame["ward"].str.strip() if "ward" in frame else pd.Series("", index=frame.index)
    if wards:
        lookup = {k.lower(): v for k, v in wards.items()} | {"": NOT_STATED}
        named = ward.str.lower().map(lookup)
        problems += _bad(path, "ward", named.isna(), "not a ward of the area (name or code)")
        ward = named.fillna("")
    else:
        ward = ward.where(ward != "", NOT_STATED)
    out = pd.DataFrame(
        {
            "survey_id": survey.id,
            "response_id": ids,
            "response_date": dates.dt.date,
            "text": text,
            "consent": consent == "yes",
            "anonymous": anonymity == "anonymous",
            "themes": coded.map(lambda c: ";".join(c) if c else None),
            "suggested": suggest_themes(text, themes).map(";".join),
            "indicators": linked.map(";".join),
            **demographics,
            "ward": ward,
        }
    )
    return out, problems


def read_responses(
    path: Path | str,
    survey: Survey,
    themes: Mapping[str, Theme],
    indicator_ids: Iterable[str],
    *,
    wards: Mapping[str, str] | None = None,
    strip: bool = False,
) -> Screened:
    """A responses file read and checked whole, or :class:`VoicesRejectedError` with every
    problem (personal data, unknown columns, bad values).

    ``wards`` maps ward names and codes (any case) to the ward name shown; without it the
    ward column is taken as written. ``strip`` removes personal data from the free text
    instead of refusing the file.
    """
    path = Path(path)
    frame = _read_table(path)
    problems = _column_problems(path, list(frame.columns))
    if problems:
        raise VoicesRejectedError(path, problems)
    frame = frame.astype(str)
    frame, problems, stripped = _screen(path, frame, strip=strip)
    checked, found = _checked(path, frame, survey, themes, set(indicator_ids), wards or {})
    problems += found
    if problems:
        problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 0))
        raise VoicesRejectedError(path, problems)
    return Screened(checked.reset_index(drop=True), file_checksum(path), stripped)


def suggest_themes(text: pd.Series, themes: Mapping[str, Theme]) -> pd.Series:
    """The theme codes whose keywords appear in each text (whole words, any case), in the
    theme list's order."""
    lowered = text.fillna("").astype(str).str.lower()
    hits = {
        code: lowered.str.contains(pattern, regex=True).to_numpy(dtype=bool)
        for code, theme in themes.items()
        if (pattern := theme.pattern()) is not None
    }
    if not hits:
        return pd.Series([()] * len(text), index=text.index, dtype=object)
    codes = np.array(list(hits), dtype=object)
    matrix = np.column_stack(list(hits.values()))
    return pd.Series([tuple(codes[row]) for row in matrix], index=text.index, dtype=object)


def effective_themes(frame: pd.DataFrame) -> pd.Series:
    """Each response's theme codes: the coded ones, else the keyword suggestions."""
    coded = frame["themes"]
    chosen = coded.where(coded.notna(), frame["suggested"]).fillna("")
    return split_codes(chosen)


def hidden_counts(counts: np.ndarray | pd.Series, disclosure: Disclosure) -> np.ndarray:
    """Which counts the project's rules hide: 1 to ``max_suppressed_count`` (and 0 when
    ``suppress_zero``)."""
    values = np.asarray(counts, dtype=np.int64)
    hidden = (values >= 1) & (values <= disclosure.max_suppressed_count)
    if disclosure.suppress_zero:
        hidden |= values == 0
    return hidden


def theme_counts(frame: pd.DataFrame, themes: Mapping[str, Theme]) -> pd.DataFrame:
    """Responses per theme (a response may have several): code, theme, responses, share
    (of all responses), suggested_only (responses counted from suggestions not yet coded).
    Most frequent first, then in the theme list's order."""
    total = len(frame)
    chosen = effective_themes(frame)
    uncoded = frame["themes"].isna().to_numpy()
    exploded = pd.DataFrame({"code": chosen, "uncoded": uncoded}).explode("code").dropna()
    counts = exploded.groupby("code", sort=False).agg(
        responses=("uncoded", "size"), suggested_only=("uncoded", "sum")
    )
    order = {code: i for i, code in enumerate(themes)}
    out = pd.DataFrame({"code": list(themes)}).merge(
        counts, left_on="code", right_index=True, how="left"
    )
    out = out.fillna({"responses": 0, "suggested_only": 0}).astype(
        {"responses": int, "suggested_only": int}
    )
    out["theme"] = out["code"].map(lambda c: themes[c].label)
    out["share"] = out["responses"] / total if total else np.nan
    out["order"] = out["code"].map(order)
    out = out[out["responses"] > 0].sort_values(["responses", "order"], ascending=[False, True])
    return out.drop(columns="order").reset_index(drop=True)[
        ["code", "theme", "responses", "share", "suggested_only"]
    ]


CHARACTERISTICS = (
    ("Age band", "age_band"),
    ("Sex", "sex"),
    ("Ethnic group", "ethnic_group"),
    ("Disability", "disability"),
    ("Ward", "ward"),
)
"""Characteristics of the equality table: heading, column."""

ATTRIBUTION = ("age_band", "sex", "ward")
"""Demographic details an attribution may show, kept in this order (ward is dropped first)."""


def attribution(frame: pd.DataFrame, disclosure: Disclosure) -> pd.Series:
    """Who said each response, in words ("aged 25-34, female, Sale Moor"), or "".

    A named respondent's stated details are shown. For an anonymous one, the
    longest run of details (age band; age band and sex; age band, sex and ward)
    that more than ``max_suppressed_count`` respondents of the same survey share
    is shown, so nobody is picked out; never ethnic group or disability.
    """
    limit = disclosure.max_suppressed_count
    keep = np.zeros(len(frame), dtype=np.int64)
    for depth in range(1, len(ATTRIBUTION) + 1):
        keys = ["survey_id", *ATTRIBUTION[:depth]]
        shared = frame.groupby(keys, sort=False)["response_id"].transform("size").to_numpy()
        ok = (shared > limit) | ~frame["anonymous"].to_numpy(dtype=bool)
        keep = np.where(ok & (keep == depth - 1), depth, keep)
    parts = []
    for depth, column in enumerate(ATTRIBUTION, start=1):
        values = frame[column].astype(str)
        shown = (keep >= depth) & (values != NOT_STATED).to_numpy()
        label = ("aged " + values) if column == "age_band" else values
        parts.append(label.where(shown, ""))
    joined = pd.concat(parts, axis=1).apply(
        lambda row: ", ".join(p for p in row if p), axis=1, result_type="reduce"
    )
    return joined.astype(str) if len(frame) else pd.Series([], dtype=str)


def quotes(
    frame: pd.DataFrame, themes: Mapping[str, Theme], disclosure: Disclosure, most: int
) -> pd.DataFrame:
    """Up to ``most`` quotes for publication: only consented responses; one per theme first
    (most frequent themes first), then the most recent. Columns: quote, themes, who,
    survey_id, response_id."""
    if frame.empty or most <= 0:
        return pd.DataFrame(columns=["quote", "themes", "who", "survey_id", "response_id"])
    frame = frame.assign(who=attribution(frame, disclosure), codes=effective_themes(frame))
    consented = frame[frame["consent"].to_numpy(dtype=bool)]
    consented = consented.sort_values(["response_date", "response_id"], ascending=[False, True])
    consented = consented.drop_duplicates("text")
    counts = theme_counts(frame, themes)
    chosen: list[int] = []
    for code in counts["code"]:
        if len(chosen) >= most:
            break
        has = consented[consented["codes"].map(lambda c, code=code: code in c)]
        has = has[~has.index.isin(chosen)]
        if not has.empty:
            chosen.append(int(has.index[0]))
    rest = [int(i) for i in consented.index if i not in chosen]
    chosen += rest[: max(0, most - len(chosen))]
    picked = consented.loc[chosen]
    labels = picked["codes"].map(lambda c: ", ".join(themes[x].label for x in c if x in themes))
    return pd.DataFrame(
        {
            "quote": picked["text"].to_numpy(),
            "themes": labels.to_numpy(),
            "who": picked["who"].to_numpy(),
            "survey_id": picked["survey_id"].to_numpy(),
            "response_id": picked["response_id"].to_numpy(),
        }
    )


def age_band_of(ages: pd.Series) -> pd.Series:
    """Single years of age ("0" ... "89", "90+") as :data:`AGE_BANDS` labels (others: NA)."""
    years = pd.to_numeric(ages.astype(str).str.rstrip("+"), errors="coerce")
    edges = [0, 16, 25, 35, 45, 55, 65, 75, 200]
    single = ages.astype(str).str.fullmatch(r"\d+\+?")
    banded = pd.cut(years, bins=edges, right=False, labels=list(AGE_BANDS))
    return banded.astype(object).where(single, None)


def equality_table(
    frame: pd.DataFrame, population: pd.DataFrame | None, disclosure: Disclosure
) -> pd.DataFrame:
    """Respondents by age band, sex, ethnic group, disability and ward against the population.

    ``population``: rows of ``characteristic`` (age band, sex, ward), ``group`` and
    ``people`` (resident population), or None. Returns characteristic, group,
    respondents, respondents_share (of those who stated it), population_share
    (of the same groups), hidden (respondents hidden by the disclosure rules:
    small counts, and the next smallest of the same characteristic when only one
    would be hidden, so it cannot be worked out from the total).
    """
    pieces = []
    for characteristic, column in CHARACTERISTICS:
        counts = frame[column].astype(str).value_counts()
        groups = pd.DataFrame({"group": counts.index.astype(str), "respondents": counts.values})
        if population is not None:
            mine = population[population["characteristic"] == characteristic]
            groups = groups.merge(mine[["group", "people"]], on="group", how="outer").fillna(
                {"respondents": 0}
            )
        else:
            groups["people"] = np.nan
        groups["characteristic"] = characteristic
        stated = groups["group"] != NOT_STATED
        total = groups.loc[stated, "respondents"].sum()
        groups["respondents_share"] = np.where(
            stated & (total > 0), groups["respondents"] / max(total, 1), np.nan
        )
        people = groups["people"]
        groups["population_share"] = people / people.sum() if people.notna().any() else np.nan
        hidden = hidden_counts(groups["respondents"].to_numpy(), disclosure)
        if disclosure.secondary and hidden.sum() == 1 and len(groups) > 1:
            shown = np.flatnonzero(~hidden & (groups["respondents"].to_numpy() > 0))
            if len(shown):
                smallest = shown[np.argmin(groups["respondents"].to_numpy()[shown])]
                hidden[smallest] = True
        groups["hidden"] = hidden
        groups["order"] = _group_order(characteristic, groups["group"])
        pieces.append(groups.sort_values(["order", "group"]).drop(columns="order"))
    out = pd.concat(pieces, ignore_index=True)
    out["respondents"] = out["respondents"].astype(int)
    return out[
        [
            "characteristic",
            "group",
            "respondents",
            "respondents_share",
            "people",
            "population_share",
            "hidden",
        ]
    ]


def population_groups(results: pd.DataFrame, *, under_16: bool = False) -> pd.DataFrame:
    """Resident population by age band, sex and ward from a population indicator's results
    (rows by ward, sex and single year of age): characteristic, group, people. Ages under
    16 count only when ``under_16``."""
    ages = results["age"].astype(str)
    opened = pd.to_numeric(ages.str.extract(r"^(\d+)\+$")[0], errors="coerce")
    top = opened.max()
    # single years, and the open-ended oldest age ("90+"), not broad groups like "65+"
    rows = results[ages.str.fullmatch(r"\d+").to_numpy() | (opened == top).to_numpy()]
    rows = rows.assign(band=age_band_of(rows["age"]))
    if not under_16:
        rows = rows[rows["band"] != "under 16"]
    people = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.assign(people=people)
    persons = rows[rows["sex"] == "persons"]
    by_band = persons.groupby("band", observed=True)["people"].sum()
    by_sex = rows[rows["sex"].isin(SEXES)].groupby("sex")["people"].sum()
    by_ward = persons.groupby("area_name")["people"].sum()
    parts = [
        ("Age band", by_band),
        ("Sex", by_sex),
        ("Ward", by_ward),
    ]
    return pd.concat(
        [
            pd.DataFrame({"characteristic": name, "group": s.index.astype(str), "people": s.values})
            for name, s in parts
        ],
        ignore_index=True,
    )


def _group_order(characteristic: str, groups: pd.Series) -> pd.Series:
    order = {
        "Age band": AGE_BANDS,
        "Sex": SEXES,
        "Ethnic group": ETHNIC_GROUPS,
        "Disability": DISABILITY,
    }.get(characteristic, ())
    ranks = {g: i for i, g in enumerate(order)} | {NOT_STATED: 10_000}
    return groups.map(lambda g: ranks.get(g, 100))
