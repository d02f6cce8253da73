"""Load `questions/NN-slug.md` files into a validated, immutable Deck.

A file is YAML front matter between `---` lines followed by five `##` sections (the format is
documented in questions/README.md). Any problem raises ContentError naming the file, the field and
the problem, so a broken file stops start-up instead of serving half a card.
"""

import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import yaml

from app.content.cues import parse_cue_file
from app.content.errors import ContentError
from app.content.model import (
    Card,
    Deck,
    Difficulty,
    FollowUp,
    LabLink,
    Misconception,
    MultipleChoice,
    Option,
    QuizItem,
    Reference,
    Text,
    TourStep,
    TrueFalse,
)
from app.content.render import MathError, render_block, render_inline

FILE_NAME = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://[^\s]+$")
SECTIONS = (
    "Short answer",
    "Full answer",
    "Key points",
    "Common misconceptions",
    "Follow-up questions",
)
OPTIONS_PER_QUESTION = 4
SKILLS = ("recall", "apply")
CUES_FOLDER = "recall"
TOUR_FOLDER = "lab"
TOUR_TABS = ("gates", "units", "sample", "compare", "gradients", "train")
TOUR_QUANTITIES = ("i", "f", "g", "o", "c", "h", "r", "z", "n")
TOUR_FIELDS = ("text", "tab", "gate", "unit", "step", "hold", "feature")
MIN_TOUR, MAX_TOUR = 2, 5  # steps after "what to look for": 3 to 6 in all
MAX_TOUR_TEXT = 400
HOLD = re.compile(r"^[ifgochrzn]\.\d{1,3}\.\d{1,3}\.\d{1,3}\.-?\d+(\.\d+)?$")


class _File:
    """Validation helpers bound to one file, so every error names it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, field: str, problem: str) -> ContentError:
        return ContentError(self.path, field, problem)

    def require(self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], field: str):
        if not isinstance(data, dict) or key not in data or data[key] is None:
            raise self.fail(field, "is missing")
        value = data[key]
        if kind is str and isinstance(value, str) and not value.strip():
            raise self.fail(field, "is empty")
        # bool is an int in Python; a year of `true` is still wrong.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(field, f"must be {names}, got {type(value).__name__}")
        return value

    def text(self, source: str, field: str, *, block: bool = False) -> Text:
        render: Callable[[str], str] = render_block if block else render_inline
        try:
            return Text(source.strip(), render(source.strip()))
        except MathError as exc:
            raise self.fail(field, str(exc)) from exc


def split_front_matter(raw: str, f: _File) -> tuple[dict[str, Any], str]:
    if not raw.startswith("---\n"):
        raise f.fail("front matter", "the file must start with a '---' line")
    end = raw.find("\n---\n", 4)
    if end < 0:
        raise f.fail("front matter", "no closing '---' line")
    try:
        data = yaml.safe_load(raw[4:end])
    except yaml.YAMLError as exc:
        raise f.fail("front matter", f"is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise f.fail("front matter", "must be a YAML mapping")
    return data, raw[end + 5 :]


def split_headings(body: str, marker: str) -> list[tuple[str, str]]:
    """[(heading, text under it)] for lines starting with `marker` ('## ' or '### ')."""
    parts: list[tuple[str, str]] = []
    lines: list[str] = []
    heading: str | None = None
    for line in body.splitlines():
        if line.startswith(marker):
            if heading is not None:
                parts.append((heading, "\n".join(lines).strip()))
            heading, lines = line[len(marker) :].strip(), []
        elif heading is None:
            if line.strip():
                parts.append(("", line))  # text before the first heading: reported by the caller
        else:
            lines.append(line)
    if heading is not None:
        parts.append((heading, "\n".join(lines).strip()))
    return parts


def parse_sections(body: str, f: _File) -> dict[str, str]:
    parts = split_headings(body, "## ")
    if parts and parts[0][0] == "":
        raise f.fail("body", "text before the first '## ' section")
    found = [heading for heading, _ in parts]
    if found != list(SECTIONS):
        missing = [s for s in SECTIONS if s not in found]
        if missing:
            raise f.fail(f"section '{missing[0]}'", "is missing")
        raise f.fail("sections", f"must be exactly {list(SECTIONS)} in that order, got {found}")
    sections = dict(parts)
    for name, text in sections.items():
        if not text:
            raise f.fail(f"section '{name}'", "is empty")
    return sections


def parse_bullets(text: str, field: str, f: _File) -> tuple[Text, ...]:
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith(("- ", "* ")):
            items.append(line[2:])
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()  # a wrapped item
        elif line.strip():
            raise f.fail(field, f"every line must be a '- ' list item, got {line[:40]!r}")
    if not items:
        raise f.fail(field, "needs at least one '- ' list item")
    return tuple(f.text(item, f"{field}[{i}]") for i, item in enumerate(items))


def parse_subsections(text: str, field: str, f: _File) -> list[tuple[Text, Text]]:
    parts = split_headings(text, "### ")
    if not parts or parts[0][0] == "":
        raise f.fail(field, "must be made of '### ' headings, each with a paragraph under it")
    out = []
    for i, (heading, under) in enumerate(parts):
        if not under:
            raise f.fail(f"{field}[{i}]", f"'{heading}' has no text under it")
        out.append((f.text(heading, f"{field}[{i}]"), f.text(under, f"{field}[{i}]", block=True)))
    return out


def parse_references(data: dict[str, Any], f: _File) -> tuple[Reference, ...]:
    refs = f.require(data, "references", list, "references")
    if not refs:
        raise f.fail("references", "needs at least one reference")
    out = []
    for i, ref in enumerate(refs):
        field = f"references[{i}]"
        if not isinstance(ref, dict):
            raise f.fail(field, "must be a mapping with authors, title, year, venue, url")
        url = f.require(ref, "url", str, f"{field}.url")
        if not URL.match(url):
            raise f.fail(f"{field}.url", f"must be an http(s) URL or DOI link, got {url!r}")
        year = f.require(ref, "year", int, f"{field}.year")
        if not 1900 <= year <= 2100:
            raise f.fail(f"{field}.year", f"{year} is not a plausible year")
        out.append(
            Reference(
                authors=f.require(ref, "authors", str, f"{field}.authors"),
                title=f.require(ref, "title", str, f"{field}.title"),
                year=year,
                venue=f.require(ref, "venue", str, f"{field}.venue"),
                url=url,
            )
        )
    return tuple(out)


def parse_item_tags(item: dict[str, Any], field: str, f: _File) -> tuple[str, str]:
    """An item's optional `fact` (a slug naming what it tests) and `skill` (recall or apply)."""
    fact = item.get("fact", "")
    if not isinstance(fact, str) or (fact and not SLUG.match(fact)):
        raise f.fail(f"{field}.fact", "must be lower-case words joined by '-'")
    skill = item.get("skill", "recall")
    if skill not in SKILLS:
        raise f.fail(f"{field}.skill", f"must be 'recall' or 'apply', got {skill!r}")
    return fact, skill


def parse_quiz(data: dict[str, Any], slug: str, f: _File) -> tuple[QuizItem, ...]:
    items = data.get("quiz") or []
    if not isinstance(items, list):
        raise f.fail("quiz", "must be a list of items")
    out: list[QuizItem] = []
    for i, item in enumerate(items):
        field = f"quiz[{i}]"
        kind = f.require(item, "kind", str, f"{field}.kind")
        fact, skill = parse_item_tags(item, field, f)
        if kind == "mcq":
            options = f.require(item, "options", list, f"{field}.options")
            if len(options) != OPTIONS_PER_QUESTION:
                raise f.fail(f"{field}.options", f"needs exactly 4 options, got {len(options)}")
            parsed = []
            for j, opt in enumerate(options):
                ofield = f"{field}.options[{j}]"
                parsed.append(
                    Option(
                        text=f.text(f.require(opt, "text", str, f"{ofield}.text"), ofield),
                        correct=f.require(opt, "correct", bool, f"{ofield}.correct"),
                        why=f.text(f.require(opt, "why", str, f"{ofield}.why"), f"{ofield}.why"),
                    )
                )
            n_correct = sum(o.correct for o in parsed)
            if n_correct != 1:
                raise f.fail(
                    f"{field}.options", f"needs exactly one correct option, got {n_correct}"
                )
            prompt = f.require(item, "prompt", str, f"{field}.prompt")
            out.append(
                MultipleChoice(
                    f"{slug}/{i}",
                    f.text(prompt, f"{field}.prompt"),
                    tuple(parsed),
                    fact=fact,
                    skill=skill,
                )
            )
        elif kind == "true_false":
            statement = f.require(item, "statement", str, f"{field}.statement")
            out.append(
                TrueFalse(
                    id=f"{slug}/{i}",
                    statement=f.text(statement, f"{field}.statement"),
                    answer=f.require(item, "answer", bool, f"{field}.answer"),
                    why=f.text(f.require(item, "why", str, f"{field}.why"), f"{field}.why"),
                    fact=fact,
                    skill=skill,
                )
            )
        else:
            raise f.fail(f"{field}.kind", f"must be 'mcq' or 'true_false', got {kind!r}")
    return tuple(out)


def parse_tour_file(path: Path) -> tuple[TourStep, ...]:
    """A card's lab tour: `steps:` a list of 2 to 5 mappings with `text` and optionally `tab`,
    `gate`, `unit`, `step`, `hold`, `feature`. What depends on the preset (which gates its cell
    has, how many units) is checked by `app.content.check`, which knows the presets."""
    f = _File(f"{path.parent.parent.name}/{path.parent.name}/{path.name}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise f.fail("file", f"is not valid YAML text: {exc}") from exc
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not MIN_TOUR <= len(steps) <= MAX_TOUR:
        raise f.fail("steps", f"must be a list of {MIN_TOUR} to {MAX_TOUR} steps")
    out = []
    for k, step in enumerate(steps):
        field = f"steps[{k}]"
        if not isinstance(step, dict):
            raise f.fail(field, "must be a mapping with at least 'text'")
        unknown = sorted(set(step) - set(TOUR_FIELDS))
        if unknown:
            raise f.fail(field, f"unknown field {unknown[0]!r} (known: {', '.join(TOUR_FIELDS)})")
        text = f.require(step, "text", str, f"{field}.text")
        if len(text) > MAX_TOUR_TEXT:
            raise f.fail(f"{field}.text", f"has {len(text)} characters; at most {MAX_TOUR_TEXT}")
        tab, gate = step.get("tab"), step.get("gate")
        if tab is not None and tab not in TOUR_TABS:
            raise f.fail(f"{field}.tab", f"must be one of {', '.join(TOUR_TABS)}, got {tab!r}")
        if gate is not None and gate not in TOUR_QUANTITIES:
            raise f.fail(f"{field}.gate", f"must be one of {', '.join(TOUR_QUANTITIES)}")
        for key, high in (("unit", 128), ("step", 500)):
            value = step.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high
            ):
                raise f.fail(f"{field}.{key}", f"must be a whole number from 1 to {high}")
        hold = step.get("hold")
        if hold is not None and not (isinstance(hold, str) and HOLD.match(hold)):
            raise f.fail(f"{field}.hold", "must look like 'f.4.12.50.0' (q.unit.from.to.value)")
        feature = step.get("feature")
        if feature is not None and not (isinstance(feature, str) and SLUG.match(feature)):
            raise f.fail(f"{field}.feature", "must be a feature name such as 'inside-quotes'")
        out.append(
            TourStep(
                f.text(text, f"{field}.text"),
                tab=tab,
                gate=gate,
                unit=step.get("unit"),
                step=step.get("step"),
                hold=hold,
                feature=feature,
            )
        )
    return tuple(out)


def _header(data: dict, name: re.Match, f: _File, preset_names: Collection[str]) -> tuple:
    """The front matter's number, slug, tags, difficulty, lab table and preset, each checked."""
    number = f.require(data, "number", int, "number")
    if not 1 <= number <= 99 or number != int(name["number"]):
        raise f.fail("number", f"{number} must be 1-99 and match the file name's {name['number']}")
    slug = f.require(data, "slug", str, "slug")
    if slug != name["slug"] or not SLUG.match(slug):
        raise f.fail("slug", f"{slug!r} must equal the file name's slug {name['slug']!r}")
    tags = f.require(data, "tags", list, "tags")
    if not tags or not all(isinstance(t, str) and SLUG.match(t) for t in tags):
        raise f.fail("tags", "needs at least one tag, each lower-case words joined by '-'")
    difficulty = f.require(data, "difficulty", str, "difficulty")
    if difficulty not in Difficulty.__members__.values():
        raise f.fail("difficulty", f"must be easy, medium or hard, got {difficulty!r}")
    lab = f.require(data, "lab", dict, "lab")
    preset = f.require(lab, "preset", str, "lab.preset")
    if preset not in preset_names:
        raise f.fail("lab.preset", f"unknown preset {preset!r}; known: {sorted(preset_names)}")
    return number, slug, tags, difficulty, lab, preset


def _companions(path: Path, key_points: int) -> tuple[tuple, tuple]:
    """The card's recall cues and lab tour, each in a file of its own beside the card, so editing
    a card's text and its cues never touch the same lines. Optional here (a card without cues
    cannot be checked, and says so); `app.content.check` and the deck's tests require them for
    every card of the real deck."""
    cue_path = path.parent / CUES_FOLDER / f"{path.stem}.yaml"
    cues = parse_cue_file(cue_path, key_points) if cue_path.is_file() else ()
    tour_path = path.parent / TOUR_FOLDER / f"{path.stem}.yaml"
    tour = parse_tour_file(tour_path) if tour_path.is_file() else ()
    return cues, tour


def parse_card(path: Path, preset_names: Collection[str]) -> Card:
    f = _File(f"{path.parent.name}/{path.name}")
    name = FILE_NAME.match(path.name)
    if not name:
        raise f.fail("file name", "must look like 'NN-slug.md' (two digits, lower-case slug)")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise f.fail("file", f"is not UTF-8 text: {exc}") from exc
    data, body = split_front_matter(raw.replace("\r\n", "\n"), f)

    number, slug, tags, difficulty, lab, preset = _header(data, name, f, preset_names)

    sections = parse_sections(body, f)
    key_points = parse_bullets(sections["Key points"], "section 'Key points'", f)
    cues, tour = _companions(path, len(key_points))
    return Card(
        number=number,
        slug=slug,
        question=f.text(f.require(data, "question", str, "question"), "question"),
        tags=tuple(tags),
        difficulty=Difficulty(difficulty),
        short_answer=f.text(sections["Short answer"], "section 'Short answer'", block=True),
        full_answer=f.text(sections["Full answer"], "section 'Full answer'", block=True),
        key_points=key_points,
        misconceptions=tuple(
            Misconception(claim, correction)
            for claim, correction in parse_subsections(
                sections["Common misconceptions"], "section 'Common misconceptions'", f
            )
        ),
        follow_ups=tuple(
            FollowUp(question, answer)
            for question, answer in parse_subsections(
                sections["Follow-up questions"], "section 'Follow-up questions'", f
            )
        ),
        references=parse_references(data, f),
        lab=LabLink(
            preset, f.text(f.require(lab, "look_for", str, "lab.look_for"), "lab.look_for")
        ),
        quiz=parse_quiz(data, slug, f),
        path=f.path,
        cues=cues,
        tour=tour,
    )


def build_deck(cards: Iterable[Card]) -> Deck:
    """Check what no single file can see (unique numbers and slugs) and order the deck."""
    cards = list(cards)
    by_number: dict[int, str] = {}
    by_slug: dict[str, str] = {}
    for card in cards:
        if card.number in by_number:
            raise ContentError(
                card.path, "number", f"{card.number} is also used by {by_number[card.number]}"
            )
        if card.slug in by_slug:
            raise ContentError(
                card.path, "slug", f"{card.slug!r} is also used by {by_slug[card.slug]}"
            )
        by_number[card.number], by_slug[card.slug] = card.path, card.path
    return Deck(tuple(sorted(cards, key=lambda c: c.number)))


def load_deck(folder: Path, preset_names: Collection[str]) -> Deck:
    """Every `*.md` card file in `folder` (README.md excepted), validated, in number order."""
    if not folder.is_dir():
        raise ContentError(str(folder), "folder", "does not exist")
    paths = sorted(p for p in folder.glob("*.md") if p.name != "README.md")
    cards = [parse_card(p, preset_names) for p in paths]
    stems = {p.stem for p in paths}
    for sub in (CUES_FOLDER, TOUR_FOLDER):
        for orphan in sorted((folder / sub).glob("*.yaml")):
            if orphan.stem not in stems:
                raise ContentError(
                    f"{folder.name}/{sub}/{orphan.name}", "file", "has no card file beside it"
                )
    return build_deck(cards)
