"""Train the shipped preset weights, reproducibly.

    python -m app.nn.train adding-lstm --seed 0
    python -m app.nn.train all

Each trained preset is written to app/nn/weights/<preset>.npz and its metrics, measured on the
file just written (so on the shipped precision), to app/nn/weights/metrics.json. The gradient
presets need no training. The character models read questions/*.md as it is at training time;
metrics.json keeps the held-out text and the corpus hash, so the test re-checks the exact split.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.nn import model, optim, tasks
from app.nn.params import Weights, init_head, init_params, load_weights, save_weights
from app.nn.presets import PRESETS

WEIGHTS_DIR = Path(__file__).parent / "weights"
METRICS_FILE = WEIGHTS_DIR / "metrics.json"
QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "questions"

ADDING_T = 50
ADDING_TEST_SEED = 20_000  # the fixed test set: independent of every training seed below 20 000
ADDING_TEST_N = 1000
HELDOUT = 0.1  # the last 10 % of the corpus is held out


@dataclass(frozen=True, slots=True)
class Recipe:
    steps: int
    batch: int  # N
    lr: float
    clip: float  # global-norm clipping threshold
    T: int  # sequence length of a training batch
    dtype: str = "float64"
    save_dtype: str = "float32"  # what the .npz stores (kept under ~200 KB)


ADDING = Recipe(steps=2000, batch=64, lr=1e-2, clip=1.0, T=ADDING_T)
RECIPES: dict[str, Recipe] = {
    "adding-lstm": ADDING,
    "adding-peephole": ADDING,
    "adding-gru": ADDING,
    "adding-rnn": ADDING,  # the same budget, on purpose
    "char-lstm": Recipe(
        steps=5000, batch=32, lr=4e-3, clip=5.0, T=64, dtype="float32", save_dtype="float16"
    ),
    "char-lstm-small": Recipe(steps=3000, batch=32, lr=1e-2, clip=5.0, T=64, dtype="float32"),
}
TRAINED = tuple(RECIPES)


def adding_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The fixed adding-problem test set: x (50, 1000, 2), y (1000, 1)."""
    return tasks.adding_problem(ADDING_TEST_N, ADDING_T, np.random.default_rng(ADDING_TEST_SEED))


def fit(
    w: Weights,
    recipe: Recipe,
    loss_and_grads: Callable[[Weights, np.random.Generator], tuple[float, dict]],
    rng: np.random.Generator,
    log: Callable[[str], None],
) -> list[float]:
    """Adam with global-norm clipping for recipe.steps steps. Returns the loss per step."""
    opt = optim.Adam(lr=recipe.lr)
    params = model.trainables(w)
    losses = []
    for step in range(1, recipe.steps + 1):
        loss, grads = loss_and_grads(w, rng)
        grads, _ = optim.clip_by_global_norm(grads, recipe.clip)
        opt.step(params, grads)
        losses.append(loss)
        if step % 250 == 0:
            log(f"  step {step:5d}  loss {np.mean(losses[-250:]):.4f}")
    return losses


def new_weights(name: str, D: int, O: int, rng: np.random.Generator, dtype: str) -> Weights:
    p = PRESETS[name]
    params = init_params(
        p.cell, D, p.hidden, rng, peepholes=p.peepholes, forget_bias=p.forget_bias, dtype=dtype
    )
    return Weights(p.cell, params, init_head(O, p.hidden, rng, dtype))


def train_adding(name: str, seed: int, log: Callable[[str], None]) -> tuple[Weights, dict]:
    recipe = RECIPES[name]
    rng = np.random.default_rng(seed)
    w = new_weights(name, 2, 1, rng, recipe.dtype)

    def batch(w: Weights, rng: np.random.Generator):
        x, y = tasks.adding_problem(recipe.batch, recipe.T, rng)
        return model.adding_loss(w, x, y)

    losses = fit(w, recipe, batch, rng, log)
    return w, {"final_train_loss": float(np.mean(losses[-100:]))}


def train_char(name: str, seed: int, log: Callable[[str], None]) -> tuple[Weights, dict]:
    recipe = RECIPES[name]
    text = tasks.read_corpus(QUESTIONS_DIR)
    train_text, heldout_text = tasks.split_corpus(text, HELDOUT)
    vocab = tasks.make_vocab(text)
    ids = tasks.encode(train_text, vocab)
    rng = np.random.default_rng(seed)
    w = new_weights(name, len(vocab), len(vocab), rng, recipe.dtype)
    w.vocab = vocab
    eye = np.eye(len(vocab), dtype=recipe.dtype)

    def batch(w: Weights, rng: np.random.Generator):
        x_ids, labels = tasks.char_batch(ids, recipe.batch, recipe.T, rng)
        return model.char_loss(w, x_ids, labels, eye=eye)

    log(f"  corpus {len(text)} characters, vocabulary {len(vocab)}, held out {len(heldout_text)}")
    losses = fit(w, recipe, batch, rng, log)
    return w, {
        "final_train_bpc": float(np.mean(losses[-100:]) / np.log(2)),
        "corpus_chars": len(text),
        "corpus_sha256": tasks.sha256(text),
        "vocab_size": len(vocab),
        "heldout_text": heldout_text,
    }


def evaluate(name: str, w: Weights, extra: dict) -> dict:
    """The recorded metric, from the weights as loaded back from the shipped file."""
    if PRESETS[name].task == "adding":
        return {"test_mse": model.adding_mse(w, *adding_test_set())}
    ids = tasks.encode(extra["heldout_text"], w.vocab)
    return {"heldout_bpc": model.bits_per_char(w, ids)}


def train(name: str, seed: int = 0, out_dir: Path = WEIGHTS_DIR, log=print) -> dict:
    """Train one preset, write its .npz and return its metrics (also merged into metrics.json)."""
    preset, recipe = PRESETS[name], RECIPES[name]
    log(f"{name}: {preset.cell} H = {preset.hidden}, {recipe.steps} steps, seed {seed}")
    start = time.perf_counter()
    trainer = train_adding if preset.task == "adding" else train_char
    w, extra = trainer(name, seed, log)
    seconds = time.perf_counter() - start
    path = out_dir / preset.weights
    save_weights(path, w, dtype=np.dtype(recipe.save_dtype).type)
    shipped = load_weights(path, preset.cell)
    metrics = {
        "cell": preset.cell,
        "hidden": preset.hidden,
        "seed": seed,
        "steps": recipe.steps,
        "batch": recipe.batch,
        "train_seconds": round(seconds, 1),
        "file_bytes": path.stat().st_size,
        **evaluate(name, shipped, extra),
        **extra,
    }
    shown = {k: v for k, v in metrics.items() if k != "heldout_text"}
    log(f"{name}: {json.dumps(shown)}")
    metrics_file = out_dir / METRICS_FILE.name
    recorded = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.exists() else {}
    recorded[name] = metrics
    text = json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False)
    metrics_file.write_text(text + "\n", encoding="utf-8")
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.nn.train", description="Train presets.")
    parser.add_argument("preset", choices=[*TRAINED, "all"], help="a trained preset, or all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=WEIGHTS_DIR, help="where to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    names = TRAINED if args.preset == "all" else (args.preset,)
    for name in names:
        train(name, args.seed, args.out, log=lambda s: print(s, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
