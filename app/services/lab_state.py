"""The live-training state as a signed token the browser carries from chunk to chunk.

Why signed and not only validated: the state is a few thousand float64 numbers (weights and the
two Adam moments) that the server feeds straight back into NumPy. Validation can check shapes,
limits and finiteness, but not that the numbers came from training: a client could hand-craft
weights or Adam moments (say v ≈ 0 with a large m) whose next step overflows, and every new
check would be one more place to get wrong. A signature with the app's secret key (itsdangerous,
the same key that signs the session cookie, so every worker accepts every token) means the
server only ever resumes states it produced itself; anything else is refused with a 400 before a
single array is parsed. The decoded state is still validated (the engine's shape and
finiteness checks), so a token from an older release or another key fails cleanly too.

The arrays travel as an uncompressed .npz (exact float64: training in chunks of any size stays
bit-identical), base64url-encoded; the token is capped at MAX_TOKEN characters.
"""

import base64
import binascii
import hashlib
import io
import json
import zipfile

import numpy as np
from itsdangerous import BadSignature, Signer

from app.nn.lab import LabError
from app.nn.params import WeightsError, from_arrays

SALT = "memory-cell.lab.train-state.v1"
MAX_TOKEN = 1_000_000  # characters: H = 64 LSTM weights and Adam moments take about 0.6 MB
META_KEYS = ("cell", "H", "T", "batch", "lr", "clip", "seed", "step", "test_mse")
# Live training is for small models: one chunk must answer well inside a second.
MAX_TRAIN_H = 64
MAX_TRAIN_T = 200


def _signer(secret: str) -> Signer:
    return Signer(secret, salt=SALT, digest_method=hashlib.sha256)


def seal_state(state: dict, secret: str) -> str:
    """The engine's training state (params, adam, meta) as a signed, URL-safe token."""
    arrays: dict[str, np.ndarray] = {}
    for name, value in state["params"].items():
        arrays[f"p/{name}"] = np.asarray(value, dtype=np.float64)
    for moment in ("m", "v"):
        for name, value in state["adam"][moment].items():
            arrays[f"{moment}/{name}"] = np.asarray(value, dtype=np.float64)
    meta = {k: state.get(k) for k in META_KEYS} | {"adam_t": state["adam"]["t"]}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    body = base64.urlsafe_b64encode(buffer.getvalue()).rstrip(b"=")
    return _signer(secret).sign(body).decode("ascii")


def open_state(token: str, secret: str) -> dict:
    """The training state inside a token this server signed; LabError (naming `state`) if the
    token is too long, altered, signed with another key or malformed."""
    if len(token) > MAX_TOKEN:
        raise LabError(f"state: the token has {len(token)} characters; the limit is {MAX_TOKEN}")
    try:
        body = _signer(secret).unsign(token.encode("ascii"))
    except (BadSignature, UnicodeEncodeError):
        raise LabError(
            "state: the training state's signature does not match (it was changed, or made by "
            "another server); reset training to start a new one"
        ) from None
    try:
        raw = base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes())
    except (binascii.Error, ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError):
        raise LabError("state: the training state cannot be read; reset training") from None
    state = {k: meta.get(k) for k in META_KEYS}
    state["losses"] = []
    state["params"] = {k[2:]: v for k, v in arrays.items() if k.startswith("p/")}
    state["adam"] = {
        "t": meta.get("adam_t"),
        "m": {k[2:]: v for k, v in arrays.items() if k.startswith("m/")},
        "v": {k[2:]: v for k, v in arrays.items() if k.startswith("v/")},
    }
    validate_state(state)
    return state


def validate_state(state: dict) -> None:
    """Shapes, limits and finiteness, with the engine's own validators; LabError if not."""
    try:
        w = from_arrays(state["params"])
    except WeightsError as exc:
        raise LabError(f"state: {exc}") from None
    if not isinstance(state["adam"]["t"], int) or state["adam"]["t"] < 0:
        raise LabError("state: adam.t must be a non-negative integer")
    for moment in ("m", "v"):
        for name, a in state["adam"][moment].items():
            if name not in state["params"] or a.shape != np.shape(state["params"][name]):
                raise LabError(f"state: adam.{moment}[{name!r}] does not match the parameters")
            if not np.isfinite(a).all() or (moment == "v" and (a < 0).any()):
                raise LabError(f"state: adam.{moment}[{name!r}] holds an impossible value")
    if w.H > MAX_TRAIN_H or not isinstance(state["T"], int) or state["T"] > MAX_TRAIN_T:
        raise LabError(f"state: live training allows H ≤ {MAX_TRAIN_H} and T ≤ {MAX_TRAIN_T}")
