"""The lab's JSON API: every body form of /api/lab/run, uploads, gradients, live training with a
signed state, predictions, and the limits (4xx with a message naming the field and the limit)."""

import io
import json
import math
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import upgrade
from app.nn import lab as engine
from app.nn.params import init_head, init_params
from app.routes.lab_schemas import GradientsOut, RunOut, TrainOut
from app.services import lab_state
from tests.conftest import TORCH_MISSING, make_settings


@pytest.fixture(scope="module")
def lab(tmp_path_factory, module_database_url) -> TestClient:
    """One app for the module's tests, on each kind of database."""
    settings = make_settings(tmp_path_factory.mktemp("lab"), database_url=module_database_url)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client
    app.state.engine.dispose()


def detail(response) -> str:
    body = response.json()["detail"]
    return body if isinstance(body, str) else json.dumps(body)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def upload(client, arrays_or_bytes, config=None, name="w.npz"):
    data = arrays_or_bytes if isinstance(arrays_or_bytes, bytes) else npz_bytes(arrays_or_bytes)
    form = {"config": json.dumps(config)} if config is not None else {}
    return client.post("/api/lab/run", files={"weights": (name, data)}, data=form)


def lstm_arrays(D=3, H=5, seed=0, **kw):
    return init_params("lstm", D, H, np.random.default_rng(seed), **kw)


def significant_digits(x: float) -> int:
    text = repr(x).split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(text)


# --- POST /api/lab/run: each body form ------------------------------------------------------------


def test_run_a_preset_returns_every_gate_c_h_and_outputs(lab):
    response = lab.post("/api/lab/run", json={"preset": "adding-lstm"})
    assert response.status_code == 200
    assert response.headers["server-timing"].startswith("lab;dur=")
    run = RunOut.model_validate(response.json())  # the documented response model
    assert (run.cell, run.T, run.H, run.preset) == ("lstm", 50, 16, "adding-lstm")
    assert set(run.gates) == {"i", "f", "g", "o"}
    for array in [*run.gates.values(), run.c, run.h]:
        assert np.shape(array) == (50, 16)
    assert np.shape(run.outputs) == (50, 1)
    # The same numbers as the engine, rounded to 5 significant digits to keep the JSON small.
    exact = engine.run_preset("adding-lstm")
    np.testing.assert_allclose(run.c, exact["c"], rtol=1e-4, atol=1e-9)
    floats = [v for row in response.json()["gates"]["f"] for v in row]
    assert all(significant_digits(v) <= 5 for v in floats)
    assert run.target == pytest.approx(exact["target"], rel=1e-4)
    assert run.pre is None  # only on request


def test_cell_alone_picks_that_cells_adding_preset(lab):
    gru = lab.post("/api/lab/run", json={"cell": "gru"}).json()
    assert gru["preset"] == "adding-gru" and set(gru["gates"]) == {"r", "z", "n"}
    assert "c" not in gru
    rnn = lab.post("/api/lab/run", json={"cell": "rnn"}).json()
    assert rnn["preset"] == "adding-rnn" and rnn["gates"] == {}
    peep = lab.post("/api/lab/run", json={"cell": "lstm", "peepholes": True}).json()
    assert peep["preset"] == "adding-peephole" and peep["peepholes"] is True


def test_typed_sequence_runs_and_reports_the_true_sum(lab):
    rows = [[0.1, 0], [0.7, 1], [0.2, 0], [0.25, 1], [0.9, 0], [0.3, 0], [0.4, 0]]
    body = {"cell": "lstm", "peepholes": False, "preset": "adding-lstm", "input": rows}
    run = lab.post("/api/lab/run", json={**body, "include_pre": True}).json()
    assert run["T"] == 7 and run["input"] == rows
    assert run["target"] == pytest.approx(0.95)
    assert set(run["pre"]) == {"i", "f", "g", "o"}
    # σ(pre) is the gate: the pre-activations are the numbers the equation shows.
    pre_f, f = np.array(run["pre"]["f"]), np.array(run["gates"]["f"])
    np.testing.assert_allclose(1 / (1 + np.exp(-pre_f)), f, rtol=1e-3)


def test_text_runs_the_character_model_with_top5(lab):
    run = lab.post("/api/lab/run", json={"preset": "char-lstm", "text": "the cell"}).json()
    assert run["T"] == 8 and run["text"] == "the cell" and run["input"] is None
    assert len(run["top5"]) == 8 and all(len(step) == 5 for step in run["top5"])
    probs = [p for _, p in run["top5"][0]]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0001
    assert len(run["outputs"][0]) == run["D"]  # next-character logits


def test_random_input_follows_seed_and_length(lab):
    a = lab.post("/api/lab/run", json={"preset": "adding-gru", "seed": 3}).json()
    b = lab.post("/api/lab/run", json={"preset": "adding-gru", "seed": 3}).json()
    c = lab.post("/api/lab/run", json={"preset": "adding-gru", "seed": 4, "T": 80}).json()
    assert a["input"] == b["input"] and a["h"] == b["h"]
    assert c["T"] == 80 and c["input"][:5] != a["input"][:5]


def test_gradient_preset_returns_its_series_and_honours_forget_bias(lab):
    run = lab.post("/api/lab/run", json={"preset": "forget-bias", "forget_bias": 1.5}).json()
    biases = [s["forget_bias"] for s in run["gradient_norms"]]
    assert 1.5 in biases and run["forget_bias"] == 1.5
    assert run["question"]["text"].startswith("With the forget-gate bias at 1.5")


# --- limits and bad bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"preset": "adding-lstm", "input": [[0.5, 0]] * 501}, ("input", "500")),
        ({"preset": "adding-lstm", "input": [[0.5] * 257, [0.5] * 257]}, ("input", "256")),
        ({"preset": "char-lstm", "text": "a" * 501}, ("text", "500")),
        ({"preset": "adding-lstm", "T": 501}, ("T", "500")),
        ({"preset": "adding-lstm", "seed": -1}, ("seed", "0")),
        ({"preset": "no-such-preset"}, ("preset", "no-such-preset")),
        ({"preset": "adding-lstm", "cell": "gru"}, ("cell", "lstm")),
        ({"preset": "adding-gru", "peepholes": True}, ("peepholes",)),
        ({"preset": "adding-lstm", "text": "abc"}, ("text", "input")),
        ({"preset": "char-lstm", "text": "日本"}, ("text", "vocabulary")),
        ({"preset": "adding-lstm", "input": [[0.5, 0], [0.5, 1, 3]]}, ("row 2", "D = 3")),
        ({"preset": "adding-lstm", "input": [[0.5, 0, 1], [0.5, 1, 3]]}, ("D = 3", "D = 2")),
        ({"preset": "adding-lstm", "inputs": []}, ("inputs",)),
    ],
)
def test_bad_run_bodies_get_422_naming_the_field_and_limit(lab, body, names):
    response = lab.post("/api/lab/run", json=body)
    assert response.status_code == 422, response.text
    message = detail(response)
    for name in names:
        assert name in message


def test_nan_in_input_is_refused(lab):
    raw = '{"preset": "adding-lstm", "input": [[NaN, 0], [0.5, 1]]}'
    response = lab.post("/api/lab/run", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "input" in detail(response)


def test_openapi_documents_both_body_forms_and_the_limits(lab):
    spec = lab.get("/openapi.json").json()
    run = spec["paths"]["/api/lab/run"]["post"]
    content = run["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert "500" in json.dumps(content["application/json"])
    train = json.dumps(spec["components"]["schemas"]["TrainIn"])
    assert '"maximum": 200' in train
    for path in ("/api/lab/gradients", "/api/lab/train", "/api/lab/predictions"):
        assert path in spec["paths"]


# --- uploads --------------------------------------------------------------------------------------


def test_upload_runs_your_weights(lab):
    arrays = lstm_arrays(D=3, H=5)
    response = upload(lab, arrays, {"seed": 2, "T": 12, "include_pre": True})
    assert response.status_code == 200, response.text
    run = response.json()
    assert (run["source"], run["cell"], run["T"], run["H"], run["D"]) == (
        "upload",
        "lstm",
        12,
        5,
        3,
    )
    assert run["filename"] == "w.npz" and np.shape(run["outputs"]) == (12, 5)  # no head: h
    typed = upload(lab, arrays, {"input": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}).json()
    assert typed["T"] == 3 and typed["input"][2] == [0, 0, 1]


def test_upload_of_an_adding_model_reports_prediction_and_target(lab):
    rng = np.random.default_rng(1)
    arrays = init_params("gru", 2, 4, rng)
    arrays["head.weight"], arrays["head.bias"] = init_head(1, 4, rng)
    run = upload(lab, arrays, {"seed": 5}).json()
    assert run["cell"] == "gru" and run["prediction"] is not None and run["target"] is not None


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda a: a.pop("weight_ih_l0"), ("weight_ih_l0", "missing")),
        (lambda a: a.__setitem__("bias_hh_l0", np.zeros(7)), ("bias_hh_l0", "shape")),
        (lambda a: a["weight_hh_l0"].__setitem__((0, 0), np.nan), ("weight_hh_l0", "NaN")),
        (lambda a: a.__setitem__("weight_ih_l1", np.zeros((20, 5))), ("weight_ih_l1",)),
        (
            lambda a: a.update({f"lstm.{k}": a.pop(k) for k in list(a)}),
            ("weight_ih_l0", "lstm.weight_ih_l0", "state_dict"),
        ),
    ],
)
def test_bad_npz_gets_422_naming_the_key(lab, change, names):
    arrays = lstm_arrays()
    change(arrays)
    response = upload(lab, arrays)
    assert response.status_code == 422
    message = detail(response)
    assert message.startswith("weights: ")
    for name in names:
        assert name in message


def test_upload_that_is_not_an_npz_says_what_it_is(lab):
    junk = upload(lab, b"not a zip at all")
    assert junk.status_code == 422 and "not a readable .npz" in detail(junk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:  # what torch.save writes: a zip with data.pkl
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    pickled = upload(lab, buffer.getvalue())
    assert pickled.status_code == 422 and "torch.save" in detail(pickled)


def test_upload_limits_on_h_d_and_size(lab):
    big_h = upload(lab, init_params("rnn", 2, 129, np.random.default_rng(0)))
    assert big_h.status_code == 422 and "H ≤ 128" in detail(big_h)
    big_d = upload(lab, init_params("rnn", 257, 4, np.random.default_rng(0)))
    assert big_d.status_code == 422 and "D ≤ 256" in detail(big_d)
    too_large = upload(lab, b"\0" * (2 * 1024 * 1024 + 1))
    assert too_large.status_code == 413 and "2 MB" in detail(too_large)


def test_upload_must_match_the_cell_asked_for_and_have_a_file(lab):
    wrong = upload(lab, lstm_arrays(), {"cell": "gru"})
    assert wrong.status_code == 422 and "cell" in detail(wrong)
    no_file = lab.post("/api/lab/run", files={"config": (None, "{}")})
    assert no_file.status_code == 422 and "weights" in detail(no_file)
    with_preset = upload(lab, lstm_arrays(), {"preset": "adding-lstm"})
    assert with_preset.status_code == 422 and "preset" in detail(with_preset)


def test_a_pytorch_state_dict_uploads_and_matches_torch(lab):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    torch.manual_seed(0)
    layer = torch.nn.LSTM(input_size=3, hidden_size=6)
    data = npz_bytes({k: v.detach().numpy() for k, v in layer.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(9, 3))
    run = upload(lab, data, {"input": x.tolist()}).json()
    with torch.no_grad():
        h, _ = layer(torch.tensor(x[:, None, :], dtype=torch.float32))
    np.testing.assert_allclose(run["h"], h[:, 0].numpy(), rtol=2e-4, atol=2e-5)


# --- POST /api/lab/gradients ----------------------------------------------------------------------


def test_gradients_compare_rnn_lstm_gru_on_one_input(lab):
    response = lab.post("/api/lab/gradients", json={})
    assert response.status_code == 200
    data = GradientsOut.model_validate(response.json())
    assert [s.cell for s in data.series] == ["rnn", "lstm", "gru"]
    for s in data.series:
        assert s.norms[-1] == pytest.approx(1.0) and s.steps_back[-1] == 0
    rnn, lstm = data.series[0], data.series[1]
    assert rnn.norms[9] < lstm.norms[9]  # 40 steps back the open-gated LSTM keeps far more
    truncated = lab.post(
        "/api/lab/gradients", json={"series": [{"cell": "lstm", "truncate": 10}], "T": 30}
    ).json()["series"][0]
    assert all(v == 0 for v in truncated["norms"][: 30 - 10]) and truncated["norms"][-10] > 0


def test_gradients_use_the_given_input(lab):
    rows = [[0.5, 0]] * 20
    data = lab.post("/api/lab/gradients", json={"input": rows, "series": [{"cell": "gru"}]})
    assert data.json()["T"] == 20 and len(data.json()["series"][0]["norms"]) == 20


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"T": 501}, ("T", "500")),
        ({"H": 129}, ("H", "128")),
        ({"series": [{"cell": "rnn"}] * 9}, ("series", "8")),
        ({"series": [{"cell": "rnn", "forget_bias": 1}]}, ("series[0].forget_bias", "LSTM")),
        ({"series": [{"cell": "lstm", "forget_bias": 11}]}, ("forget_bias", "10")),
        ({"series": []}, ("series",)),
    ],
)
def test_gradient_limits(lab, body, names):
    response = lab.post("/api/lab/gradients", json=body)
    assert response.status_code == 422
    for name in names:
        assert name in detail(response)


# --- POST /api/lab/train --------------------------------------------------------------------------


def test_training_in_chunks_carries_the_state_and_is_bit_identical(lab):
    config = {"cell": "lstm", "H": 8, "T": 10, "seed": 3}
    first = lab.post("/api/lab/train", json={"config": config, "steps": 5})
    assert first.status_code == 200
    first = TrainOut.model_validate(first.json())
    assert first.step == 5 and len(first.losses) == 5 and first.run.H == 8
    second = lab.post("/api/lab/train", json={"state": first.state, "steps": 5}).json()
    assert second["step"] == 10
    whole = lab.post("/api/lab/train", json={"config": config, "steps": 10}).json()
    assert whole["losses"][5:] == second["losses"]
    assert whole["test_mse"] == second["test_mse"]
    assert np.shape(whole["run"]["gates"]["f"]) == (10, 8)  # the probe has the state's T


def test_any_worker_continues_any_state(lab, tmp_path, module_database_url):
    """Another process with the same secret (another worker, another container) carries on."""
    settings = make_settings(tmp_path, database_url=module_database_url)
    upgrade(settings)
    other = create_app(settings)
    config = {"H": 6, "T": 8, "seed": 5}
    first = lab.post("/api/lab/train", json={"config": config, "steps": 3}).json()
    with TestClient(other, base_url="http://127.0.0.1") as worker:
        second = worker.post("/api/lab/train", json={"state": first["state"], "steps": 3})
    other.state.engine.dispose()
    assert second.status_code == 200 and second.json()["step"] == 6
    whole = lab.post("/api/lab/train", json={"config": config, "steps": 6}).json()
    assert second.json()["losses"] == whole["losses"][3:]


def test_zero_steps_shows_a_fresh_model(lab):
    fresh = lab.post("/api/lab/train", json={"config": {"cell": "gru", "H": 4}, "steps": 0}).json()
    assert (
        fresh["step"] == 0
        and fresh["losses"] == []
        and set(fresh["run"]["gates"])
        == {
            "r",
            "z",
            "n",
        }
    )


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"steps": 201}, ("steps", "200")),
        ({"config": {"H": 65}}, ("H", "64")),
        ({"config": {"T": 201}}, ("T", "200")),
        ({"config": {"batch": 65}}, ("batch", "64")),
        ({"config": {"H": 64, "T": 200, "batch": 64}, "steps": 1}, ("config", "120,000,000")),
        ({"config": {"H": 64, "T": 200, "batch": 32}, "steps": 2}, ("steps", "at most 1 steps")),
        ({"config": {"cell": "gru", "peepholes": True}}, ("config.peepholes",)),
        ({"state": "x" * (lab_state.MAX_TOKEN + 1)}, ("state", str(lab_state.MAX_TOKEN))),
    ],
)
def test_training_limits(lab, body, names):
    response = lab.post("/api/lab/train", json=body)
    assert response.status_code == 422, response.text
    for name in names:
        assert name in detail(response)


def test_a_tampered_or_foreign_state_gets_400_not_500(lab, tmp_path):
    state = lab.post("/api/lab/train", json={"config": {"H": 4, "T": 5}, "steps": 1}).json()
    token = state["state"]
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    for bad in (flipped, token + "x", "garbage", token.split(".")[0]):
        response = lab.post("/api/lab/train", json={"state": bad, "steps": 1})
        assert response.status_code == 400, bad[:20]
        assert detail(response).startswith("state: ")
    other = lab_state.seal_state(
        engine.new_training_state(H=4, T=5), "another-server-key-another-server-key"
    )
    foreign = lab.post("/api/lab/train", json={"state": other, "steps": 1})
    assert foreign.status_code == 400 and "signature" in detail(foreign)


def test_a_signed_but_impossible_state_is_still_refused(lab):
    # Defence in depth: even a state signed with the right key is validated before use.
    secret = lab.app.state.settings.resolved_secret_key
    state = engine.new_training_state(H=4, T=5)
    state["params"]["weight_hh_l0"][0][0] = math.inf
    response = lab.post(
        "/api/lab/train", json={"state": lab_state.seal_state(state, secret), "steps": 1}
    )
    assert response.status_code == 400 and "weight_hh_l0" in detail(response)


# --- predictions ----------------------------------------------------------------------------------


def test_prediction_is_checked_on_the_server_recorded_once_and_counted(client):
    run = client.post("/api/lab/run", json={"preset": "adding-lstm", "seed": 2}).json()
    question = run["question"]
    assert {c["value"] for c in question["choices"]} == {"yes", "no"}
    assert "truth" not in json.dumps(question)  # the answer never goes out before the learner
    body = {"preset": "adding-lstm", "seed": 2, "question_id": question["id"], "answer": "yes"}
    first = client.post("/api/lab/predictions", json=body)
    assert first.status_code == 200, first.text
    result = first.json()
    # The truth is what the run's own numbers say.
    f = np.array(run["gates"]["f"])
    evidence = result["evidence"]
    holds = f[evidence["steps"], evidence["unit"]].min() > 0.9
    assert result["truth"] == ("yes" if holds else "no")
    assert result["correct_answer"] == holds
    assert (result["made"], result["correct"], result["counted"]) == (1, int(holds), True)
    again = client.post("/api/lab/predictions", json={**body, "answer": "no"}).json()
    assert again["counted"] is False and again["made"] == 1
    assert again["correct_answer"] == holds  # the first answer counts
    assert client.get("/api/lab/predictions").json() == {"made": 1, "correct": int(holds)}


def test_prediction_for_a_gradient_preset(client):
    run = client.post("/api/lab/run", json={"preset": "vanishing-gradients"}).json()
    q = run["question"]
    assert len(q["choices"]) == 4
    body = {"preset": "vanishing-gradients", "question_id": q["id"], "answer": "3"}
    result = client.post("/api/lab/predictions", json=body).json()
    back = result["evidence"]["steps_back"]
    norms = [s["norms"][s["T"] - 1 - back] for s in run["gradient_norms"]]
    assert result["truth"] == str(int(np.argmax(norms)))


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"question_id": "adding-lstm:made-up"}, ("question_id",)),
        ({"answer": "maybe"}, ("answer", "yes")),
        ({"preset": "nope"}, ("preset",)),
        ({"seed": 9}, ("question_id",)),  # another input: another question
    ],
)
def test_bad_predictions_are_refused_and_change_nothing(client, change, names):
    run = client.post("/api/lab/run", json={"preset": "adding-lstm"}).json()
    body = {"preset": "adding-lstm", "question_id": run["question"]["id"], "answer": "yes"}
    response = client.post("/api/lab/predictions", json={**body, **change})
    assert response.status_code == 422
    for name in names:
        assert name in detail(response)
    assert client.get("/api/lab/predictions").json() == {"made": 0, "correct": 0}


def test_predictions_are_per_user(client, app):
    run = client.post("/api/lab/run", json={"preset": "adding-rnn"}).json()
    q = run["question"]
    body = {"preset": "adding-rnn", "question_id": q["id"], "answer": "no"}
    assert client.post("/api/lab/predictions", json=body).status_code == 200
    with TestClient(app, base_url="http://127.0.0.1") as stranger:
        assert stranger.get("/api/lab/predictions").json() == {"made": 0, "correct": 0}


# --- the page -------------------------------------------------------------------------------------


def test_lab_page_is_in_the_navigation(client):
    page = client.get("/lab")
    assert page.status_code == 200
    assert 'href="/lab" aria-current="page"' in page.text
    assert "static/js/lab/main.js" in page.text
    assert 'data-preset="adding-lstm"' in page.text


def test_lab_page_from_a_card_shows_its_question_and_what_to_look_for(client):
    page = client.get("/lab?preset=forget-bias&card=first-card").text
    assert "What does the forget gate multiply?" in page
    assert "What to look for:" in page and "keep the cell state" in page
    assert 'href="/cards/first-card"' in page
    assert 'data-preset="forget-bias"' in page


def test_lab_page_with_an_unknown_preset_says_so(client):
    page = client.get("/lab?preset=bogus").text
    assert "There is no preset called “bogus”" in page
    assert 'data-preset="adding-lstm"' in page


def test_the_lab_compresses_its_own_answer_on_its_pool_and_it_reads_the_same(lab):
    """The lab gzips its answer itself (level 1, off the event loop, even a 6.9 MB one); the
    middleware passes it through. The decoded JSON is the same as the uncompressed answer's."""
    arrays = lstm_arrays(D=2, H=64)
    config = {"T": 500, "include_pre": True}
    data = {"config": json.dumps(config)}
    sent = {"weights": ("w.npz", npz_bytes(arrays))}
    packed = lab.post("/api/lab/run", files=sent, data=data, headers={"Accept-Encoding": "gzip"})
    plain = lab.post("/api/lab/run", files=sent, data=data, headers={"Accept-Encoding": "identity"})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 128 << 10
    assert int(packed.headers["content-length"]) < len(plain.content) // 2
    assert packed.json() == plain.json()
    assert len(plain.json()["pre"]["i"]) == 500
