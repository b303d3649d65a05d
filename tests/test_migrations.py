"""The migrations build exactly the schema the models describe."""

import json
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session

from returns_service.migrate import alembic_config, upgrade
from returns_service.models import Base
from returns_service.wiring import load_all_models
from tests.insight.history import give_back, sell, tokyo


def test_migrations_match_models(database_url: str) -> None:
    load_all_models()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_go_down_to_nothing_and_up_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'returns.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    assert "return_requests" in inspect(engine).get_table_names()
    engine.dispose()


def test_migrations_go_down_and_up_again_on_postgresql(database_url: str) -> None:
    """On the suite's own database: down to the first revision and back to head."""
    command.downgrade(alembic_config(database_url), "0001")
    upgrade(database_url)
    test_migrations_match_models(database_url)


def _filed_then_migrated_from(
    tmp_path: Path, revision: str, *filings: list[tuple[str, int, str]]
) -> tuple[Engine, list[int]]:
    """A SQLite database with a return filed per list of (reason, quantity, comment), taken
    down to ``revision`` and up to head again; the engine and the returns' ids. No app: nothing
    but the migrations works out what they left for later."""
    url = f"sqlite:///{tmp_path / 'returns.db'}"
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        line = sell(session, "TS-1", 3, tokyo(2026, 11, 2))
        ids = [
            give_back(session, line, tokyo(2026, 11, 5 + n), *reasons).id
            for n, reasons in enumerate(filings)
        ]
        session.commit()
    command.downgrade(alembic_config(url), revision)
    upgrade(url)
    return engine, ids


def test_returns_filed_before_their_reasons_were_kept_get_them_from_their_lines(
    tmp_path: Path,
) -> None:
    reasons = [("SIZE_TOO_SMALL", 1, ""), ("DEFECTIVE", 1, ""), ("SIZE_TOO_SMALL", 1, "")]
    engine, (both, one) = _filed_then_migrated_from(
        tmp_path, "0016", reasons, [("UNWANTED", 1, "")]
    )

    with engine.connect() as connection:
        kept = dict(connection.execute(text("SELECT id, line_reasons FROM return_requests")).all())
    engine.dispose()
    assert kept == {both: "DEFECTIVE,SIZE_TOO_SMALL", one: "UNWANTED"}


def test_cases_filed_before_ranks_were_kept_get_them_under_the_mapping_in_force(
    tmp_path: Path,
) -> None:
    engine, (defective, unwanted) = _filed_then_migrated_from(
        tmp_path, "0018", [("DEFECTIVE", 1, "")], [("UNWANTED", 1, "")]
    )

    with engine.connect() as connection:
        ranks = {
            case_id: tuple(found)
            for case_id, *found in connection.execute(
                text("SELECT id, own_rank, parcel_rank, signal_rank FROM return_requests")
            )
        }
        basis = connection.scalar(text("SELECT mapping FROM case_rank_basis"))
    engine.dispose()
    assert ranks == {defective: (0, 2, 0), unwanted: (2, 2, 2)}
    assert "reason:DEFECTIVE" in json.loads(basis)["urgent"]
