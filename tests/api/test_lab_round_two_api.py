"""The lab's second round: interventions on /api/lab/run, /api/lab/units and /api/lab/sample,
each with its limits (4xx naming the field) and its place in /docs."""

import io
import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import upgrade
from app.nn import lab as engine
from app.nn.params import init_params
from app.routes.lab_schemas import RunOut, SampleOut, UnitsOut
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def lab(tmp_path_factory, module_database_url) -> TestClient:
    settings = make_settings(tmp_path_factory.mktemp("lab2"), database_url=module_database_url)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client
    app.state.engine.dispose()


def detail(response) -> str:
    body = response.json()["detail"]
    return body if isinstance(body, str) else json.dumps(body)


def npz(arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def hold(quantity, unit=0, from_step=0, to_step=5, value=0.5):
    return {
        "quantity": quantity,
        "unit": unit,
        "from_step": from_step,
        "to_step": to_step,
        "value": value,
    }


# --- interventions --------------------------------------------------------------------------------


def test_holding_a_unit_changes_the_run_and_returns_the_baseline(lab):
    plain = lab.post("/api/lab/run", json={"preset": "adding-lstm"}).json()
    body = {"preset": "adding-lstm", "interventions": [hold("f", 3, 10, 50, 0.0)]}
    held = lab.post("/api/lab/run", json={**body, "baseline": True})
    assert held.status_code == 200, held.text[:300]
    out = RunOut.model_validate(held.json())
    assert all(row[3] == 0.0 for row in out.gates["f"][10:])
    assert out.baseline is not None and out.baseline.h == plain["h"]
    assert out.baseline.prediction == plain["prediction"]
    assert out.h[:10] == plain["h"][:10]  # nothing before the first held step changes
    assert out.question is None  # the prediction question is about the untouched run


@pytest.mark.parametrize(
    ("preset", "quantity", "value"),
    [
        ("adding-lstm", "c", 2.0),
        ("adding-peephole", "o", 1.0),
        ("adding-gru", "z", 0.0),
        ("adding-rnn", "h", -1.0),
        ("char-lstm-small", "i", 1.0),
    ],
)
def test_each_cell_can_hold_its_quantities(lab, preset, quantity, value):
    body = {"preset": preset, "interventions": [hold(quantity, 1, 2, 6, value)], "baseline": True}
    out = lab.post("/api/lab/run", json=body)
    assert out.status_code == 200, out.text[:300]
    data = out.json()
    shown = data["gates"][quantity] if quantity in data["gates"] else data[quantity]
    assert [row[1] for row in shown[2:6]] == [value] * 4
    assert data["baseline"]["h"] != data["h"]


def test_the_char_models_next_character_changes_with_the_held_unit(lab):
    text = 'She said "hello'
    held = [hold("h", u, 0, len(text), 1.0) for u in range(8)]
    body = {"preset": "char-lstm-small", "text": text, "interventions": held, "baseline": True}
    data = lab.post("/api/lab/run", json=body).json()
    assert data["top5"][-1] != data["baseline"]["top5"][-1]


def test_interventions_on_an_upload(lab):
    arrays = init_params("gru", 3, 4, np.random.default_rng(0))
    config = {"interventions": [hold("n", 2, 0, 3, -1.0)], "baseline": True, "T": 6}
    r = lab.post(
        "/api/lab/run",
        files={"weights": ("w.npz", npz(arrays))},
        data={"config": json.dumps(config)},
    )
    assert r.status_code == 200, r.text[:300]
    data = r.json()
    assert [row[2] for row in data["gates"]["n"][:3]] == [-1.0] * 3
    assert data["baseline"]["h"][:1] != data["h"][:1]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"interventions": [hold("f", value=1.5)]}, ["interventions[0].value", "[0, 1]"]),
        ({"interventions": [hold("g", value=-2)]}, ["interventions[0].value", "[-1, 1]"]),
        ({"interventions": [hold("z")]}, ["interventions[0].quantity", "i, f, g, o, c, h"]),
        ({"interventions": [hold("f", unit=16)]}, ["interventions[0].unit", "H = 16"]),
        ({"interventions": [hold("f", to_step=51)]}, ["to_step", "T = 50"]),
        ({"interventions": [hold("f", from_step=5, to_step=5)]}, ["from_step", "to_step"]),
        ({"interventions": [hold("f")] * 9}, ["interventions", "8"]),
        ({"interventions": [hold("q")]}, ["quantity"]),
        ({"interventions": [hold("h", value=101)]}, ["value", "100"]),
        ({"interventions": [{"quantity": "f", "unit": 0}]}, ["from_step"]),
        ({"baseline": True}, ["baseline", "interventions"]),
    ],
)
def test_bad_interventions_get_422_naming_the_field(lab, body, names):
    r = lab.post("/api/lab/run", json={"preset": "adding-lstm", **body})
    assert r.status_code == 422, r.text[:300]
    for name in names:
        assert name in detail(r)


def test_gradient_presets_refuse_interventions(lab):
    body = {"preset": "vanishing-gradients", "interventions": [hold("h")]}
    r = lab.post("/api/lab/run", json=body)
    assert r.status_code == 422 and "interventions" in detail(r)


def test_grad_norms_of_the_trained_adding_presets(lab):
    for preset in ("adding-lstm", "adding-gru", "adding-rnn"):
        data = lab.post("/api/lab/run", json={"preset": preset, "grad_norms": True}).json()
        norms = data["grad_norms"]
        assert len(norms) == data["T"] and all(n >= 0 for n in norms)
    r = lab.post("/api/lab/run", json={"preset": "char-lstm", "grad_norms": True})
    assert r.status_code == 422 and "grad_norms" in detail(r)


# --- units ----------------------------------------------------------------------------------------


def test_units_rank_by_abs_correlation_with_a_named_feature(lab):
    text = 'He said "yes (really)" and left.'
    r = lab.post(
        "/api/lab/units", json={"preset": "char-lstm", "text": text, "feature": "inside-quotes"}
    )
    assert r.status_code == 200, r.text[:300]
    out = UnitsOut.model_validate(r.json())
    assert len(out.units) == 64 and len(text) == out.T
    rs = [abs(u.r) for u in out.units]
    assert rs == sorted(rs, reverse=True) and rs[0] > 0.5
    assert out.target[text.index('"')] == 1.0 and out.target[0] == 0.0


def test_a_units_own_series_ranks_it_first_with_r_1(lab):
    base = {"preset": "adding-lstm", "seed": 3, "quantity": "c"}
    some = lab.post("/api/lab/units", json={**base, "feature": "running-sum"}).json()
    unit = some["units"][5]
    own = lab.post("/api/lab/units", json={**base, "target": unit["series"]}).json()
    assert own["units"][0]["unit"] == unit["unit"]
    assert own["units"][0]["r"] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"preset": "char-lstm", "feature": "running-sum"}, ["feature", "inside-quotes"]),
        ({"preset": "adding-lstm", "feature": "is-vowel"}, ["feature", "after-first-marker"]),
        ({"preset": "adding-lstm"}, ["feature", "target"]),
        ({"preset": "adding-lstm", "target": [1, 2, 3]}, ["target", "T = 50"]),
        ({"preset": "adding-gru", "feature": "running-sum", "quantity": "c"}, ["quantity"]),
        ({"preset": "char-lstm", "text": "aaaa", "feature": "is-vowel"}, ["target", "constant"]),
        ({"preset": "vanishing-gradients", "feature": "running-sum"}, ["preset"]),
        ({"preset": "nope", "feature": "running-sum"}, ["preset"]),
        ({"feature": "running-sum"}, ["preset"]),
        ({"preset": "char-lstm", "text": "x" * 501, "feature": "is-vowel"}, ["text", "500"]),
    ],
)
def test_bad_unit_searches_get_4xx_naming_the_field(lab, body, names):
    r = lab.post("/api/lab/units", json=body)
    assert r.status_code == 422, r.text[:300]
    for name in names:
        assert name in detail(r)


def test_units_of_uploaded_weights(lab):
    arrays = init_params("lstm", 2, 6, np.random.default_rng(1))
    r = lab.post(
        "/api/lab/units",
        files={"weights": ("w.npz", npz(arrays))},
        data={"config": json.dumps({"feature": "after-first-marker", "quantity": "c"})},
    )
    assert r.status_code == 200, r.text[:300]
    assert len(r.json()["units"]) == 6


# --- sample ---------------------------------------------------------------------------------------


def test_greedy_sample_starts_with_the_runs_top_1_and_seeds_repeat(lab):
    prime = "The forget gate "
    run = lab.post("/api/lab/run", json={"preset": "char-lstm", "text": prime}).json()
    greedy = lab.post(
        "/api/lab/sample",
        json={"preset": "char-lstm", "prime": prime, "length": 30, "temperature": 0},
    )
    assert greedy.status_code == 200, greedy.text[:300]
    out = SampleOut.model_validate(greedy.json())
    assert out.text[0] == run["top5"][-1][0][0]
    assert len(out.text) == 30 and all(c.top5[0][0] == c.char for c in out.chars)
    body = {"preset": "char-lstm", "prime": prime, "length": 80, "temperature": 1.0, "seed": 7}
    a, b = (lab.post("/api/lab/sample", json=body).json() for _ in range(2))
    assert a["text"] == b["text"]
    other = lab.post("/api/lab/sample", json={**body, "seed": 8}).json()
    assert other["text"] != a["text"]
    assert all(0 < c["p"] <= 1 and len(c["top5"]) == 5 for c in a["chars"])


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"length": 501}, ["length", "500"]),
        ({"length": 0}, ["length"]),
        ({"temperature": 2.5}, ["temperature", "2"]),
        ({"temperature": -0.1}, ["temperature"]),
        ({"prime": ""}, ["prime"]),
        ({"prime": "x" * 501}, ["prime", "500"]),
        ({"prime": "日本"}, ["prime", "vocabulary"]),
        ({"preset": "adding-lstm"}, ["preset", "character"]),
        ({"seed": -1}, ["seed"]),
    ],
)
def test_bad_samples_get_422_naming_the_field(lab, body, names):
    r = lab.post("/api/lab/sample", json={"preset": "char-lstm", **body})
    assert r.status_code == 422, r.text[:300]
    for name in names:
        assert name in detail(r)


def test_sample_from_uploaded_char_weights_and_refuse_a_model_without_vocab(lab):
    w = engine.shipped_weights("char-lstm-small")
    r = lab.post(
        "/api/lab/sample",
        files={"weights": ("c.npz", npz(w.arrays()))},
        data={"config": json.dumps({"prime": "The ", "length": 20, "seed": 1})},
    )
    assert r.status_code == 200, r.text[:300]
    preset = lab.post(
        "/api/lab/sample",
        json={"preset": "char-lstm-small", "prime": "The ", "length": 20, "seed": 1},
    ).json()
    assert r.json()["text"] == preset["text"]
    plain = init_params("lstm", 2, 4, np.random.default_rng(0))
    r = lab.post(
        "/api/lab/sample",
        files={"weights": ("w.npz", npz(plain))},
        data={"config": json.dumps({"prime": "a"})},
    )
    assert r.status_code == 422 and "weights" in detail(r)


def test_docs_list_the_new_endpoints_and_their_limits(lab):
    spec = lab.get("/openapi.json").json()
    for path in ("/api/lab/units", "/api/lab/sample"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data"} <= set(body)
    text = json.dumps(spec)
    assert "InterventionIn" in text and '"maxItems": 8' in text


# --- "predict before you look": once per preset per learner, with an off switch -------------


def test_prompts_are_remembered_per_learner_and_can_be_turned_off(client):
    assert client.get("/api/lab/prompts").json() == {"enabled": True, "asked": []}
    r = client.post("/api/lab/prompts", json={"preset": "adding-gru"})
    assert r.status_code == 200 and r.json()["asked"] == ["adding-gru"]
    client.post("/api/lab/prompts", json={"preset": "adding-gru"})  # idempotent
    run = client.post("/api/lab/run", json={"preset": "adding-lstm", "seed": 1}).json()
    question = run["question"]
    answer = {
        "preset": "adding-lstm",
        "seed": 1,
        "question_id": question["id"],
        "answer": question["choices"][0]["value"],
    }
    assert client.post("/api/lab/predictions", json=answer).status_code == 200
    assert client.get("/api/lab/prompts").json()["asked"] == ["adding-gru", "adding-lstm"]
    bad = client.post("/api/lab/prompts", json={"preset": "nope"})
    assert bad.status_code == 422 and "preset" in detail(bad)
    assert client.put("/api/settings", json={"lab_predict": False}).json()["lab_predict"] is False
    assert client.get("/api/lab/prompts").json()["enabled"] is False
    # Another learner has been asked nothing.
    client.cookies.clear()
    assert client.get("/api/lab/prompts").json() == {"enabled": True, "asked": []}


def test_the_prompt_switch_travels_in_a_backup(client):
    client.put("/api/settings", json={"lab_predict": False})
    doc = client.get("/api/export").json()
    assert doc["settings"]["lab_predict"] is False
    client.cookies.clear()
    r = client.post("/api/import", json={"mode": "replace", "data": doc})
    assert r.status_code == 200, r.text[:300]
    assert client.get("/api/settings").json()["lab_predict"] is False
    del doc["settings"]["lab_predict"]  # a file from before the switch: on, as before
    client.post("/api/import", json={"mode": "replace", "data": doc})
    assert client.get("/api/settings").json()["lab_predict"] is True
