"""Static files addressed by content hash, so browsers may cache every one of them for a year.

`static_url("css/app.css")` gives `/static/css/app.css?v=<hash>`. ES modules load further modules
by `import`; those paths are rewritten when the module is served (`from "./api.js"` becomes
`from "./api.js?v=<hash>"`), and a module's hash covers the rewritten text, so it changes when any
module it imports changes. A deploy therefore never mixes an old module with a new one: a page
names exactly one version of the whole module graph. No import map is needed, so the strict CSP
(`script-src 'self'`, no inline script) stays as it is.

A request whose `v` is the file's current hash gets `Cache-Control: immutable` for a year; any
other request (no `v`, or the hash of an older version) gets `no-cache`, so a stale URL is never
pinned to new content.
"""

import hashlib
import posixpath
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
YEAR = 31_536_000

# A relative module specifier after `from`, a bare `import` or a dynamic `import(`:
#   import { a } from "./a.js";   export { b } from "../b.js";   import "./c.js";   import("./d.js")
IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"'?#\s]+\.js)\2""")


class AssetHashes:
    """Content hashes of the static files (and the served text of ES modules), computed once."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self.root = root
        self._hashes: dict[str, str] = {}
        self._modules: dict[str, bytes] = {}  # path -> module text with hashed import paths

    def url(self, path: str) -> str:
        return f"/static/{path}?v={self.digest(path)}"

    def digest(self, path: str) -> str:
        return self._digest(path, ())

    def module(self, path: str) -> bytes | None:
        """The text to serve for an ES module (imports rewritten), None for other files."""
        if not path.endswith(".js"):
            return None
        self.digest(path)
        return self._modules.get(path)

    def _digest(self, path: str, importers: tuple[str, ...]) -> str:
        digest = self._hashes.get(path)
        if digest is not None:
            return digest
        file = (self.root / path).resolve()
        if not file.is_file() or not file.is_relative_to(self.root.resolve()):
            raise FileNotFoundError(f"static file {path!r} does not exist")
        data = file.read_bytes()
        if path.endswith(".js"):
            data = self._rewrite(path, data, (*importers, path))
            self._modules[path] = data
        digest = hashlib.sha256(data).hexdigest()[:12]
        self._hashes[path] = digest
        return digest

    def _rewrite(self, path: str, data: bytes, chain: tuple[str, ...]) -> bytes:
        folder = posixpath.dirname(path)

        def hashed(match: re.Match) -> str:
            keyword, quote, specifier = match.groups()
            target = posixpath.normpath(posixpath.join(folder, specifier))
            if target in chain:  # an import cycle: its hash cannot cover itself
                return match.group(0)
            return f"{keyword}{quote}{specifier}?v={self._digest(target, chain)}{quote}"

        return IMPORT.sub(hashed, data.decode("utf-8")).encode("utf-8")


class CachedStaticFiles(StaticFiles):
    def __init__(self, *, directory: Path, assets: AssetHashes) -> None:
        super().__init__(directory=directory)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        path = path.replace("\\", "/")
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304) and (body := self._module(path)) is not None:
            # A 200 always: the file's validators describe the file on disk, not this text.
            response = Response(body, media_type="text/javascript")
        response.headers["Cache-Control"] = self._cache_control(path, scope, response)
        return response

    def _module(self, path: str) -> bytes | None:
        try:
            return self.assets.module(path)
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def _cache_control(self, path: str, scope: Scope, response: Response) -> str:
        if response.status_code not in (200, 304):
            return "no-cache"
        query = scope.get("query_string", b"").decode("latin-1")
        wanted = dict(part.partition("=")[::2] for part in query.split("&") if part).get("v")
        try:
            current = self.assets.digest(path)
        except FileNotFoundError:
            return "no-cache"
        if wanted == current:
            return f"public, max-age={YEAR}, immutable"
        return "no-cache"
