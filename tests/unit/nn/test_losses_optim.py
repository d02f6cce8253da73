"""Losses, the readout, clipping and Adam."""

import numpy as np
import pytest
from nn_testing import numeric_grad, rel_error

from app.nn import head, optim
from app.nn.activations import log_softmax, sigmoid, softmax
from app.nn.losses import mse, softmax_cross_entropy
from tests.conftest import TORCH_MISSING


def test_sigmoid_is_exact_and_never_overflows():
    x = np.linspace(-40, 40, 801)
    # Within a couple of ulps of 1 everywhere (relative accuracy fades only where σ < 1e-8).
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15, atol=3e-16)
    with np.errstate(all="raise"):
        assert sigmoid(np.array([-1000.0]))[0] == 0.0 and sigmoid(np.array([1000.0]))[0] == 1.0


def test_softmax_is_stable():
    z = np.array([[1000.0, 1000.0, -1000.0]])
    np.testing.assert_allclose(softmax(z), [[0.5, 0.5, 0.0]])
    np.testing.assert_allclose(log_softmax(z)[0, :2], np.log(0.5))


def test_cross_entropy_value_and_gradient(rng):
    z = rng.normal(size=(6, 5))
    labels = rng.integers(0, 5, size=6)
    loss, dz = softmax_cross_entropy(z, labels)
    assert loss == pytest.approx(-np.mean(np.log(softmax(z)[np.arange(6), labels])), rel=1e-14)
    assert rel_error(dz, numeric_grad(lambda: softmax_cross_entropy(z, labels)[0], z)) < 1e-7


def test_mse_value_and_gradient(rng):
    y, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, dy = mse(y, t)
    assert loss == pytest.approx(np.mean((y - t) ** 2), rel=1e-14)
    assert rel_error(dy, numeric_grad(lambda: mse(y, t)[0], y)) < 1e-7


def test_head_gradients(rng):
    h, w, b = rng.normal(size=(3, 2, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    wy = rng.normal(size=(3, 2, 5))
    y, cache = head.forward(h, w, b)
    np.testing.assert_allclose(y, h @ w.T + b, atol=1e-14)
    dh, dw, db = head.backward(wy, cache)

    def f():
        return float((wy * head.forward(h, w, b)[0]).sum())

    for got, arr in ((dh, h), (dw, w), (db, b)):
        assert rel_error(got, numeric_grad(f, arr)) < 1e-7


def test_clipping_scales_to_the_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert optim.global_norm(grads) == 5.0
    clipped, norm = optim.clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    assert optim.global_norm(clipped) == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(clipped["a"], grads["a"] / (5.0 + 1e-6))
    same, _ = optim.clip_by_global_norm(grads, 10.0)
    assert same is grads


def test_adam_first_step_moves_by_lr_times_sign():
    p = {"w": np.array([1.0, -2.0, 3.0])}
    opt = optim.Adam(lr=0.1)
    opt.step(p, {"w": np.array([0.5, -4.0, 2e-3])})
    # m̂ = g and v̂ = g² after one step, so the update is lr · g / (|g| + ε).
    np.testing.assert_allclose(p["w"], [0.9, -1.9, 2.9], rtol=1e-6)


@pytest.mark.torch
def test_adam_and_clipping_match_torch(rng):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    w0 = rng.normal(size=(4, 3))
    grads = [rng.normal(size=(4, 3)) * 10 for _ in range(5)]
    ours = {"w": w0.copy()}
    opt = optim.Adam(lr=0.01)
    tw = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    topt = torch.optim.Adam([tw], lr=0.01)
    for g in grads:
        clipped, norm = optim.clip_by_global_norm({"w": g}, 1.0)
        opt.step(ours, clipped)
        tw.grad = torch.from_numpy(g.copy())
        tnorm = torch.nn.utils.clip_grad_norm_([tw], 1.0)
        topt.step()
        assert norm == pytest.approx(float(tnorm), rel=1e-12)
    np.testing.assert_allclose(ours["w"], tw.detach().numpy(), rtol=0, atol=1e-12)
