"""Deployment: docker-compose.yml describes a sound class server, and the image's own start command,
with the image's and the compose file's environment, brings up a fresh PostgreSQL database and
serves it. No Docker engine runs here, so the files are read and the command is run directly."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.config import Settings
from app.db import make_engine
from app.migrate import alembic_config
from tests.reliability import server as app_server

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SECRETS = {
    "POSTGRES_PASSWORD": "a0b1c2d3e4f5a6b7c8d9",
    "SECRET_KEY": "2cb053bc0d112f317d6986f5642f1d5e96d0da12fa8993f6",
}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` substitution."""

    def substitute(match: re.Match) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument if operator == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", substitute, str(value))


def service_env(service: str, env: dict[str, str]) -> dict[str, str]:
    variables = COMPOSE["services"][service]["environment"]
    return {name: interpolate(value, env) for name, value in variables.items()}


def image_env() -> dict[str, str]:
    """The Dockerfile's ENV settings."""
    joined = DOCKERFILE.replace("\\\n", " ")
    pairs = {}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            pairs.update(item.split("=", 1) for item in line[4:].split())
    return pairs


def image_command() -> list[str]:
    match = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form CMD"
    return json.loads(match.group(1))


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_compose_runs_the_app_on_postgresql_with_health_checks_and_volumes():
    services, volumes = COMPOSE["services"], COMPOSE["volumes"]
    assert set(services) == {"db", "app"}
    db, app = services["db"], services["app"]

    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "/var/lib/postgresql/data" in [v.split(":")[1] for v in db["volumes"]]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"  # migrations need the db
    assert app["build"] == "."
    assert "/data" in [v.split(":")[1] for v in app["volumes"]]
    named = {v.split(":")[0] for s in services.values() for v in s["volumes"]}
    assert named <= set(volumes)  # named volumes, so data outlives the containers
    assert {s["restart"] for s in services.values()} == {"unless-stopped"}
    # The app's health check: its own in the compose file, else the image's HEALTHCHECK.
    assert "healthcheck" in app or ("HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE)
    # Published on the host's loopback only: a reverse proxy in front terminates HTTPS.
    assert all(p.startswith("127.0.0.1:") for p in app["ports"])

    env = service_env("app", SECRETS)
    assert env["ENVIRONMENT"] == "production"
    assert env["FORWARDED_ALLOW_IPS"]  # behind the proxy, rate limits see learners' addresses
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in env["DATABASE_URL"]
    db_env = service_env("db", SECRETS)
    assert db_env["POSTGRES_USER"] in env["DATABASE_URL"]
    assert db_env["POSTGRES_DB"] in env["DATABASE_URL"]
    assert Settings(**{k.lower(): v for k, v in env.items()}).production_problem() is None


def test_postgresql_takes_the_connections_of_several_app_containers():
    """Every worker pools its own connections; a second and third container must still fit."""
    command = COMPOSE["services"]["db"]["command"]
    max_connections = int(next(c.split("=")[1] for c in command if "max_connections" in c))
    workers = int(service_env("app", SECRETS)["WORKERS"])
    engine = make_engine("postgresql+psycopg://u@127.0.0.1:1/db")  # never connects
    per_worker = engine.pool.size() + engine.pool._max_overflow
    engine.dispose()
    assert 3 * workers * per_worker + 10 <= max_connections


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_its_secrets(missing):
    without = {k: v for k, v in SECRETS.items() if k != missing}
    with pytest.raises(KeyError, match=missing):
        for service in COMPOSE["services"]:
            service_env(service, without)


@pytest.mark.postgres
@pytest.mark.one_database("the image's start command against PostgreSQL, as compose runs it")
def test_the_image_start_command_serves_a_fresh_postgresql_database(tmp_path, pg_cluster):
    """`CMD` with the image's and compose's environment; only the address, the database host and
    the data folder differ (loopback, this run's PostgreSQL, a temporary folder)."""
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    env = {**image_env(), **service_env("app", SECRETS)}
    # The compose default trusts only the network's gateway; here the proxy is 127.0.0.2.
    assert env["FORWARDED_ALLOW_IPS"] == "172.28.0.1"
    env["FORWARDED_ALLOW_IPS"] = "127.0.0.2"
    command = image_command()
    assert command == ["python", "-m", "app.serve"]
    assert env["ENVIRONMENT"] == "production" and env["HOST"] == "0.0.0.0"  # replaced by loopback
    server = app_server.start(tmp_path, url, env=env, command=[sys.executable, *command[1:]])
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            health = http.get("/healthz")
            assert health.status_code == 200
            assert health.json()["database"] == "ok"
            review = {"card": "forget-gate", "rating": 3, "idempotency_key": "deploy-check-1"}
            assert http.post("/api/reviews", json=review).status_code == 200
        # A reverse proxy's connection comes from another address than the app's own loopback
        # (127.0.0.2 here): with FORWARDED_ALLOW_IPS, the learner's address still counts.
        proxy = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=server.url, transport=proxy, timeout=30) as http:
            wrong = {"username": "nobody", "password": "not the password"}
            headers = {"X-Forwarded-For": "203.0.113.7"}
            assert http.post("/api/auth/login", json=wrong, headers=headers).status_code == 401
        # Anyone else's X-Forwarded-For is ignored: they are counted under their own address.
        other = httpx.HTTPTransport(local_address="127.0.0.3")
        with httpx.Client(base_url=server.url, transport=other, timeout=30) as http:
            headers = {"X-Forwarded-For": "198.51.100.9"}
            assert http.post("/api/auth/login", json=wrong, headers=headers).status_code == 401
    finally:
        server.stop()
        log = server.log()
    assert "Traceback" not in log
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            reviews = conn.execute(text("SELECT count(*) FROM review_log")).scalar_one()
            keys = set(conn.execute(text("SELECT key FROM login_attempt")).scalars())
    finally:
        engine.dispose()
    assert versions == [(head_revision(url),)]
    assert reviews == 1
    assert "ip:203.0.113.7" in keys and "ip:127.0.0.2" not in keys
    assert "ip:127.0.0.3" in keys and "ip:198.51.100.9" not in keys


@pytest.mark.postgres
@pytest.mark.one_database("concurrent migration is PostgreSQL's advisory lock; SQLite has one file")
def test_servers_starting_at_once_migrate_a_fresh_database_once(tmp_path, pg_cluster):
    """Several containers start together against one new database: each runs the migrations on
    start, one applies them and the others wait for it (an advisory lock), so none fails."""
    url = pg_cluster.url(pg_cluster.create_database())
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "app.migrate"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], errors
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert versions == [(head_revision(url),)]
