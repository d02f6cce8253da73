"""The rule that keeps the API suite on both databases: a test that touches a database in this
process but is not parametrised over SQLite and PostgreSQL fails (tests/conftest.py)."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

ONE_KIND = """
from sqlalchemy import create_engine, text

def test_sqlite_only(tmp_path):
    with create_engine(f"sqlite:///{tmp_path / 'x.db'}").connect() as c:
        c.execute(text("SELECT 1"))
"""

BOTH_KINDS = """
import pytest
from sqlalchemy import create_engine, text

@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=False)
def test_both(tmp_path, database_url):
    with create_engine(f"sqlite:///{tmp_path / 'x.db'}").connect() as c:
        c.execute(text("SELECT 1"))

@pytest.mark.one_database("a test of SQLite's own behaviour")
def test_exempt(tmp_path):
    with create_engine(f"sqlite:///{tmp_path / 'x.db'}").connect() as c:
        c.execute(text("SELECT 1"))

def test_no_database():
    assert True
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert(ROOT)
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makeini("[pytest]\nmarkers =\n    postgres: x\n    one_database(reason): x\n")
    return pytester


INNER = pytest.mark.one_database("runs an inner suite whose tests open SQLite on purpose")


@INNER
def test_a_test_on_one_database_fails(suite: pytest.Pytester):
    suite.makepyfile(test_one=ONE_KIND)
    result = suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*uses a database but is not parametrised over SQLite and*"])


@INNER
def test_parametrised_exempt_and_database_free_tests_pass(suite: pytest.Pytester):
    suite.makepyfile(test_both=BOTH_KINDS)
    result = suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
