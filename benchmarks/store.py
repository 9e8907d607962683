"""Load and query speed of the store at national scale, against a raw bulk-load floor.

Generates observations for every LSOA (33,755 real 2021 codes from the shared
lookup) x 100 indicators x 10 years = 33.8M rows, one indicator (one import)
at a time so the table is never whole in memory, and for SQLite (a file in a
temporary folder) and PostgreSQL (a database created at 127.0.0.1:5432 and
dropped afterwards) measures:

* the floor: the same rows written by the bare driver (``executemany`` for
  SQLite, ``COPY`` for PostgreSQL) into a table with the same columns and no
  index, key or constraint;
* our load: :func:`jsna.store.bulk.insert_rows` into the migrated schema,
  inside :func:`jsna.store.bulk.bulk_load` (observation indexes dropped and
  rebuilt at the end; ``--maintain-indexes`` keeps them during the load);
* the slice build: :func:`jsna.store.slices.refresh_slices` for every
  indicator after the load (timed on its own; its ratio to the load is
  informational);
* query latency p50/p95/p99 of :func:`jsna.store.queries.indicator_rows` (one
  indicator, one area type, all periods; served from the fresh slice) and
  :func:`~jsna.store.queries.area_rows` (one area, all indicators), plus the
  row path of the indicator query split into database time (``count(*)`` over
  the same index range) and driver fetch;
* database size, peak resident memory and the load average (other work on
  the machine skews every figure).

Targets (issue 4): load within 2x the floor; both query shapes p95 < 50 ms.

Run with ``python benchmarks/store.py`` (``--scale 0.01`` for a quick run).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from jsna.store import migrate, queries
from jsna.store.bulk import bulk_load, insert_rows
from jsna.store.engine import connect
from jsna.store.schema import area, area_type, dataset_version, observation, source
from jsna.store.slices import read_slice, refresh_slices

LSOAS = 33_755
INDICATORS = 100
YEARS = 10
FIRST_YEAR = 2014
LOAD_TARGET = 2.0
P95_TARGET_MS = 50.0
ADMIN_URL = os.environ.get("JSNA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
LOOKUP = (
    Path(
        os.environ.get("JSNA_DATA_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    / "england"
    / "lookups"
    / "lsoa21_to_ward24_ltla24_england.csv"
)
COLUMNS = [
    "version_id",
    "indicator_id",
    "area_id",
    "area_type",
    "period",
    "period_start",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
]
FLOOR_DDL = (
    "CREATE TABLE observation_floor (version_id INTEGER, indicator_id VARCHAR(64),"
    " area_id INTEGER, area_type VARCHAR(64), period VARCHAR(16), period_start INTEGER,"
    " sex VARCHAR(16), age VARCHAR(32), breakdown_type VARCHAR(64), breakdown VARCHAR(100),"
    " numerator FLOAT, denominator FLOAT, value FLOAT, lower_95 FLOAT, upper_95 FLOAT,"
    " lower_99_8 FLOAT, upper_99_8 FLOAT)"
)


def lsoa_codes(count: int) -> tuple[list[str], str]:
    """``count`` LSOA codes: real ones from the shared lookup if it has them all."""
    if LOOKUP.exists():
        codes = pd.read_csv(LOOKUP, usecols=["lsoa21_code"])["lsoa21_code"].drop_duplicates()
        if len(codes) >= LSOAS:
            return sorted(codes.tolist())[:count], f"real LSOA 2021 codes from {LOOKUP.name}"
    return [f"E01{n:06d}" for n in range(count)], "synthetic E01 codes (lookup incomplete)"


def chunk(indicator: int, area_ids: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """All rows of one indicator (one import): every area x every year."""
    areas = np.tile(area_ids, YEARS)
    years = np.repeat(np.arange(FIRST_YEAR, FIRST_YEAR + YEARS), len(area_ids))
    size = len(areas)
    denominator = rng.integers(800, 3000, size).astype(float)
    numerator = rng.binomial(denominator.astype(np.int64), 0.05).astype(float)
    value = numerator / denominator * 100_000
    spread = np.sqrt(np.maximum(numerator, 1)) / denominator * 100_000
    numerator[rng.random(size) < 0.02] = np.nan
    return pd.DataFrame(
        {
            "version_id": np.full(size, indicator + 1, dtype=np.int64),
            "indicator_id": f"ind{indicator:03d}",
            "area_id": areas,
            "area_type": "lsoa21",
            "period": pd.array(years.astype(str), dtype="str"),
            "period_start": years,
            "sex": "persons",
            "age": "all ages",
            "breakdown_type": "",
            "breakdown": "",
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "lower_95": value - 1.96 * spread,
            "upper_95": value + 1.96 * spread,
            "lower_99_8": value - 3.09 * spread,
            "upper_99_8": value + 3.09 * spread,
        }
    )[COLUMNS]


@dataclass
class Result:
    """What one backend measured."""

    backend: str
    floor_seconds: float = 0.0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    slice_seconds: float = 0.0
    slices: int = 0
    rows: int = 0
    size_bytes: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)


def load_average() -> str:
    """The machine's 1/5/15-minute load averages: other work skews every figure here."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database URL, dropped afterwards."""
    url = make_url(ADMIN_URL)
    name = f"jsna_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=url.database,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def seed(engine: Engine, codes: list[str]) -> np.ndarray:
    """Area type, areas, source and one dataset version per indicator; returns area ids."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        insert_rows(
            connection,
            area_type,
            pd.DataFrame([{"code": "lsoa21", "name": "LSOA", "level": 0, "vintage": "2021"}]),
        )
        frame = pd.DataFrame({"id": np.arange(1, len(codes) + 1), "code": codes})
        insert_rows(connection, area, frame.assign(area_type="lsoa21", name=frame["code"]))
        insert_rows(
            connection,
            source,
            pd.DataFrame(
                [
                    {
                        "id": "bench",
                        "title": "Benchmark",
                        "publisher": "jsna",
                        "licence": "OGL",
                        "format": "csv",
                        "declaration": "{}",
                    }
                ]
            ),
        )
        versions = pd.DataFrame(
            {
                "id": np.arange(1, INDICATORS + 1),
                "source_id": "bench",
                "checksum": [f"{n:064d}" for n in range(INDICATORS)],
                "file_name": [f"ind{n:03d}.csv" for n in range(INDICATORS)],
                "retrieved_at": now,
                "imported_at": now,
                "row_count": len(codes) * YEARS,
                "is_current": True,
            }
        )
        insert_rows(connection, dataset_version, versions)
    return np.arange(1, len(codes) + 1, dtype=np.int64)


def floor_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """The plainest column-wise tuples a driver accepts (no NULL handling)."""
    return list(zip(*(frame[name].tolist() for name in COLUMNS), strict=True))


def load_floor(engine: Engine, chunks: Callable[[], Iterator[pd.DataFrame]]) -> float:
    """Seconds to write every chunk into a bare table with the raw driver."""
    elapsed = 0.0
    with engine.begin() as connection:
        connection.exec_driver_sql(FLOOR_DDL)
        driver = connection.connection.driver_connection
        assert driver is not None
        for frame in chunks():
            start = time.perf_counter()
            if engine.dialect.name == "postgresql":
                copy_sql = f"COPY observation_floor ({', '.join(COLUMNS)}) FROM STDIN"
                with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
                    for row in floor_rows(frame):
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in COLUMNS)
                cursor = driver.cursor()
                cursor.executemany(
                    f"INSERT INTO observation_floor ({', '.join(COLUMNS)}) VALUES ({marks})",
                    floor_rows(frame),
                )
                cursor.close()
            elapsed += time.perf_counter() - start
    return elapsed


def load_store(
    engine: Engine, chunks: Callable[[], Iterator[pd.DataFrame]], *, maintain: bool
) -> tuple[float, float, int]:
    """Seconds to load through insert_rows (total, of which index rebuild) and rows loaded."""
    elapsed = 0.0
    rows = 0
    with engine.begin() as connection:
        if maintain:
            for frame in chunks():
                start = time.perf_counter()
                rows += insert_rows(connection, observation, frame)
                elapsed += time.perf_counter() - start
            return elapsed, 0.0, rows
        start = time.perf_counter()
        with bulk_load(connection, observation):
            elapsed += time.perf_counter() - start
            for frame in chunks():
                start = time.perf_counter()
                rows += insert_rows(connection, observation, frame)
                elapsed += time.perf_counter() - start
            start = time.perf_counter()
        rebuild = time.perf_counter() - start
    return elapsed + rebuild, rebuild, rows


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    p50, p95, p99 = np.percentile(np.array(values) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def timed(function: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def query_latencies(
    engine: Engine, areas: int, count: int, indicator_count: int, seed: int
) -> dict[str, list[float]]:
    """Latencies of ``count`` random queries of each shape, plus the indicator query's parts."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {
        "indicator": [],
        "indicator (row path): database only": [],
        "indicator (row path): fetch only": [],
        "area": [],
    }
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        queries.area_rows(connection, 1)  # warm up the connection
        assert read_slice(connection, "ind000", "lsoa21") is not None, "no fresh slice"
        for number in range(count):
            area_id = int(rng.integers(1, areas + 1))
            out["area"].append(timed(lambda a=area_id: queries.area_rows(connection, a)))  # type: ignore[misc]
            if number >= indicator_count:
                continue
            indicator = f"ind{int(rng.integers(INDICATORS)):03d}"
            frame = queries.indicator_rows(connection, indicator, "lsoa21")
            assert len(frame) == areas * YEARS, (indicator, len(frame))
            out["indicator"].append(
                timed(lambda i=indicator: queries.indicator_rows(connection, i, "lsoa21"))  # type: ignore[misc]
            )
            sql, parameters, _ = queries.indicator_sql(connection, indicator, "lsoa21")
            out["indicator (row path): fetch only"].append(
                timed(lambda s=sql, p=parameters: _fetch(driver, s, p))
            )  # type: ignore[misc]
            counting = "SELECT count(*) FROM " + sql.split(" FROM ", 1)[1].split(" ORDER BY")[0]
            out["indicator (row path): database only"].append(
                timed(lambda s=counting, p=parameters: _fetch(driver, s, p))  # type: ignore[misc]
            )
    return out


def _fetch(driver: object, sql: str, parameters: list[object]) -> list[object]:
    cursor = driver.cursor()  # type: ignore[attr-defined]
    cursor.execute(sql, parameters)
    rows: list[object] = cursor.fetchall()
    cursor.close()
    return rows


def database_size(connection: Connection, path: Path | None) -> int:
    """Bytes on disk: the SQLite file (after a checkpoint) or pg_database_size."""
    if path is not None:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return int(
        connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
    )


def run_backend(
    backend: str, url: str, codes: list[str], args: argparse.Namespace, console: Console
) -> Result:
    """Floor, load, queries and size on one backend."""
    result = Result(backend)
    floor_url = url
    if backend == "sqlite":
        floor_url = url.replace("store.db", "floor.db")
    engine = connect(url=url)
    floor_engine = connect(url=floor_url) if floor_url != url else engine
    try:
        migrate.upgrade(engine)
        area_ids = seed(engine, codes)

        def chunks() -> Iterator[pd.DataFrame]:
            rng = np.random.default_rng(args.seed)
            for indicator in range(INDICATORS):
                yield chunk(indicator, area_ids, rng)

        console.log(f"{backend}: floor load ... ({load_average()})")
        result.floor_seconds = load_floor(floor_engine, chunks)
        if floor_engine is engine:
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE observation_floor")
        console.log(f"{backend}: floor {result.floor_seconds:.1f} s; store load ...")
        result.load_seconds, result.index_seconds, result.rows = load_store(
            engine, chunks, maintain=args.maintain_indexes
        )
        console.log(f"{backend}: load {result.load_seconds:.1f} s; analyze ... ({load_average()})")
        with engine.begin() as connection:
            if backend == "postgresql":
                connection.exec_driver_sql("ANALYZE")
            else:
                connection.exec_driver_sql("ANALYZE")
        console.log(f"{backend}: slice build ...")
        start = time.perf_counter()
        with engine.begin() as connection:
            result.slices = refresh_slices(connection)
        result.slice_seconds = time.perf_counter() - start
        console.log(
            f"{backend}: {result.slices} slices in {result.slice_seconds:.1f} s;"
            f" queries ... ({load_average()})"
        )
        result.latencies = query_latencies(
            engine, len(codes), args.queries, args.indicator_queries or args.queries, args.seed
        )
        with engine.connect() as connection:
            path = Path(make_url(url).database or "") if backend == "sqlite" else None
            result.size_bytes = database_size(connection, path)
    finally:
        engine.dispose()
        floor_engine.dispose()
    return result


def report(results: list[Result], console: Console) -> None:
    """The rich table of loads, ratios, latencies and sizes."""
    table = Table(title="Store at national scale (targets: load <= 2x floor, p95 < 50 ms)")
    for name in ("backend", "measure", "value", "ratio / target", "ok"):
        table.add_column(name, justify="left" if name in ("backend", "measure") else "right")
    for result in results:
        ratio = result.load_seconds / result.floor_seconds
        rate = result.rows / result.load_seconds
        table.add_row(result.backend, "rows", f"{result.rows:,}", "", "")
        table.add_row(
            "", "floor load (raw driver, bare table)", f"{result.floor_seconds:.1f} s", "", ""
        )
        table.add_row(
            "",
            "insert_rows load (of which index build)",
            f"{result.load_seconds:.1f} s ({result.index_seconds:.1f} s), {rate:,.0f} rows/s",
            f"{ratio:.2f}x / {LOAD_TARGET:.0f}x",
            "yes" if ratio <= LOAD_TARGET else "NO",
        )
        table.add_row(
            "",
            f"slice build (refresh_slices, {result.slices} slices)",
            f"{result.slice_seconds:.1f} s",
            f"{result.slice_seconds / result.load_seconds:.2f}x load (info)",
            "",
        )
        for name, values in result.latencies.items():
            p50, p95, p99 = percentiles(values)
            targeted = name in ("indicator", "area")
            table.add_row(
                "",
                f"{name} p50 / p95 / p99",
                f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms",
                f"{P95_TARGET_MS:.0f} ms" if targeted else "",
                ("yes" if p95 < P95_TARGET_MS else "NO") if targeted else "",
            )
        table.add_row("", "database size", f"{result.size_bytes / 2**30:.2f} GiB", "", "")
    console.print(table)


def main() -> None:
    """Parse arguments, run each backend, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 33,755 LSOAs")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--queries", type=int, default=200, help="queries of each shape")
    parser.add_argument(
        "--indicator-queries",
        type=int,
        help="indicator-shape queries (default: --queries; each reads every LSOA x year)",
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--maintain-indexes", action="store_true", help="keep indexes during the load"
    )
    args = parser.parse_args()
    console = Console(width=140)
    count = max(1, round(LSOAS * args.scale))
    codes, origin = lsoa_codes(count)
    console.log(
        f"{count:,} areas ({origin}) x {INDICATORS} indicators x {YEARS} years"
        f" = {count * INDICATORS * YEARS:,} rows, one indicator ({count * YEARS:,} rows) per chunk"
    )
    results = []
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'store.db'}"
                results.append(run_backend(backend, url, codes, args, console))
        else:
            with postgres_database() as url:
                results.append(run_backend(backend, url, codes, args, console))
        console.log(f"peak RSS so far: {peak_rss_mb():,.0f} MiB ({load_average()})")
    report(results, console)
    console.print(f"peak RSS: {peak_rss_mb():,.0f} MiB; {load_average()}")


if __name__ == "__main__":
    main()
