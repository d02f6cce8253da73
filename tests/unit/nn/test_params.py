"""Parameter layout, initialisation and .npz validation."""

import numpy as np
import pytest

from app.nn import params as P


def weights(cell="lstm", peepholes=False, head=True, vocab=None, D=3, H=4) -> P.Weights:
    rng = np.random.default_rng(0)
    O = len(vocab) if vocab else 2
    hd = P.init_head(O, H, rng) if head else None
    return P.Weights(cell, P.init_params(cell, D, H, rng, peepholes=peepholes), hd, vocab)


@pytest.mark.parametrize(("cell", "G"), [("lstm", 4), ("gru", 3), ("rnn", 1)])
def test_shapes_follow_pytorch(cell, G):
    shapes = P.param_shapes(cell, D=3, H=5)
    assert shapes == {
        "weight_ih_l0": (G * 5, 3),
        "weight_hh_l0": (G * 5, 5),
        "bias_ih_l0": (G * 5,),
        "bias_hh_l0": (G * 5,),
    }


def test_gate_blocks_in_pytorch_order():
    assert [P.block("lstm", g, 5) for g in "ifgo"] == [
        slice(0, 5),
        slice(5, 10),
        slice(10, 15),
        slice(15, 20),
    ]
    assert [P.block("gru", g, 5) for g in "rzn"] == [slice(0, 5), slice(5, 10), slice(10, 15)]


def test_init_is_seeded_and_bounded():
    a = P.init_params("lstm", 3, 16, np.random.default_rng(7), peepholes=True)
    b = P.init_params("lstm", 3, 16, np.random.default_rng(7), peepholes=True)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
        assert np.abs(a[k]).max() <= 0.25  # 1/√16
    assert set(a) >= set(P.PEEPHOLES) and a[P.W_CI].shape == (16,)


def test_forget_bias_sets_the_effective_bias():
    p = P.init_params("lstm", 3, 8, np.random.default_rng(0), forget_bias=1.5)
    f = P.block("lstm", "f", 8)
    np.testing.assert_array_equal(p[P.B_IH][f] + p[P.B_HH][f], 1.5)
    with pytest.raises(ValueError, match="LSTM only"):
        P.init_params("gru", 3, 8, np.random.default_rng(0), forget_bias=1.0)


@pytest.mark.parametrize(
    ("cell", "peepholes", "vocab"),
    [("lstm", False, None), ("lstm", True, None), ("gru", False, None), ("rnn", False, "ab c")],
)
def test_save_load_round_trip(tmp_path, cell, peepholes, vocab):
    w = weights(cell, peepholes, vocab=vocab, D=len(vocab) if vocab else 3)
    path = tmp_path / "w.npz"
    P.save_weights(path, w, dtype=np.float64)
    back = P.load_weights(path)
    assert (back.cell, back.peepholes, back.vocab) == (cell, peepholes, vocab)
    for k, v in w.arrays().items():
        np.testing.assert_array_equal(back.arrays()[k], v)


def test_float32_files_load_as_float64(tmp_path):
    path = tmp_path / "w.npz"
    P.save_weights(path, weights(), dtype=np.float32)
    back = P.load_weights(path)
    assert all(v.dtype == np.float64 for v in back.params.values())


def arrays(**changes):
    a = weights(peepholes=True).arrays()
    for k, v in changes.items():
        key = k.replace("__", ".")
        if v is None:
            del a[key]
        else:
            a[key] = v
    return a


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_hh_l0": None}, "missing key 'weight_hh_l0'"),
        ({"bias_ih_l0": None}, "missing key 'bias_ih_l0'"),
        ({"weight_co_l0": None}, "missing key 'weight_co_l0'"),
        ({"head__bias": None}, "missing key 'head.bias'"),
        ({"weight_ih_l1": np.zeros((16, 3))}, "unexpected key 'weight_ih_l1'"),
        ({"bias_hh_l0": np.zeros(15)}, r"key 'bias_hh_l0' has shape \(15,\)"),
        ({"weight_ih_l0": np.zeros((12, 3))}, "key 'weight_ih_l0' has shape"),
        ({"weight_hh_l0": np.zeros((10, 4))}, "key 'weight_hh_l0' has shape"),
        ({"head__weight": np.zeros((2, 5))}, "key 'head.weight' has shape"),
        ({"weight_ih_l0": np.zeros((16, 3), dtype=np.int64)}, "key 'weight_ih_l0' has dtype int64"),
        ({"bias_ih_l0": np.full(16, np.nan)}, "key 'bias_ih_l0' contains NaN"),
        ({"weight_cf_l0": np.full(4, np.inf)}, "key 'weight_cf_l0' contains infinity"),
        ({"vocab": np.array([97, 98], dtype=np.int32)}, "key 'vocab' must be a 1-D uint32"),
    ],
)
def test_bad_weights_name_the_key(changes, message):
    with pytest.raises(P.WeightsError, match=message):
        P.from_arrays(arrays(**changes))


def test_weights_error_is_a_value_error_and_names_the_file(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays(bias_ih_l0=np.full(16, np.nan)))
    with pytest.raises(ValueError, match=r"bad\.npz: key 'bias_ih_l0' contains NaN"):
        P.load_weights(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(P.WeightsError, match=r"junk\.npz"):
        P.load_weights(tmp_path / "junk.npz")


def test_object_arrays_are_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, **arrays(), extra=np.array([{"a": 1}], dtype=object))
    with pytest.raises(P.WeightsError, match=r"obj\.npz"):
        P.load_weights(path)


def test_cell_mismatch_and_peepholes_on_gru():
    with pytest.raises(P.WeightsError, match="a lstm cell, not gru"):
        P.from_arrays(weights().arrays(), cell="gru")
    gru = weights("gru").arrays()
    gru["weight_ci_l0"] = np.zeros(4)
    with pytest.raises(P.WeightsError, match="'weight_ci_l0': peepholes need an LSTM"):
        P.from_arrays(gru)


def test_vocab_must_match_the_input_and_head():
    w = weights(vocab="abc", D=3)
    a = w.arrays()
    a["vocab"] = np.array([97, 98, 99, 100], dtype=np.uint32)
    with pytest.raises(P.WeightsError, match="vocab has 4"):
        P.from_arrays(a)
