"""Priority rounds in the store, on SQLite and PostgreSQL: upserts, versions, history,
moderation, and many scorers at once losing or doubling nothing."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from jsna.content.priorities import CandidateSpec, EvidenceSpec, PrioritiesConfig
from jsna.errors import StoreError
from jsna.store.priorities import (
    RoundInfo,
    ScoreEntry,
    list_rounds,
    read_candidates,
    read_events,
    read_moderations,
    read_round,
    read_scores,
    record_scores,
    save_round,
    set_moderation,
    set_status,
)
from jsna.store.schema import priority_event, priority_score

MATRIX = PrioritiesConfig()
CRITERIA = [c.id for c in MATRIX.criteria]


def _info(round_id: str = "r1", status: str = "open") -> RoundInfo:
    return RoundInfo(
        id=round_id,
        title="Round one",
        description="",
        status=status,
        illustrative=False,
        origin="web",
        matrix=MATRIX,
        updated_at=None,  # type: ignore[arg-type]
        updated_by="test",
    )


CANDIDATES = [
    CandidateSpec(
        id=f"c{n}",
        title=f"Need {n}",
        evidence=(EvidenceSpec(kind="indicator", ref="bad_health", note="why"),),
    )
    for n in range(4)
]


def _round(engine: Engine) -> None:
    with engine.begin() as connection:
        assert save_round(connection, _info(), CANDIDATES, actor="ann", via="web")


def test_round_and_candidates_round_trip(engine: Engine) -> None:
    _round(engine)
    with engine.begin() as connection:
        info = read_round(connection, "r1")
        assert info is not None
        assert (info.title, info.status, info.matrix) == ("Round one", "open", MATRIX)
        assert read_candidates(connection, "r1") == CANDIDATES
        assert [r.id for r in list_rounds(connection)] == ["r1"]
        assert read_round(connection, "nope") is None
        # saving again updates and drops a candidate (with its scores), keeps the rest
        record_scores(
            connection, "r1", "ann", [ScoreEntry("c3", "size", 2)], actor="ann", via="web"
        )
        assert not save_round(connection, _info(), CANDIDATES[:3], actor="ann", via="web")
        assert [c.id for c in read_candidates(connection, "r1")] == ["c0", "c1", "c2"]
        assert read_scores(connection, "r1").empty


def test_upsert_versions_and_history(engine: Engine) -> None:
    _round(engine)
    with engine.begin() as connection:
        assert (
            record_scores(
                connection, "r1", "ann", [ScoreEntry("c0", "size", 2)], actor="ann", via="web"
            )
            == 1
        )
        # the same score again changes nothing and writes no history
        assert (
            record_scores(
                connection, "r1", "ann", [ScoreEntry("c0", "size", 2)], actor="ann", via="web"
            )
            == 0
        )
        assert (
            record_scores(
                connection,
                "r1",
                "ann",
                [ScoreEntry("c0", "size", 3, "more")],
                actor="ann",
                via="sheet",
            )
            == 1
        )
        assert (
            record_scores(
                connection, "r1", "bob", [ScoreEntry("c0", "size", 1)], actor="bob", via="web"
            )
            == 1
        )
        scores = read_scores(connection, "r1")
        assert scores[["scorer", "score", "comment", "version"]].values.tolist() == [
            ["ann", 3, "more", 2],
            ["bob", 1, "", 1],
        ]
        events = read_events(connection, "r1")
        scored = events[events["kind"] == "score"]
        assert scored[["scorer", "score", "text", "version", "via"]].values.tolist() == [
            ["ann", 2, "", 1, "web"],
            ["ann", 3, "more", 2, "sheet"],
            ["bob", 1, "", 1, "web"],
        ]


def test_moderation_and_status_are_versioned(engine: Engine) -> None:
    _round(engine)
    with engine.begin() as connection:
        assert (
            set_moderation(connection, "r1", "c0", "size", 3, "Census count", moderator="max") == 1
        )
        assert set_moderation(connection, "r1", "c0", "size", 2, "Rethought", moderator="max") == 2
        mods = read_moderations(connection, "r1")
        assert mods[["criterion", "score", "reason", "moderator"]].values.tolist() == [
            ["size", 2, "Rethought", "max"]
        ]
        assert (
            set_moderation(connection, "r1", "c0", "size", None, "Back to median", moderator="max")
            == 3
        )
        assert read_moderations(connection, "r1").empty
        set_status(connection, "r1", "closed", actor="max", via="web")
        info = read_round(connection, "r1")
        assert info is not None
        assert info.status == "closed"
        with pytest.raises(
            StoreError, match="round status 'done' is not one of open, closed, published"
        ):
            set_status(connection, "r1", "done", actor="max", via="web")
        events = read_events(connection, "r1")
        events = events.assign(score=events["score"].fillna(-1).astype(int))
        assert events[["kind", "score", "text", "version"]].values.tolist() == [
            ["status", -1, "open", 1],
            ["moderation", 3, "Census count", 1],
            ["moderation", 2, "Rethought", 2],
            ["moderation", -1, "Back to median", 3],
            ["status", -1, "closed", 1],
        ]


THREADS = 8
ROUNDS_EACH = 5


def test_concurrent_scorers_lose_and_double_nothing(engine: Engine) -> None:
    """8 threads at once: each scores every candidate and criterion 5 times as itself, and
    all of them also write one shared key (the same scorer, as from several tabs)."""
    _round(engine)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            barrier.wait()
            for repeat in range(ROUNDS_EACH):
                own = [
                    ScoreEntry(c.id, criterion, (number + repeat) % 4, f"t{number} r{repeat}")
                    for c in CANDIDATES
                    for criterion in CRITERIA
                ]
                shared = [ScoreEntry("c0", "size", repeat % 4, f"shared t{number} r{repeat}")]
                with engine.begin() as connection:
                    record_scores(connection, "r1", f"scorer{number}", own, actor="t", via="web")
                with engine.begin() as connection:
                    record_scores(connection, "r1", "everyone", shared, actor="t", via="web")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = len(CANDIDATES) * len(CRITERIA)
    with engine.connect() as connection:
        scores = read_scores(connection, "r1")
        # one row per (candidate, scorer, criterion): nothing doubled
        assert len(scores) == THREADS * keys + 1
        own = scores[scores["scorer"] != "everyone"]
        assert set(own["version"]) == {ROUNDS_EACH}
        assert (own["comment"].str.endswith(f"r{ROUNDS_EACH - 1}")).all()
        shared = scores[scores["scorer"] == "everyone"].iloc[0]
        # every write of the shared key changed its comment: all counted, none lost
        assert shared["version"] == THREADS * ROUNDS_EACH
        events = connection.execute(
            select(priority_event.c.version).where(
                priority_event.c.kind == "score", priority_event.c.scorer == "everyone"
            )
        ).scalars()
        assert sorted(events) == list(range(1, THREADS * ROUNDS_EACH + 1))
        total_events = connection.execute(
            select(func.count()).select_from(priority_event).where(priority_event.c.kind == "score")
        ).scalar_one()
        assert total_events == THREADS * ROUNDS_EACH * (keys + 1)
        assert (
            connection.execute(select(func.sum(priority_score.c.version))).scalar_one()
            == total_events
        )
    versions = Counter(own["version"])
    assert versions == {ROUNDS_EACH: THREADS * keys}


def test_cli_load_export_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """jsna priorities load (idempotent), export, and import (refused while published)."""
    from click.testing import CliRunner

    from jsna.cli.main import cli
    from jsna.store import open_store
    from tests.render.site import prepared_store

    project, _ = prepared_store()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, [*args, str(project), "--db", url])
        return result.exit_code, result.output

    assert run("priorities", "load") == (0, "2026-illustrative: created, 192 scores changed\n")
    assert run("priorities", "load") == (0, "2026-illustrative: updated, 0 scores changed\n")
    code, text = run("priorities", "export", "--round", "2026-illustrative")
    assert code == 0
    assert text.splitlines()[2].startswith("1,neighbourhood-health-gap,")
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "candidate,size,severity,inequality,effective_interventions,local_capacity,strategy\n"
        "tooth-decay,3,3,3,3,3,3\n"
    )
    result = runner.invoke(
        cli,
        [
            "priorities",
            "import",
            str(project),
            str(sheet),
            "--round",
            "2026-illustrative",
            "--scorer",
            "Ann",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 1
    assert str(result.exception) == f"{sheet}: round '2026-illustrative' is published, not open"
    engine = open_store(project, url)
    with engine.begin() as connection:
        set_status(connection, "2026-illustrative", "open", actor="t", via="cli")
    engine.dispose()
    result = runner.invoke(
        cli,
        [
            "priorities",
            "import",
            str(project),
            str(sheet),
            "--round",
            "2026-illustrative",
            "--scorer",
            "Ann",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"{sheet}: 6 scores recorded for 1 scorer\n"
