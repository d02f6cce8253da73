"""Which key points a typed answer covered, with the words that show it, and a suggested rating.

Pure and offline: the card's authored cues (app/content/cues.py) against the answer's normalised
words. A key point is covered when one of its cues has all its terms in one sentence, none of them
negated ("not", "no", "rather than", ... among the three words before it in the same clause), and
none of its `against` cues (the misconception stated) occurs anywhere in the answer. Words of five
letters or more also match with one typo (two from ten letters), digits never do.

Measured on a labelled set in bench/recall/ (figures in README.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.content.cues import NEGATORS, Cue, Phrase, PointCues, Term, Token, tokenize
from app.study.scheduling import Rating

MAX_ANSWER_CHARS = 4000  # about four minutes of speech; checked before any work
NEGATION_WINDOW = 3  # words before a term that can deny it
QUICK_MS = 90_000  # "all and quick" earns Easy
MAX_EVIDENCE_CHARS = 160


@dataclass(frozen=True, slots=True)
class PointResult:
    index: int
    covered: bool
    evidence: str | None  # the learner's own words that matched


@dataclass(frozen=True, slots=True)
class RecallResult:
    points: tuple[PointResult, ...]

    @property
    def covered(self) -> int:
        return sum(p.covered for p in self.points)

    @property
    def coverage(self) -> float:
        return self.covered / len(self.points) if self.points else 0.0


def suggest_rating(covered: int, total: int, duration_ms: int | None) -> Rating:
    """None → Again, some → Hard, most (more than half) → Good, all and quick → Easy."""
    if covered == 0 or total == 0:
        return Rating.AGAIN
    if covered == total and duration_ms is not None and duration_ms <= QUICK_MS:
        return Rating.EASY
    return Rating.GOOD if covered * 2 > total else Rating.HARD


def _within(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of a and b is at most 1 (at most 2 from ten letters)."""
    limit = 2 if min(len(a), len(b)) >= 10 else 1
    if abs(len(a) - len(b)) > limit:
        return False
    # Banded dynamic programme; small words, so plain lists are fast enough.
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


class _Answer:
    """An answer's tokens, indexed by word and by sentence, with per-word lookups cached."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at: dict[tuple[int, str], list[int]] = {}  # (sentence, word) -> token indices
        self.sentences: dict[str, set[int]] = {}  # word -> sentences holding it
        for i, token in enumerate(self.tokens):
            self.at.setdefault((token.sentence, token.word), []).append(i)
            self.sentences.setdefault(token.word, set()).add(token.sentence)
        # Typo candidates share the first letter: a learner rarely misspells that one.
        self.by_initial: dict[str, list[str]] = {}
        for word in self.sentences:
            if len(word) >= 5 and word.isalpha():
                self.by_initial.setdefault(word[0], []).append(word)
        self._forms: dict[str, tuple[str, ...]] = {}

    def forms(self, word: str) -> tuple[str, ...]:
        """The answer's words that count as `word` (exact, prefix, or one typo away)."""
        found = self._forms.get(word)
        if found is None:
            if word.endswith("*"):
                prefix = word[:-1]
                found = tuple(w for w in self.sentences if w.startswith(prefix))
            elif word in self.sentences:
                found = (word,)
            elif len(word) >= 5 and word.isalpha():
                found = tuple(w for w in self.by_initial.get(word[0], ()) if _within(w, word))
            else:
                found = ()
            self._forms[word] = found
        return found

    def negated(self, i: int) -> bool:
        token = self.tokens[i]
        for j in range(max(0, i - NEGATION_WINDOW), i):
            other = self.tokens[j]
            if other.clause == token.clause and other.word in NEGATORS:
                return True
        return False

    def phrase_at(self, phrase: Phrase, i: int) -> int | None:
        """Index of the last token of `phrase` starting at token i, or None."""
        tokens = self.tokens
        pos = i
        for word in phrase[1:]:
            forms = self.forms(word)
            for nxt in (pos + 1, pos + 2):  # at most one other word between
                if (
                    nxt < len(tokens)
                    and tokens[nxt].sentence == tokens[i].sentence
                    and tokens[nxt].word in forms
                ):
                    pos = nxt
                    break
            else:
                return None
        return pos

    def term_sentences(self, term: Term) -> set[int]:
        """Sentences that hold the first word of some alternative of `term` (a cheap filter)."""
        out: set[int] = set()
        for phrase in term.phrases:
            for form in self.forms(phrase[0]):
                out |= self.sentences[form]
        return out

    def term_in(self, term: Term, sentence: int) -> tuple[int, int] | None:
        """(first, last) token of an alternative of `term`, not negated, in `sentence`."""
        for phrase in term.phrases:
            for form in self.forms(phrase[0]):
                for i in self.at.get((sentence, form), ()):
                    last = self.phrase_at(phrase, i)
                    if last is not None and not self.negated(i):
                        return i, last
        return None

    def find(self, cue: Cue) -> tuple[int, int] | None:
        """(start, end) character span of the first sentence holding every term of `cue`."""
        candidates: set[int] | None = None
        for term in cue.terms:
            held = self.term_sentences(term)
            candidates = held if candidates is None else candidates & held
            if not candidates:
                return None
        for sentence in sorted(candidates or ()):
            spans = []
            for term in cue.terms:
                span = self.term_in(term, sentence)
                if span is None:
                    break
                spans.append(span)
            else:
                first = min(a for a, _ in spans)
                last = max(b for _, b in spans)
                return self.tokens[first].start, self.tokens[last].end
        return None


def _evidence(text: str, start: int, end: int) -> str:
    quote = " ".join(text[start:end].split())
    if len(quote) > MAX_EVIDENCE_CHARS:
        quote = quote[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
    return quote


def check(cues: Sequence[PointCues], answer: str) -> RecallResult:
    """Which of a card's key points (given as their cues) the answer covers."""
    parsed = _Answer(answer[:MAX_ANSWER_CHARS])
    points = []
    for index, point in enumerate(cues):
        span = None
        if not any(parsed.find(c) for c in point.against):
            span = next((s for c in point.cues if (s := parsed.find(c))), None)
        evidence = _evidence(parsed.text, *span) if span else None
        points.append(PointResult(index, span is not None, evidence))
    return RecallResult(tuple(points))


__all__ = ["MAX_ANSWER_CHARS", "PointResult", "RecallResult", "Token", "check", "suggest_rating"]
