"""Every static file's URL carries its content hash, ES modules loaded by `import` included, and
every hashed asset may be cached for a year (issue 21, item 6)."""

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from app.assets import IMPORT, AssetHashes

PAGES = ("/", "/cards", "/cards/first-card", "/review", "/quiz", "/mock", "/lab", "/progress")
YEAR = "public, max-age=31536000, immutable"
SPECIFIER = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.js[^"']*)["']""")


def asset_urls(html: str) -> set[str]:
    page = BeautifulSoup(html, "html.parser")
    urls = {el["src"] for el in page.find_all("script", src=True)}
    urls |= {
        el["href"] for el in page.find_all("link", href=True) if el.get("rel") != ["canonical"]
    }
    return {u for u in urls if u.startswith("/static/")}


def module_graph(client, roots: set[str]) -> dict[str, str]:
    """URL -> served text of every module reachable from `roots` by import."""
    seen: dict[str, str] = {}
    todo = [u for u in roots if u.split("?")[0].endswith(".js")]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == YEAR, url
        seen[url] = response.text
        todo += [urljoin(url, spec) for spec in SPECIFIER.findall(response.text)]
    return seen


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_on_a_page_is_hashed_and_cached_for_a_year(client, path):
    response = client.get(path)
    assert response.status_code == 200
    urls = asset_urls(response.text)
    assert urls, "the page links no static files"
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        served = client.get(url)
        assert served.status_code == 200 and served.headers["cache-control"] == YEAR, url


def test_modules_loaded_by_import_carry_their_hash_too(client):
    roots = set()
    for path in PAGES:
        roots |= asset_urls(client.get(path).text)
    graph = module_graph(client, roots)
    imported = {u for u in graph if u not in roots}
    names = {u.split("?")[0].rsplit("/", 1)[1] for u in graph}
    assert {"api.js", "overflow.js", "palette.js", "heatmap.js"} <= names
    assert imported, "no module imports another"
    for url, text in graph.items():
        for spec in SPECIFIER.findall(text):
            assert re.search(r"\.js\?v=[0-9a-f]{12}$", spec), f"{url} imports {spec} unhashed"


def test_a_stale_or_missing_hash_is_not_cached(client):
    href = next(iter(asset_urls(client.get("/").text)))
    bare = href.split("?")[0]
    assert client.get(bare).headers["cache-control"] == "no-cache"
    assert client.get(bare + "?v=000000000000").headers["cache-control"] == "no-cache"
    assert client.get("/static/nope.js?v=000000000000").status_code == 404


def test_the_csp_still_allows_only_own_scripts(client):
    csp = client.get("/lab").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


def test_an_importer_changes_hash_when_a_module_it_imports_changes(tmp_path):
    write(tmp_path, "js/leaf.js", "export const a = 1;\n")
    write(tmp_path, "js/mid.js", 'export { a } from "./leaf.js";\n')
    write(tmp_path, "js/main.js", 'import { a } from "./mid.js";\nimport("./lab/x.js");\n')
    write(tmp_path, "js/lab/x.js", 'import "../leaf.js";\n')
    before = AssetHashes(tmp_path)
    main = before.module("js/main.js").decode()
    assert f'"./mid.js?v={before.digest("js/mid.js")}"' in main
    assert f'import("./lab/x.js?v={before.digest("js/lab/x.js")}")' in main
    assert f'"../leaf.js?v={before.digest("js/leaf.js")}"' in before.module("js/lab/x.js").decode()
    write(tmp_path, "js/leaf.js", "export const a = 2;\n")
    after = AssetHashes(tmp_path)
    for name in ("js/leaf.js", "js/mid.js", "js/main.js", "js/lab/x.js"):
        assert after.digest(name) != before.digest(name), name


def test_an_import_cycle_does_not_loop(tmp_path):
    write(tmp_path, "a.js", 'import "./b.js";\n')
    write(tmp_path, "b.js", 'import "./a.js";\n')
    assets = AssetHashes(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", assets.digest("a.js"))
    assert IMPORT.search(assets.module("b.js").decode())


def test_paths_outside_the_static_folder_are_not_hashed(tmp_path):
    write(tmp_path, "static/a.css", "a {}\n")
    write(tmp_path, "secret.js", "x\n")
    with pytest.raises(FileNotFoundError):
        AssetHashes(tmp_path / "static").digest("../secret.js")
