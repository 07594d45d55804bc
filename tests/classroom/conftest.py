"""The class store on every backend there is here: a real SQLite file always, PostgreSQL where
``PILAB_TEST_POSTGRES_URL`` names a server (skipped cleanly otherwise)."""

import os

import pytest

from core.classroom import ClassStore

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """An SQLAlchemy URL of an empty store (None: the SQLite file under tmp_path)."""
    if request.param == "postgresql":
        url = os.environ.get("PILAB_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("no PostgreSQL here: set PILAB_TEST_POSTGRES_URL to run the store tests on one")
        import sqlalchemy as sa

        from core.classroom import schema

        engine = sa.create_engine(url)
        schema.metadata.drop_all(engine)
        engine.dispose()
        return url
    return None


@pytest.fixture
def store(store_url, tmp_path):
    opened = ClassStore.open(store_url, data_dir=tmp_path)
    yield opened
    opened.close()
