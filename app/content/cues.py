"""Cue phrases for the recall detector: their grammar, the text normaliser, and the file loader.

A card's key points are the interviewer's checklist; `questions/recall/NN-slug.yaml` says, per key
point, which phrasings of it count (`cues`) and which claims contradict it (`against`). The same
normaliser reads the cues at start-up and the learner's answer at check time, so "σ", "\\sigma",
"sigma" and "sigmoid", or "c_{t-1}", "c(t-1)" and "c_t−1", become the same token.

Grammar (documented in questions/README.md): a cue is a list of terms that must all occur in one
sentence of the answer; a term lists alternatives separated by `|`; an alternative is one or more
words (in order, at most one other word between neighbours); a word ending in `*` matches any
word that starts with it.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.content.errors import ContentError

# --- the normaliser ------------------------------------------------------------------------------

# Raw tokens, most specific first. Offsets index the original text, so evidence quotes the learner.
_RAW = re.compile(
    # c_{t-1}, c(t-1), c_t−1 → cprev
    r"(?P<prev>(?<![A-Za-z0-9])[A-Za-z]\s*_?\s*[{(\[]?\s*t\s*[-−–]\s*1\s*[})\]]?)"
    r"|(?P<sub>(?<![A-Za-z0-9])[A-Za-z]_\{?[A-Za-z0-9]{1,3}\}?)"  # c_t → ct, W_{hh} → whh
    r"|(?P<cmd>\\[A-Za-z]+)"  # \sigma, \odot
    r"|(?P<word>[A-Za-z0-9]+(?:['’][A-Za-z]+)?)"
    r"|(?P<sym>[σ⊙∘∂δ∏∑Σγφ²≫→⇒←≈×])"
)
_SYMBOLS = {
    "σ": "sigmoid",
    "⊙": "odot",
    "∘": "odot",
    "∂": "partial",
    "δ": "delta",
    "∏": "prod",
    "∑": "sum",
    "Σ": "sum",
    "γ": "gamma",
    "φ": "phi",
    "²": "squar",
    "≫": "much",
    "→": "give",
    "⇒": "give",
    "←": "from",
    "≈": "about",
    "×": "time",
}
# Canonical stems for words a learner uses interchangeably.
_SYNONYMS = {"sigma": "sigmoid", "logistic": "sigmoid", "hadamard": "odot", "cannot": "can"}
_TYPED_CONTRACTIONS = frozenset(
    [
        "doesnt",
        "dont",
        "isnt",
        "cant",
        "wont",
        "didnt",
        "wasnt",
        "arent",
        "hasnt",
        "havent",
        "couldnt",
        "wouldnt",
        "shouldnt",
    ]
)
_HEADS = {"ca": "can", "won": "will", "wo": "will"}  # can't → can not, won't → will not
# Dropped before matching: words whose presence never decides a key point.
STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "it",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "of",
        "this",
        "that",
        "these",
        "those",
        "which",
        "to",
        "s",
        "also",
        "very",
        "their",
        "there",
        "here",
    ]
)
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bcf)[.!?](?=\s|$)|\n")
_CLAUSE_END = re.compile(r"[,:;()]|\b(?:but|whereas|while|though|because|since|so)\b", re.I)


def stem(word: str) -> str:
    """A light, consistent stemmer: cue and answer go through the same one, so forms meet."""
    w = word
    if w.isdigit() or len(w) <= 3:
        return w
    for a, b in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize")):
        if w.endswith(a):
            w = w[: -len(a)] + b
            break
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]  # stopped → stop, summed → sum
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]  # gate, gated, gating → gat
    if w.endswith("y") and len(w) > 3:
        w = w[:-1] + "i"  # multiply, multiplies → multipli
    return _SYNONYMS.get(w, w)


# A term with one of these among the few words before it (same clause) is denied, not claimed.
_NEGATOR_WORDS = [
    "not",
    "no",
    "never",
    "without",
    "nor",
    "neither",
    "none",
    "unlike",
    "instead",
    "rather",
    "nothing",
    "hardly",
]
NEGATORS = frozenset(stem(w) for w in _NEGATOR_WORDS)  # compared with stemmed words


def _words(match: re.Match) -> list[str]:
    kind = match.lastgroup
    text = match.group()
    if kind == "prev":
        return [text.strip()[0].lower() + "prev"]
    if kind == "sub":
        return [re.sub(r"[_{}]", "", text).lower()]
    if kind == "cmd":
        return [stem(text[1:].lower())]
    if kind == "sym":
        return [_SYMBOLS[text]]
    w = text.lower().replace("’", "'")
    if w.endswith("n't"):
        return [stem(_HEADS.get(w[:-3], w[:-3])), "not"]
    if "'" in w:
        w = w.split("'")[0]  # cell's → cell
    if w == "cannot":
        return ["can", "not"]
    if w in _TYPED_CONTRACTIONS:  # "doesnt", "cant": the apostrophe left out
        return [stem(_HEADS.get(w[:-2], w[:-2])), "not"]
    return [] if w in STOPWORDS else [stem(w)]


@dataclass(frozen=True, slots=True)
class Token:
    word: str  # normalised (lower-cased, stemmed, symbols named)
    start: int  # offsets in the original text
    end: int
    sentence: int
    clause: int


def tokenize(text: str) -> list[Token]:
    """The text's words, normalised, with where they came from (stopwords dropped)."""
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    clause_ends = sorted(sentence_ends + [m.end() for m in _CLAUSE_END.finditer(text)])
    out: list[Token] = []
    for match in _RAW.finditer(text):
        s, c = bisect_right(sentence_ends, match.start()), bisect_right(clause_ends, match.start())
        for word in _words(match):
            if word:
                out.append(Token(word, match.start(), match.end(), s, c))
    return out


# --- the cue grammar -----------------------------------------------------------------------------

Phrase = tuple[str, ...]  # normalised words; one ending in "*" is a prefix


@dataclass(frozen=True, slots=True)
class Term:
    source: str
    phrases: tuple[Phrase, ...]  # alternatives


@dataclass(frozen=True, slots=True)
class Cue:
    source: str
    terms: tuple[Term, ...]  # all of them, in one sentence


@dataclass(frozen=True, slots=True)
class PointCues:
    """How to hear one key point in an answer, and what contradicts it."""

    cues: tuple[Cue, ...]
    against: tuple[Cue, ...]


def parse_term(source: str, where: str, fail) -> Term:
    if not isinstance(source, str | int | float) or isinstance(source, bool):
        raise fail(where, "must be a string of alternatives separated by '|'")
    phrases: list[Phrase] = []
    for alternative in str(source).split("|"):
        # A prefix is taken literally (lower-cased), never stemmed: "multipl*" stays "multipl".
        prefixes: dict[str, str] = {}

        def mark(m: re.Match, prefixes=prefixes) -> str:
            # Stemmed like the answer's words are: "sequence*" must meet "sequences" → "sequenc".
            prefixes[f"qqprefix{len(prefixes)}"] = stem(m.group(1).lower())
            return f" qqprefix{len(prefixes) - 1} "

        marked = re.sub(r"([A-Za-z0-9]+)\*", mark, alternative)
        if "*" in marked:
            raise fail(where, f"'*' must follow a word, in {alternative.strip()!r}")
        words = []
        for token in tokenize(marked):
            if token.word in prefixes:
                prefix = prefixes[token.word]
                if len(prefix) < 2:
                    raise fail(where, f"prefix {prefix!r}* needs at least two characters")
                words.append(prefix + "*")
            else:
                words.append(token.word)
        if not words:
            raise fail(where, f"alternative {alternative.strip()!r} has no word that can match")
        phrases.append(tuple(words))
    return Term(str(source), tuple(phrases))


def parse_cue(value: Any, where: str, fail) -> Cue:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise fail(where, "must be a list of terms (strings), all of which must occur")
    terms = tuple(parse_term(term, f"{where}[{i}]", fail) for i, term in enumerate(value))
    return Cue(" + ".join(t.source for t in terms), terms)


def parse_cue_file(path: Path, points: int) -> tuple[PointCues, ...]:
    """The cue file of one card, checked against its number of key points."""
    name = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"

    def fail(field: str, problem: str) -> ContentError:
        return ContentError(name, field, problem)

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise fail("file", f"is not valid YAML text: {exc}") from exc
    entries = data.get("key_points") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise fail("key_points", "is missing: a list with one entry per key point")
    if len(entries) != points:
        raise fail("key_points", f"has {len(entries)} entries, the card has {points} key points")
    out = []
    for i, entry in enumerate(entries):
        field = f"key_points[{i}]"
        if not isinstance(entry, dict):
            raise fail(field, "must be a mapping with 'cues' and optionally 'against'")
        unknown = set(entry) - {"point", "cues", "against"}
        if unknown:
            raise fail(field, f"unknown field {sorted(unknown)[0]!r} (known: point, cues, against)")
        cues = entry.get("cues")
        if not isinstance(cues, list) or not cues:
            raise fail(f"{field}.cues", "needs at least one cue")
        against = entry.get("against") or []
        if not isinstance(against, list):
            raise fail(f"{field}.against", "must be a list of cues")
        out.append(
            PointCues(
                tuple(parse_cue(c, f"{field}.cues[{j}]", fail) for j, c in enumerate(cues)),
                tuple(parse_cue(c, f"{field}.against[{j}]", fail) for j, c in enumerate(against)),
            )
        )
    return tuple(out)
