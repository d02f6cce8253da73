"""Static files served as they are, addressed by content hash so browsers may cache them for good.

`static_url("css/app.css")` gives `/static/css/app.css?v=<hash>`; a request that carries `v` gets
`Cache-Control: immutable`, so a changed file is fetched again only because its URL changed.
"""

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class AssetHashes:
    def __init__(self, root: Path = STATIC_DIR) -> None:
        self.root = root
        self._hashes: dict[str, str] = {}

    def url(self, path: str) -> str:
        digest = self._hashes.get(path)
        if digest is None:
            file = self.root / path
            if not file.is_file():
                raise FileNotFoundError(f"static file {path!r} does not exist")
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
            self._hashes[path] = digest
        return f"/static/{path}?v={digest}"


class CachedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
