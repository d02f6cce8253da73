"""The live gate lab: the page at /lab and its JSON API under /api/lab.

Handlers parse, call app.services.lab_runs / lab_state / lab_questions (pure) and
app.services.lab (the database), and answer. The engine's LabError and WeightsError become 422s
whose message names the field or key and the limit; an upload over 2 MB gets a 413.
"""

import gzip
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import NamedTuple, TypeVar

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, SettingsDep, TemplatesDep
from app.nn import lab as engine
from app.nn.params import WeightsError
from app.nn.presets import PRESETS
from app.routes.lab_schemas import (
    MAX_UPLOAD,
    GradientsIn,
    GradientsOut,
    PredictionIn,
    PredictionOut,
    PredictionStatsOut,
    PresetOut,
    PromptIn,
    PromptsOut,
    RunIn,
    RunOut,
    SampleIn,
    SampleOut,
    TrainIn,
    TrainOut,
    UnitsIn,
    UnitsOut,
)
from app.schemas import ErrorOut
from app.security.json_only import media_type
from app.security.pools import Pool
from app.services import lab as lab_service
from app.services import lab_runs, lab_state
from app.services.lab_questions import question_for

_pool: ContextVar[Pool] = ContextVar("lab_pool")


async def admit(request: Request) -> None:
    """Every /api/lab request's NumPy work goes to the lab's own bounded pool (503 when full),
    never the pages' thread pool. (Each client's share is taken at the door, in
    security.pools.AdmissionMiddleware.)"""
    _pool.set(request.app.state.lab_pool)  # an async dependency: the handler's own context


pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/lab", tags=["lab"], dependencies=[Depends(admit)])

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
DEFAULT_PRESET = "adding-lstm"
ERRORS = {400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}}
CHUNK = 64 * 1024
PACKED_FROM = 1024  # bytes: smaller answers go as they are (GZipMiddleware's minimum_size too)
LIMITS = {
    "T": engine.MAX_T,
    "H": engine.MAX_H,
    "D": engine.MAX_D,
    "chunk": engine.MAX_CHUNK,
    "upload_mb": MAX_UPLOAD // (1024 * 1024),
    "train_H": lab_state.MAX_TRAIN_H,
    "train_T": lab_state.MAX_TRAIN_T,
    "train_work": engine.MAX_TRAIN_WORK,
    "train_overhead": engine.STEP_OVERHEAD,
}


# --- the page -------------------------------------------------------------------------------------


@pages.get("/lab", response_class=HTMLResponse)
def lab_page(
    request: Request,
    deck: DeckDep,
    templates: TemplatesDep,
    preset: str | None = None,
    card: str | None = None,
):
    from_card = deck.get(card) if card else None
    chosen = preset if preset in PRESETS else None
    if chosen is None and from_card is not None:
        chosen = from_card.lab.preset
    context = {
        "presets": list(PRESETS.values()),
        "preset": chosen or DEFAULT_PRESET,
        "unknown_preset": preset if preset and preset not in PRESETS else None,
        "card": from_card,
        "limits": LIMITS,
    }
    return templates.TemplateResponse(request, "lab/lab.html", context)


# --- helpers --------------------------------------------------------------------------------------


def parse(model: type[M], raw: bytes | str) -> M:
    """Validate a JSON body like FastAPI does (422 with loc ["body", field]), for handlers that
    read the body themselves (the run endpoint takes JSON or multipart)."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=raw) from None


async def offload(fn: Callable[[], R]) -> R:
    """Run `fn` on the lab's own bounded pool (Busy, a 503 with Retry-After, when it is full)."""
    return await _pool.get().run(fn)


async def compute(fn: Callable[[], R]) -> tuple[R, float]:
    """Run engine work on the lab's pool; LabError / WeightsError become 422. Returns the result
    and the milliseconds it took."""
    start = time.perf_counter()
    try:
        result = await offload(fn)
    except (engine.LabError, WeightsError) as exc:
        raise HTTPException(422, str(exc)) from None
    return result, (time.perf_counter() - start) * 1000


def encode(value: object) -> bytes:
    """The answer as JSON, every float rounded to 5 significant digits. orjson writes the NumPy
    arrays and floats straight to UTF-8: the largest run (6.9 MB) in 14 ms where json.dumps of
    the same lists took 150-210 ms."""
    return orjson.dumps(
        lab_runs.rounded(value), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    )


class Encoded(NamedTuple):
    body: bytes  # the JSON
    packed: bytes | None  # gzip of it, when the client takes gzip and it is worth it
    ms: float


async def encoded(request: Request, fn: Callable[[], object]) -> Encoded:
    """fn's answer rounded, encoded and compressed, all on the lab's pool: none of it blocks the
    event loop, and a large answer's compression is bounded by the pool as its computation is.
    Level 1, not the pages' 4: arrays of digits compress about as well (3.01 MB against 2.86 MB
    for the largest run) at half the time (50-80 ms against 110-185 ms; 0.5 ms against 1.0 ms
    on the lab page's 66 KB default run)."""
    takes_gzip = "gzip" in request.headers.get("accept-encoding", "")

    def work() -> tuple[bytes, bytes | None]:
        body = encode(fn())
        pack = takes_gzip and len(body) >= PACKED_FROM
        return body, gzip.compress(body, compresslevel=1, mtime=0) if pack else None

    (body, packed), ms = await compute(work)
    return Encoded(body, packed, ms)


def timed(answer: Encoded) -> Response:
    headers = {"Server-Timing": f"lab;dur={answer.ms:.2f}"}
    if answer.packed is None:
        return Response(answer.body, media_type="application/json", headers=headers)
    # GZipMiddleware passes a response that already has a Content-Encoding through as it is.
    headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(answer.packed, media_type="application/json", headers=headers)


async def respond(request: Request, fn: Callable[[], object]) -> Response:
    return timed(await encoded(request, fn))


class RunCache:
    """Encoded answers of preset runs, by request body, least recently used out first.

    A preset run is a pure function of its body (fixed weights, seeded input), and most runs are
    the same few: every lab page opens with its preset's default run. Engine, rounding and JSON
    encoding are then done once; a repeat costs a dictionary look-up. Bounded in bytes (a
    500-step run with pre-activations is about 1 MB). Used only on the event loop: no lock."""

    def __init__(self, max_bytes: int = 8 << 20) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        body = self.entries.get(key)
        if body is not None:
            self.entries.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4 or key in self.entries:
            return
        self.entries[key] = body
        self.size += len(key) + len(body)  # a key is the body sent, up to the body limit
        while self.size > self.max_bytes:
            old_key, old_body = self.entries.popitem(last=False)
            self.size -= len(old_key) + len(old_body)


def run_cache(request: Request) -> RunCache:
    """This app's cache: one per app, so that a fresh app (each test's) starts empty."""
    state = request.app.state
    if not hasattr(state, "lab_run_cache"):
        state.lab_run_cache = RunCache()
    return state.lab_run_cache


async def read_capped(file: UploadFile, limit: int = MAX_UPLOAD) -> bytes:
    """The upload's bytes, read in chunks and refused with a 413 as soon as it passes the limit."""
    data = bytearray()
    while chunk := await file.read(CHUNK):
        data += chunk
        if len(data) > limit:
            raise HTTPException(
                413, f"weights: the file is larger than the upload limit of {limit // 2**20} MB"
            )
    return bytes(data)


def dumped(items: list[BaseModel] | None) -> list[dict] | None:
    return None if items is None else [item.model_dump() for item in items]


async def read_upload(request: Request, model: type[M]) -> tuple[M, lab_runs.Upload]:
    """The multipart form of the run, units and sample endpoints: a `weights` .npz file and a
    `config` text field holding the JSON body (without `preset`)."""
    form = await request.form(max_files=1, max_fields=4)
    try:
        file = form.get("weights")
        if not isinstance(file, UploadFile):
            raise HTTPException(422, "weights: send the .npz file in the `weights` field")
        config = form.get("config") or "{}"
        if not isinstance(config, str):
            raise HTTPException(422, "config: send the JSON settings as a text field")
        body = parse(model, config)
        data = await read_capped(file)
        name = (file.filename or "weights.npz")[:120]
    finally:
        await form.close()
    if getattr(body, "preset", None) is not None:
        raise HTTPException(422, "preset: leave it out when uploading weights")
    try:
        upload = await offload(lambda: lab_runs.read_npz(data, name))
    except (engine.LabError, WeightsError) as exc:
        raise HTTPException(422, f"weights: {exc}") from None
    return body, upload


def upload_body(model: type[BaseModel], what: str) -> dict:
    """The OpenAPI request body of an endpoint that takes JSON or the multipart upload form."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["weights"],
                        "properties": {
                            "weights": {
                                "type": "string",
                                "format": "binary",
                                "description": f"A .npz of a one-layer PyTorch state_dict "
                                f"(≤ 2 MB){what}: np.savez(f, **{{k: v.numpy() for k, v in "
                                "lstm.state_dict().items()})",
                            },
                            "config": {
                                "type": "string",
                                "description": "The JSON body above, without preset",
                            },
                        },
                    }
                },
            },
        }
    }


# --- run ------------------------------------------------------------------------------------------


@api.post("/run", response_model=RunOut, responses=ERRORS, openapi_extra=upload_body(RunIn, ""))
async def run(request: Request):
    """Run a preset or uploaded weights on one input: every gate, c and h at every step.

    JSON body (RunIn), or multipart/form-data with a `weights` .npz file and a `config` field
    holding the JSON. Limits: T ≤ 500, H ≤ 128, D ≤ 256, upload ≤ 2 MB (413).
    """
    if media_type(request.headers) == "multipart/form-data":
        body, upload = await read_upload(request, RunIn)
        return await respond(
            request,
            lambda: lab_runs.run_weights(
                upload,
                cell=body.cell,
                peepholes=body.peepholes,
                input=body.input,
                text=body.text,
                seed=body.seed,
                T=body.T,
                include_pre=body.include_pre,
                nonlinearity=body.nonlinearity,
                interventions=dumped(body.interventions),
                baseline=body.baseline,
            ),
        )

    body = parse(RunIn, await request.body())
    if body.nonlinearity not in (None, "tanh"):
        raise HTTPException(
            422, "nonlinearity: the presets run tanh; upload nn.RNN weights to run relu"
        )

    def go() -> dict:
        name = lab_runs.resolve_preset(body.preset, body.cell, body.peepholes)
        out = lab_runs.run_preset(
            name,
            input=body.input,
            text=body.text,
            seed=body.seed,
            T=body.T,
            forget_bias=body.forget_bias,
            truncate=body.truncate,
            include_pre=body.include_pre,
            interventions=dumped(body.interventions),
            baseline=body.baseline,
            grad_norms=body.grad_norms,
        )
        # The prediction question is about the untouched run, never a held one.
        question = None if body.interventions else question_for(out)
        out["question"] = question.public() if question else None
        return out

    key = body.model_dump_json()
    cache = run_cache(request)
    if (cached := cache.get(key)) is not None:
        headers = {"Server-Timing": "lab;dur=0.00;desc=cached"}
        return Response(cached, media_type="application/json", headers=headers)
    answer = await encoded(request, go)
    cache.put(key, answer.body)
    return timed(answer)


# --- units and sampling ---------------------------------------------------------------------------


async def weights_and_body(request: Request, model: type[M]):
    """(body, weights loader) for a JSON body naming a preset or the multipart upload form."""
    if media_type(request.headers) == "multipart/form-data":
        body, upload = await read_upload(request, model)
        return body, upload
    body = parse(model, await request.body())
    if body.preset is None:
        raise HTTPException(422, "preset: name a preset, or upload weights with the multipart form")
    if body.preset not in PRESETS:
        raise HTTPException(422, f"preset: unknown preset {body.preset!r}")
    return body, None


@api.post(
    "/units",
    response_model=UnitsOut,
    responses=ERRORS,
    openapi_extra=upload_body(UnitsIn, ""),
)
async def find_units(request: Request):
    """Every unit ranked by the absolute Pearson correlation of its h (or c) over the steps with
    a target: a named feature of the input (char models: inside-quotes, inside-parens,
    position-in-word, after-newline, is-vowel, is-space; adding: after-first-marker,
    running-sum) or T numbers. JSON with a trained preset, or the multipart upload form."""
    body, upload = await weights_and_body(request, UnitsIn)

    def go() -> dict:
        if upload is None:
            w, x, text = engine.preset_input(body.preset, body.input, body.text, body.seed)
        else:
            w, x, text = lab_runs.upload_input(upload, body.input, body.text, body.seed)
        if body.nonlinearity is not None and (upload is None or w.cell != "rnn"):
            raise engine.LabError("nonlinearity: applies to uploaded RNN weights only")
        out = engine.find_units(
            w,
            x,
            text,
            quantity=body.quantity,
            feature=body.feature,
            target=body.target,
            nonlinearity=body.nonlinearity or "tanh",
        )
        return {**out, "text": text}

    return await respond(request, go)


@api.post(
    "/sample",
    response_model=SampleOut,
    responses=ERRORS,
    openapi_extra=upload_body(SampleIn, " of a character model (with its vocab)"),
)
async def sample(request: Request):
    """Generate up to 500 characters from a character model after reading `prime`: the text
    and, per character, its probability and the top 5. Temperature 0 is greedy; the same seed
    gives the same text."""
    body, upload = await weights_and_body(request, SampleIn)
    if upload is None and PRESETS[body.preset].task != "char":
        raise HTTPException(422, f"preset: {body.preset!r} is not a character model")

    def go() -> dict:
        w = engine.shipped_weights(body.preset) if upload is None else upload.weights
        return engine.sample_text(w, body.prime, body.length, body.temperature, body.seed)

    return await respond(request, go)


@api.get("/presets", response_model=list[PresetOut])
def presets():
    """The presets: what each runs and what it shows."""
    return [
        PresetOut(
            name=p.name,
            title=p.title,
            cell=p.cell,
            peepholes=p.peepholes,
            task=p.task,
            summary=p.summary,
            shows=p.shows,
            hidden=p.hidden,
            default_input=p.default_input,
        )
        for p in PRESETS.values()
    ]


# --- gradients ------------------------------------------------------------------------------------


@api.post("/gradients", response_model=GradientsOut, responses=ERRORS)
async def gradients(body: GradientsIn, request: Request):
    """‖∂L/∂h_t‖ against steps back for each requested cell on the same input (a seeded random
    PyTorch-style init; L = u · h_T). Limits: T ≤ 500, H ≤ 128, at most 8 series."""
    return await respond(
        request,
        lambda: {
            "T": len(body.input) if body.input else body.T,
            "H": body.H,
            "seed": body.seed,
            "series": lab_runs.gradient_series(
                [s.model_dump() for s in body.series],
                T=body.T,
                H=body.H,
                seed=body.seed,
                input=body.input,
            ),
        },
    )


# --- train ----------------------------------------------------------------------------------------


class StateRefused(Exception):
    """The training state token was altered, foreign or malformed: a 400, not a 422."""


@api.post("/train", response_model=TrainOut, responses=ERRORS)
async def train(body: TrainIn, settings: SettingsDep, request: Request):
    """A bounded chunk of live training on the adding problem, from the signed state of the last
    chunk (or a new model from `config`) to a new signed state, with this chunk's losses and the
    model's gates on the probe sequence. Limits: steps ≤ 200, H ≤ 64, T ≤ 200, batch ≤ 64, and
    a chunk's multiply-adds steps × T × (batch × G × H × (H + 2) + 10 000) ≤ 120 000 000 (about
    a quarter of a second). A state that was altered gets a 400."""
    secret = settings.resolved_secret_key
    if body.state is None and body.config.peepholes and body.config.cell != "lstm":
        raise HTTPException(422, "config.peepholes: only the LSTM has peephole connections")

    def go() -> dict:
        # Opening (an HMAC and an .npz of up to 1 MB) and sealing the state are lab work too.
        if body.state is not None:
            try:
                state = lab_state.open_state(body.state, secret)
            except engine.LabError as exc:
                raise StateRefused(str(exc)) from None
        else:
            state = engine.new_training_state(**body.config.model_dump())
        if body.steps:
            state = engine.train_chunk(state, body.steps)
        probe = body.probe.input or lab_runs.random_adding_input(int(state["T"]), body.probe.seed)
        live = engine.live_predict(state, input=probe)
        marked = [row[0] for row in probe if row[1] == 1.0]
        live["prediction"] = live["outputs"][-1][0]
        live["target"] = sum(marked) if len(marked) == 2 else None
        live.pop("D", None)
        return {
            "cell": state["cell"],
            "peepholes": "weight_ci_l0" in state["params"],
            **{k: state[k] for k in ("H", "T", "batch", "lr", "seed", "step", "test_mse")},
            "losses": state["losses"],
            "run": live,
            "state": lab_state.seal_state(state, secret),  # a string: rounding passes it by
        }

    try:
        return await respond(request, go)
    except StateRefused as exc:
        raise HTTPException(400, str(exc)) from None


# --- predictions ----------------------------------------------------------------------------------


@api.get("/prompts", response_model=PromptsOut)
def prompt_status(user: CurrentUser, session: SessionDep):
    """Whether to offer "predict before you look", and the presets already asked about."""
    enabled, asked = lab_service.prompts(session, user)
    return PromptsOut(enabled=enabled, asked=asked)


@api.post("/prompts", response_model=PromptsOut, responses=ERRORS)
def dismiss_prompt(body: PromptIn, user: CurrentUser, session: SessionDep, now: NowDep):
    """The learner dismissed the prompt for a preset: it is not offered for it again."""
    if body.preset not in PRESETS:
        raise HTTPException(422, f"preset: unknown preset {body.preset!r}")
    lab_service.mark_asked(session, user, body.preset, now)
    enabled, asked = lab_service.prompts(session, user)
    return PromptsOut(enabled=enabled, asked=asked)


@api.get("/predictions", response_model=PredictionStatsOut)
def prediction_counts(user: CurrentUser, session: SessionDep):
    """How many predictions this learner made in the lab, and how many held."""
    made, correct = lab_service.prediction_stats(session, user)
    return PredictionStatsOut(made=made, correct=correct)


@api.post("/predictions", response_model=PredictionOut, responses=ERRORS)
async def predict(body: PredictionIn, user: CurrentUser, session: SessionDep, now: NowDep):
    """Commit to an answer for the question a preset run came with. The server reruns the same
    preset and input, checks the answer against the run's own numbers and counts it (once per
    question) in the learner's progress."""
    if body.preset not in PRESETS:
        raise HTTPException(422, f"preset: unknown preset {body.preset!r}")
    args = body.model_dump(exclude={"preset", "question_id", "answer"})
    # Regenerated from the same (unrounded) run, exactly as the run endpoint made it.
    question, _ = await compute(lambda: question_for(lab_runs.run_preset(body.preset, **args)))
    if question is None or question.id != body.question_id:
        raise HTTPException(
            422, "question_id: does not match the question for this preset and input; run again"
        )
    if body.answer not in dict(question.choices):
        values = [v for v, _ in question.choices]
        raise HTTPException(422, f"answer: must be one of {values}")

    def record() -> PredictionOut:  # the database work, in a thread: never on the event loop
        recorded = lab_service.record_prediction(
            session, user, body.preset, question, body.answer, now
        )
        made, correct = lab_service.prediction_stats(session, user)
        first = recorded.prediction  # read here: after a commit, reading it queries again
        return PredictionOut(
            made=made,
            correct=correct,
            correct_answer=first.correct,
            answer=first.answer,
            truth=question.truth,
            truth_label=question.label(question.truth),
            explanation=question.explanation,
            evidence=dict(question.evidence),
            counted=recorded.first_time,
        )

    return await run_in_threadpool(record)
