"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (Schemathesis).

Every operation in /openapi.json gets generated requests, valid and invalid, sent in-process to
the ASGI app with a guest's session cookie, on SQLite and on PostgreSQL: no response may be a
server error, each status code must be one the operation documents, and each body must match the
schema documented for its code. The generation is derandomized, so every run sends the same cases.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app.main import create_app
from app.migrate import upgrade
from tests import pg
from tests.conftest import make_settings

# Per operation and backend. Operations without input stop after one case, so 32 operations give
# 1,153 cases on each backend, in 15 to 60 s each on 2 cores (more when the machine is busy).
EXAMPLES = 60
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the app documents, read when the tests are collected."""
    with tempfile.TemporaryDirectory() as folder:
        paths = create_app(make_settings(Path(folder))).openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


OPERATIONS = _operations()
SENT: dict[str, int] = {}  # backend -> cases sent in this process
FUZZED: dict[str, set[str]] = {}  # backend -> operations fuzzed in this process


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fuzzed_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    tmp_path = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    url = ""
    if request.param == "postgresql":
        cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.url(cluster.create_database())
    app_settings = make_settings(tmp_path, database_url=url)
    upgrade(app_settings)
    app = create_app(app_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def schema(fuzzed_app: FastAPI):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


@pytest.fixture
def guest_cookie(fuzzed_app: FastAPI) -> dict[str, str]:
    """A new guest's session for each operation, as a browser has after its first write (an
    earlier operation may have logged the last one out or registered it)."""
    with TestClient(fuzzed_app, base_url="http://127.0.0.1") as client:
        client.put("/api/settings", json={"timezone": "UTC"}).raise_for_status()
        return {"mc_session": client.cookies["mc_session"]}


def _cases(operation) -> st.SearchStrategy:
    valid = operation.as_strategy(GenerationMode.POSITIVE)
    try:
        return st.one_of(valid, operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # nothing in the operation can be made invalid (no parameters, no body)
        return valid


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_documented(method, path, schema, guest_cookie):
    operation = schema[path][method]
    backend = schema.app.state.settings.resolved_database_url.split(":")[0]

    @HYPOTHESIS
    @given(case=_cases(operation))
    def fuzz(case) -> None:
        SENT[backend] = SENT.get(backend, 0) + 1
        case.call_and_validate(cookies=guest_cookie, checks=CHECKS)

    fuzz()
    FUZZED.setdefault(backend, set()).add(f"{method} {path}")


def test_at_least_a_thousand_cases_were_sent_per_backend():
    """Runs after the fuzzing above (pytest keeps file order), for each backend whose every
    operation was fuzzed in this process (not so under -k or when xdist splits the module)."""
    complete = {b: n for b, n in SENT.items() if len(FUZZED.get(b, ())) == len(OPERATIONS)}
    if not complete:
        pytest.skip("no backend had all its operations fuzzed in this process")
    print(f"\ncases sent: {complete}")
    assert all(n >= 1000 for n in complete.values()), complete
