"""Find the units that track something (as LSTMVis does): named per-step features of an input
and every unit ranked by the absolute Pearson correlation of its series with a target.

Shapes: T time, H hidden. A feature's value at step t describes the input read so far, up to
and including step t (that is what h_t can know).
"""

import numpy as np

QUOTES = {'"': None, "“": "open", "”": "close"}  # straight quotes toggle; curly ones say which
OPENING, CLOSING = "([{", ")]}"
VOWELS = frozenset("aeiouAEIOU")

CHAR_FEATURES: dict[str, str] = {
    "inside-quotes": "1 from an opening double quote up to (not including) its closing one",
    "inside-parens": "1 while a bracket ( [ { read so far is still open",
    "position-in-word": "letters read since the word began (1, 2, 3, …); 0 outside a word",
    "after-newline": "1 on the first character after a line break",
    "is-vowel": "1 on a vowel (a e i o u)",
    "is-space": "1 on a space or line break",
}
ADDING_FEATURES: dict[str, str] = {
    "after-first-marker": "1 from the first marked step on",
    "running-sum": "the sum of the marked values read so far",
}


def char_feature(name: str, text: str) -> np.ndarray:
    """The named feature of text, (T,) float64 with T = len(text). KeyError for another name."""
    T = len(text)
    out = np.zeros(T)
    if name == "inside-quotes":
        inside = False
        for t, ch in enumerate(text):
            if ch in QUOTES:  # a straight quote opens when outside and closes when inside
                inside = not inside if QUOTES[ch] is None else QUOTES[ch] == "open"
            out[t] = inside
    elif name == "inside-parens":
        depth = 0
        for t, ch in enumerate(text):
            depth += (ch in OPENING) - (ch in CLOSING and depth > 0)
            out[t] = depth > 0
    elif name == "position-in-word":
        run = 0
        for t, ch in enumerate(text):
            run = run + 1 if ch.isalpha() else 0
            out[t] = run
    elif name == "after-newline":
        out[1:] = [prev == "\n" for prev in text[:-1]]
    elif name == "is-vowel":
        out[:] = [ch in VOWELS for ch in text]
    elif name == "is-space":
        out[:] = [ch.isspace() for ch in text]
    else:
        raise KeyError(name)
    return out


def adding_feature(name: str, x: np.ndarray) -> np.ndarray:
    """The named feature of an adding-problem input x (T, 2) = [value, marker], (T,) float64."""
    marked = x[:, 1] == 1.0
    if name == "after-first-marker":
        return (np.cumsum(marked) > 0).astype(np.float64)  # 1 from the first marked step on
    if name == "running-sum":
        return np.cumsum(np.where(marked, x[:, 0], 0.0))  # Σ_{s ≤ t} value_s · marker_s
    raise KeyError(name)


def rank_units(series: np.ndarray, target: np.ndarray) -> list[tuple[int, float]]:
    """Every unit as (unit, r), r the Pearson correlation of series[:, unit] with target, sorted
    by |r| descending (ties: lower unit first). series (T, H); target (T,) not constant.

    r = Σ (s - s̄)(y - ȳ) / √(Σ (s - s̄)² Σ (y - ȳ)²); a constant unit has r = 0.
    """
    s = series - series.mean(axis=0)  # (T, H)
    y = target - target.mean()  # (T,)
    num = y @ s  # (H,)
    den = np.sqrt((s * s).sum(axis=0) * (y @ y))
    scale = np.abs(series).max(axis=0) + np.abs(target).max() + 1.0
    flat = den <= 1e-12 * scale * scale  # a constant unit: no linear relation to report
    r = np.where(flat, 0.0, num / np.where(flat, 1.0, den))
    r = np.clip(r, -1.0, 1.0)  # rounding can leave |r| a hair above 1
    order = sorted(range(len(r)), key=lambda u: (-abs(r[u]), u))
    return [(u, float(r[u])) for u in order]
