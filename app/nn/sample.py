"""Sample text from a character model, one character at a time from the state after a prime.

Shapes: T time, V vocabulary, H hidden. p(next = k) ∝ exp(logit_k / τ) at temperature τ > 0;
τ = 0 is greedy (always the most probable character).
"""

import numpy as np

from app.nn import model, tasks
from app.nn.activations import softmax
from app.nn.params import Weights

TOP_K = 5


def sample(w: Weights, prime: str, length: int, temperature: float, seed: int) -> dict:
    """Read `prime`, then generate `length` characters.

    Returns {"prime", "text" (the generated characters only), "temperature", "seed", "chars":
    per generated character {"char", "p" (the model's probability of it, at τ = 1), "top5":
    five [character, probability] pairs}}. Raises ValueError naming a character of prime that
    is not in the vocabulary.
    """
    assert w.vocab is not None and w.head is not None, "sampling needs a character model"
    ids = tasks.encode(prime, w.vocab)
    eye = np.eye(w.D)
    trace, logits = model.predict(w, eye[ids][:, None, :])  # (T, 1, V)
    h, c = trace.h[-1], None if trace.c is None else trace.c[-1]  # the state after the prime
    z = logits[-1, 0]  # (V,) logits of the first generated character
    rng = np.random.default_rng(seed)
    chars = []
    for _ in range(length):
        probs = softmax(z[None])[0]  # the model's own distribution (τ = 1)
        if temperature == 0:
            k = int(np.argmax(probs))  # greedy: ties go to the lower id, as argmax does
        else:
            k = int(rng.choice(w.D, p=softmax(z[None] / temperature)[0]))  # p ∝ exp(z / τ)
        top = np.argsort(-probs, kind="stable")[:TOP_K]
        chars.append(
            {
                "char": w.vocab[k],
                "p": float(probs[k]),
                "top5": [[w.vocab[j], float(probs[j])] for j in top],
            }
        )
        trace, y = model.predict(w, eye[[k]][:, None, :], h, c)  # feed the character back
        h, c = trace.h[-1], None if trace.c is None else trace.c[-1]
        z = y[-1, 0]
    return {
        "prime": prime,
        "text": "".join(ch["char"] for ch in chars),
        "temperature": temperature,
        "seed": seed,
        "chars": chars,
    }
