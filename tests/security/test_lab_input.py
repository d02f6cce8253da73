"""Issue 13, item 7 (the lab's bullets): a tiny number is rounded, not turned into NaN and a 500;
a ReLU RNN runs as ReLU when the config says so, and `nonlinearity` is refused where it has no
meaning, never guessed."""

import numpy as np
import pytest

from app.nn.params import init_params
from tests.security.lab_client import lab_client, upload


@pytest.fixture(scope="module")
def lab(tmp_path_factory, module_database_url):
    yield from lab_client(tmp_path_factory.mktemp("lab"), database_url=module_database_url)


@pytest.mark.parametrize("tiny", [1e-305, -2.5e-308, 5e-324, 1.7976931348623157e308])
def test_extreme_numbers_in_the_input_round_instead_of_failing(lab, tiny):
    response = lab.post(
        "/api/lab/run", json={"preset": "adding-lstm", "input": [[tiny, 1], [0.5, 1]]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["input"][0][0] == float(f"{tiny:.5g}") or tiny > 1e308


def test_extreme_numbers_in_an_uploaded_models_input(lab):
    arrays = init_params("rnn", 3, 4, np.random.default_rng(0))
    response = upload(lab, arrays, {"input": [[1e-305, 0, 0], [0, 1e-300, 3.14159265e-290]]})
    assert response.status_code == 200, response.text
    assert response.json()["input"] == [[1e-305, 0, 0], [0, 1e-300, 3.1416e-290]]


def relu_reference(arrays, x):
    h = np.zeros(arrays["weight_hh_l0"].shape[1])
    out = []
    for x_t in x:
        a = arrays["weight_ih_l0"] @ x_t + arrays["bias_ih_l0"]
        a += arrays["weight_hh_l0"] @ h + arrays["bias_hh_l0"]
        h = np.maximum(a, 0.0)  # h_t = ReLU(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
        out.append(h)
    return np.array(out)


def test_relu_rnn_upload_runs_as_relu_when_asked(lab):
    arrays = {k: 3 * v for k, v in init_params("rnn", 3, 6, np.random.default_rng(1)).items()}
    x = np.random.default_rng(2).normal(size=(8, 3))
    relu = upload(lab, arrays, {"input": x.tolist(), "nonlinearity": "relu"}).json()
    assert relu["nonlinearity"] == "relu"
    np.testing.assert_allclose(relu["h"], relu_reference(arrays, x), rtol=1e-4, atol=1e-9)
    tanh = upload(lab, arrays, {"input": x.tolist()}).json()
    assert tanh["nonlinearity"] == "tanh"  # PyTorch's default when the config says nothing
    assert np.min(tanh["h"]) < 0 <= np.min(relu["h"])


@pytest.mark.parametrize(
    ("cell", "config"),
    [
        ("lstm", {"nonlinearity": "relu"}),
        ("gru", {"nonlinearity": "tanh"}),
        ("rnn", {"nonlinearity": "gelu"}),
    ],
)
def test_nonlinearity_is_refused_where_it_means_nothing(lab, cell, config):
    response = upload(lab, init_params(cell, 2, 3, np.random.default_rng(0)), config)
    assert response.status_code == 422
    assert "nonlinearity" in response.text


def test_presets_refuse_relu(lab):
    response = lab.post("/api/lab/run", json={"preset": "adding-rnn", "nonlinearity": "relu"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("nonlinearity:")
