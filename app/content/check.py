"""Validate the card files without starting the server: `python -m app.content.check [FOLDER]`.

Beyond what the loader refuses (a broken file), this holds the deck to the rules that keep its quiz
a test of knowledge rather than of test-taking (questions/README.md, "Quiz rules"):

- length: the keyed option is the strictly longest in at most 30% of multiple-choice items (and,
  so that rewriting does not plant the opposite cue, the strictly shortest in at most 30%), and
  within an item no option is longer than 1.6 times the median option length;
- balance: 45-55% of true/false statements are true, and every card has at least one of each;
- no fact twice: every item names the fact it tests (`fact:`), and no two items name the same
  one or repeat the same prompt;
- diagnosis: every card has at least one item with `skill: apply`;
- topics: every tag is on the canonical list in questions/README.md;
- recall: every card has its recall cues (questions/recall/NN-slug.yaml);
- tables: no column of a table in an answer has an empty header (screen readers read it out).

Exit status 0 and the deck's statistics when all hold; 1 and every problem otherwise.
"""

import html
import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.content.errors import ContentError
from app.content.loader import TOUR_FOLDER, load_deck
from app.content.model import Card, Deck, MultipleChoice, Text, TrueFalse
from app.nn.interventions import QUANTITIES
from app.nn.presets import PRESET_NAMES, PRESETS
from app.nn.units import ADDING_FEATURES, CHAR_FEATURES

# Which lab views make sense for each kind of preset.
TOUR_TABS = {
    "adding": {"gates", "units", "compare", "train"},
    "char": {"gates", "units", "sample"},
    "gradients": {"gradients", "gates", "train"},
}


def tour_problem(card: Card) -> str | None:
    """What is wrong with a card's lab tour given its preset, or None. (The loader has already
    checked each step's form; this needs the presets, which the loader is not given.)"""
    where = f"{card.path}: lab tour (questions/{TOUR_FOLDER}/)"
    if not card.tour:
        return f"{where}: questions/{TOUR_FOLDER}/ has no file for it"
    p = PRESETS[card.lab.preset]
    shown = set(QUANTITIES[p.cell])
    features = CHAR_FEATURES if p.task == "char" else ADDING_FEATURES
    for k, step in enumerate(card.tour):
        field = f"{where} steps[{k}]"
        if step.tab is not None and step.tab not in TOUR_TABS[p.task]:
            return f"{field}.tab: {p.name} ({p.task}) has no use for the {step.tab} view"
        if step.gate is not None and step.gate not in shown:
            return f"{field}.gate: the {p.cell.upper()} of {p.name} has no {step.gate}"
        if step.unit is not None and step.unit > p.hidden:
            return f"{field}.unit: {p.name} has only {p.hidden} units"
        if step.hold is not None:
            q, unit = step.hold.split(".")[:2]
            if p.task == "gradients" or q not in shown or int(unit) > p.hidden:
                return f"{field}.hold: {step.hold!r} cannot be held in {p.name}"
        if step.feature is not None and step.feature not in features:
            return f"{field}.feature: {p.name} knows {', '.join(features)}"
    return None


MAX_KEYED_LONGEST = 0.30  # share of MC items whose keyed option is the strictly longest
MAX_KEYED_SHORTEST = 0.30  # ... or the strictly shortest: the same cue turned round
EMPTY_HEADER = re.compile(r"<th[^>]*>\s*</th>")
MAX_OPTION_RATIO = 1.6  # longest option / median option length, within an item
TRUE_SHARE = (0.45, 0.55)  # share of true/false statements keyed true
TAG_LINE = re.compile(r"^- `(?P<tag>[a-z0-9]+(?:-[a-z0-9]+)*)`")
TAGS_HEADING = "## Tags"


def visible_length(text: Text) -> int:
    """Characters the learner sees: the rendered HTML without tags (MathML shows its symbols
    only), so `\\mathrm{diag}(f_t)` counts as 'diag(ft)', not as its LaTeX source."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text.html))
    return len(" ".join(plain.split()))


def canonical_tags(readme: Path) -> tuple[str, ...]:
    """The `- \\`tag\\`` lines under the README's '## Tags' heading."""
    if not readme.is_file():
        raise ContentError(str(readme), "file", "is missing; it holds the canonical tag list")
    tags: list[str] = []
    inside = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip() == TAGS_HEADING
        elif inside and (m := TAG_LINE.match(line)):
            tags.append(m["tag"])
    if not tags:
        raise ContentError(str(readme), TAGS_HEADING, "lists no tags ('- `tag`: meaning' lines)")
    return tuple(tags)


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@dataclass
class Report:
    """What the check found: statistics to print and problems that fail it."""

    cards: int = 0
    mcq: int = 0
    true_false: int = 0
    keyed_longest: int = 0
    keyed_shortest: int = 0
    true_keys: int = 0
    apply_items: int = 0
    worst_ratio: float = 0.0
    key_positions: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        keyed = self.keyed_longest / self.mcq if self.mcq else 0.0
        shortest = self.keyed_shortest / self.mcq if self.mcq else 0.0
        true = self.true_keys / self.true_false if self.true_false else 0.0
        positions = " ".join(f"{'ABCD'[i]}={self.key_positions[i]}" for i in range(4))
        return [
            f"{self.cards} cards, {self.mcq + self.true_false} quiz items"
            f" ({self.mcq} multiple choice, {self.true_false} true/false,"
            f" {self.apply_items} asking to apply the idea)",
            f"keyed option strictly longest: {self.keyed_longest}/{self.mcq} = {keyed:.0%}"
            f" (at most {MAX_KEYED_LONGEST:.0%})",
            f"keyed option strictly shortest: {self.keyed_shortest}/{self.mcq} = {shortest:.0%}"
            f" (at most {MAX_KEYED_SHORTEST:.0%})",
            f"longest option / median option, worst item: {self.worst_ratio:.2f}"
            f" (at most {MAX_OPTION_RATIO})",
            f"true/false keyed true: {self.true_keys}/{self.true_false} = {true:.0%}"
            f" ({TRUE_SHARE[0]:.0%}-{TRUE_SHARE[1]:.0%})",
            f"keyed option's position in the files (shuffled when served): {positions}",
            f"{len(self.tags)} tags: "
            + ", ".join(f"{t} {n}" for t, n in sorted(self.tags.items())),
        ]


def _check_options(item: MultipleChoice, where: str, report: Report) -> None:
    """Count where the keyed option sits and how long it is against the others."""
    problems = report.problems
    report.mcq += 1
    report.key_positions[item.correct_index] += 1
    lengths = [visible_length(o.text) for o in item.options]
    keyed = lengths[item.correct_index]
    others = [n for i, n in enumerate(lengths) if i != item.correct_index]
    report.keyed_longest += all(keyed > n for n in others)
    report.keyed_shortest += all(keyed < n for n in others)
    ratio = max(lengths) / statistics.median(lengths)
    report.worst_ratio = max(report.worst_ratio, ratio)
    if ratio > MAX_OPTION_RATIO:
        problems.append(
            f"{where}: an option is {ratio:.2f}x the median option length"
            f" (at most {MAX_OPTION_RATIO}); lengths {lengths}"
        )


def _check_balance(report: Report) -> None:
    """Deck-wide: the keyed option is not given away by its length; true and false balance."""
    problems = report.problems
    if report.mcq and report.keyed_longest / report.mcq > MAX_KEYED_LONGEST:
        problems.append(
            f"deck: the keyed option is the strictly longest in {report.keyed_longest} of"
            f" {report.mcq} multiple-choice items (at most {MAX_KEYED_LONGEST:.0%})"
        )
    if report.mcq and report.keyed_shortest / report.mcq > MAX_KEYED_SHORTEST:
        problems.append(
            f"deck: the keyed option is the strictly shortest in {report.keyed_shortest} of"
            f" {report.mcq} multiple-choice items (at most {MAX_KEYED_SHORTEST:.0%})"
        )
    if report.true_false:
        share = report.true_keys / report.true_false
        if not TRUE_SHARE[0] <= share <= TRUE_SHARE[1]:
            problems.append(
                f"deck: {report.true_keys} of {report.true_false} true/false statements are"
                f" true = {share:.0%} (must be {TRUE_SHARE[0]:.0%}-{TRUE_SHARE[1]:.0%})"
            )


def check_deck(deck: Deck, tags: tuple[str, ...]) -> Report:
    report = Report(cards=len(deck))
    problems = report.problems
    allowed = set(tags)
    facts: dict[str, str] = {}
    prompts: dict[str, str] = {}
    for card in deck:
        report.tags.update(card.tags)
        if problem := tour_problem(card):
            problems.append(problem)
        if EMPTY_HEADER.search(card.full_answer.html):
            # A screen reader announces each cell with its column's header: none is left blank.
            problems.append(f"{card.path}: answer: a table has a column with an empty header")
        for tag in card.tags:
            if tag not in allowed:
                problems.append(
                    f"{card.path}: tags: {tag!r} is not on the canonical list in README.md"
                )
        answers = {True: 0, False: 0}
        applies = 0
        for item in card.quiz:
            applies += item.skill == "apply"
            where = f"{card.path}: {item.id}"
            if not item.fact:
                problems.append(f"{where}: names no `fact:` (what it tests, unique in the deck)")
            elif item.fact in facts:
                problems.append(
                    f"{where}: fact {item.fact!r} is already asked by {facts[item.fact]}"
                )
            else:
                facts[item.fact] = item.id
            text = item.prompt if isinstance(item, MultipleChoice) else item.statement
            said = normalise(text.source)
            if said in prompts:
                problems.append(f"{where}: repeats the wording of {prompts[said]}")
            prompts.setdefault(said, item.id)
            if isinstance(item, TrueFalse):
                report.true_false += 1
                report.true_keys += item.answer
                answers[item.answer] += 1
                continue
            _check_options(item, where, report)
        report.apply_items += applies
        if not card.cues:
            problems.append(f"{card.path}: recall cues: questions/recall/ has no file for it")
        if not (answers[True] and answers[False]):
            problems.append(
                f"{card.path}: quiz: needs at least one true and one false statement,"
                f" has {answers[True]} true and {answers[False]} false"
            )
        if not applies:
            problems.append(f"{card.path}: quiz: needs at least one item with `skill: apply`")
    _check_balance(report)
    return report


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("questions")
    try:
        deck = load_deck(folder, PRESET_NAMES)
        tags = canonical_tags(folder / "README.md")
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = check_deck(deck, tags)
    for line in report.lines():
        print(line)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problems in {folder}", file=sys.stderr)
        return 1
    print(f"ok: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
