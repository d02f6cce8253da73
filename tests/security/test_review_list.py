"""Issue 13, items 4 and 10: X-Forwarded-For trusted only from the proxy, and the rest of the
review's list (Origin scheme, export caching, file modes, key entropy, weak passwords, raw HTML
through LaTeX text)."""

import os
import stat
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from app.config import Settings
from app.content.render import latex_to_mathml, render_block
from app.security.passwords import password_problem
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_compose_trusts_forwarded_headers_only_from_the_proxy_network_gateway():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    default = compose["services"]["app"]["environment"]["FORWARDED_ALLOW_IPS"]
    assert default == "${FORWARDED_ALLOW_IPS:-172.28.0.1}"  # never "*"
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    assert network["gateway"] == "172.28.0.1" and network["subnet"] == "172.28.0.0/24"
    assert "FORWARDED_ALLOW_IPS" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    ("base", "origin", "allowed"),
    [
        ("https://cell.example.org", "https://cell.example.org", True),
        ("https://cell.example.org", "http://cell.example.org", False),
        ("http://cell.example.org", "https://cell.example.org", False),
    ],
)
def test_the_origin_check_compares_the_scheme_too(quiz_app, base, origin, allowed):
    from fastapi.testclient import TestClient

    with TestClient(quiz_app, base_url=base) as c:
        response = c.put("/api/settings", json={"daily_new_limit": 5}, headers={"Origin": origin})
    assert (response.status_code == 200) is allowed
    if not allowed:
        assert response.status_code == 403


def test_the_sqlite_file_and_the_generated_key_are_created_0600(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", questions_dir=ROOT / "questions")
    old = os.umask(0o022)  # a usual umask would give 0644
    try:
        url = settings.resolved_database_url
        key = settings.resolved_secret_key
    finally:
        os.umask(old)
    assert url.endswith("memory-cell.db") and len(key) >= 32
    for name in ("memory-cell.db", "secret_key"):
        mode = stat.S_IMODE((tmp_path / "data" / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))


@pytest.mark.parametrize(
    "key",
    [
        "abcdefgh" * 4,
        "0123456789abcdef" * 4,
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
        "Xy7#" * 10,
    ],
)
def test_the_production_key_check_refuses_low_entropy_keys(tmp_path, key):
    settings = make_settings(tmp_path, environment="production")
    settings = settings.model_copy(update={"secret_key": key})
    problem = settings.production_problem()
    assert problem is not None and "SECRET_KEY" in problem


def test_a_random_production_key_is_accepted(tmp_path):
    settings = make_settings(tmp_path, environment="production")
    for key in (os.urandom(32).hex(), "q0z4u_aGl4UChiJKtKIs8sabmCitljWdq5x1GmN8e3w"):
        assert settings.model_copy(update={"secret_key": key}).production_problem() is None


@pytest.mark.parametrize("password", [" " * 10 + "a", "a" + " " * 12, " a " * 5, "ab" + " " * 9])
def test_spaces_around_one_or_two_letters_are_refused(password):
    assert password_problem(password) is not None


def test_a_passphrase_with_spaces_is_still_fine():
    assert password_problem("purple otter sings at dawn") is None


@pytest.mark.parametrize(
    "latex",
    [
        r"\text{<script>alert(1)</script>}",
        r'\text{</mtext><form action="https://evil.example/"><input name=p>}',
        r"\textbf{<meta http-equiv=refresh content=0;url=x>}",
        r"\mbox{<img src=x onerror=alert(1)>} & <b>",
    ],
)
def test_latex_text_cannot_pass_raw_html(latex):
    mathml = latex_to_mathml(latex)
    for tag in ("<script", "<form", "<meta", "<img", "<input", "<b>"):
        assert tag not in mathml
    assert "&lt;" in mathml
    # Well-formed, and every element is MathML: the text stayed text.
    tags = {el.tag.split("}")[-1] for el in ElementTree.fromstring(mathml).iter()}
    assert tags <= {"math", "mrow", "mtext", "mstyle", "mi", "mo", "mn"}
    page = render_block(f"$${latex}$$")
    assert "<script" not in page and "<form" not in page and "<meta" not in page


def test_an_import_refusal_is_shown_at_once_and_never_rides_in_the_session_cookie(qc):
    long_name = "x" * 5000  # the message names it; in the cookie it once pushed past 4 KB
    bad = b'{"format": "memory-cell-progress", "version": "' + long_name.encode() + b'"}'
    files = {"file": ("progress.json", bad, "application/json")}
    response = qc.post(
        "/api/import",
        files=files,
        data={"mode": "merge"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 200 and "Nothing was imported" in response.text
    assert 'aria-invalid="true"' in response.text
    for cookie in response.headers.get_list("set-cookie"):
        assert len(cookie) < 1000 and long_name not in cookie
    assert "Nothing was imported" not in qc.get("/progress").text  # nothing left to replay
