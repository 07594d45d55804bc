"""The class store's tables (SQLAlchemy Core) and its migrations, each step recorded in ``schema_version``."""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 1

metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

rounds = sa.Table(
    "class_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.Column("backends", sa.String(400), nullable=False),  # comma-separated names
    sa.Column("is_open", sa.Boolean, nullable=False),
    sa.Column("closes_at", sa.Float, nullable=True),
    sa.Column("fixed_seed", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

results = sa.Table(
    "class_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("class_rounds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("visitor", sa.String(100), nullable=False),
    sa.Column("nickname", sa.String(100), nullable=False),
    sa.Column("backend", sa.String(40), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("inside", sa.BigInteger, nullable=False),
    sa.Column("elapsed_s", sa.Float, nullable=False),
    sa.Column("compile_s", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=False),
    sa.Index("class_results_round", "round_id", "id"),
)

seeds = sa.Table(
    "class_seeds",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("class_rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("visitor", sa.String(100), primary_key=True),
    sa.Column("seed", sa.BigInteger, nullable=False),
)

nicknames = sa.Table(
    "class_nicknames",
    metadata,
    sa.Column("visitor", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)

MIGRATIONS: dict[int, tuple[sa.Table, ...]] = {1: (rounds, results, seeds, nicknames)}  # version → tables


def migrate(engine: sa.Engine) -> int:
    """Create the tables, then bring an older schema up to ``SCHEMA_VERSION`` step by step; the version
    reached. A store newer than this code is refused (``RuntimeError``)."""
    with engine.begin() as conn:
        schema_version.create(conn, checkfirst=True)
        found = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
        version = int(found or 0)
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"class store schema {version} is newer than this app's {SCHEMA_VERSION}")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for table in MIGRATIONS[step]:
                table.create(conn, checkfirst=True)
            conn.execute(schema_version.insert().values(version=step))
    return SCHEMA_VERSION
