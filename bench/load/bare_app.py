"""The framework alone: one trivial JSON endpoint, served like the app (uvicorn, 2 workers), so
the load figures can say what the app costs over FastAPI itself.

    uvicorn --workers 2 --port 8001 bench.load.bare_app:app
"""

from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/ping")
def ping() -> dict[str, bool]:
    return {"ok": True}
