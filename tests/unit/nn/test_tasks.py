"""The adding problem and the character corpus."""

import numpy as np
import pytest

from app.nn import tasks


def test_adding_problem_layout():
    x, y = tasks.adding_problem(200, 50, np.random.default_rng(0))
    assert x.shape == (50, 200, 2) and y.shape == (200, 1)
    assert ((x[..., 0] >= 0) & (x[..., 0] <= 1)).all()
    marks = x[..., 1]
    assert (marks.sum(0) == 2).all()
    assert (marks[:25].sum(0) == 1).all() and (marks[25:].sum(0) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * marks).sum(0))


def test_adding_problem_is_seeded():
    a = tasks.adding_problem(3, 10, np.random.default_rng(5))
    b = tasks.adding_problem(3, 10, np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])


def test_corpus_round_trip(tmp_path):
    (tmp_path / "b.md").write_text("world\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("hello ⊙", encoding="utf-8")
    text = tasks.read_corpus(tmp_path)
    assert text == "hello ⊙\n\nworld\n"
    vocab = tasks.make_vocab(text)
    assert vocab == "".join(sorted(set(text)))
    ids = tasks.encode(text, vocab)
    assert "".join(vocab[i] for i in ids) == text
    train, held = tasks.split_corpus(text, 0.25)
    assert train + held == text and len(held) == 4
    with pytest.raises(ValueError, match="'z'"):
        tasks.encode("zz", vocab)


def test_char_batch_labels_are_the_next_characters():
    ids = np.arange(100)
    x, y = tasks.char_batch(ids, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (10, 4)
    np.testing.assert_array_equal(y, x + 1)
