"""Markdown with LaTeX to HTML with MathML, on the server, so pages need no maths JavaScript.

Raw HTML in the Markdown is escaped, not passed through: card files are data, not templates.
"""

import re
from functools import lru_cache
from xml.etree.ElementTree import tostring

import latex2mathml.converter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin


class MathError(ValueError):
    """LaTeX that latex2mathml cannot convert, or converts only by leaving a command unknown."""


# latex2mathml keeps an unknown command as literal text in an <mi>/<mo>; we treat that as an error.
_UNKNOWN_COMMAND = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)</m[io]>")


# latex2mathml writes symbols as character references in the tree's text ("&#x0003C;") and then
# un-escapes its whole output, which also turns `\text{<b>}` back into live markup. We serialize
# the tree ourselves: references become the characters they name, and ElementTree escapes every
# text node, so whatever a text command holds stays text.
_CHAR_REF = re.compile(r"&#x([0-9A-Fa-f]{1,6});|&#([0-9]{1,7});")


def _char(match: re.Match) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def _mathml(latex: str, display: bool) -> str:
    converter = latex2mathml.converter.Converter(display="block" if display else "inline")
    tree = converter.convert_to_element(latex)
    for node in tree.iter():
        if node.text:
            node.text = _CHAR_REF.sub(_char, node.text)
        if node.tail:
            node.tail = _CHAR_REF.sub(_char, node.tail)
        for name, value in node.attrib.items():
            node.attrib[name] = _CHAR_REF.sub(_char, value)
    return tostring(tree, encoding="unicode")


def latex_to_mathml(latex: str, *, display: bool = False) -> str:
    try:
        mathml = _mathml(latex, display)
    except Exception as exc:  # the converter raises many unrelated types
        raise MathError(f"LaTeX ${latex}$ does not convert: {type(exc).__name__} {exc}") from exc
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise MathError(
            f"LaTeX ${latex}$ uses {unknown.group(1)}, which latex2mathml does not know"
        )
    return mathml


def _math_renderer(content: str, options: dict) -> str:
    return latex_to_mathml(content.strip(), display=bool(options.get("display_mode")))


@lru_cache(maxsize=2)
def _markdown(mathjax: bool = False) -> MarkdownIt:
    """One parser per way of writing maths: MathML for the pages, MathJax LaTeX for exports."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable("table")
    renderer = _mathjax_renderer if mathjax else _math_renderer
    md.use(dollarmath_plugin, renderer=renderer, allow_digits=False, double_inline=True)
    return md


def render_block(source: str) -> str:
    """Block Markdown (paragraphs, lists, display maths) to HTML."""
    return _markdown().render(source).strip()


def render_inline(source: str) -> str:
    """One line of inline Markdown (emphasis, code, inline maths) to HTML, with no <p> wrapper."""
    return _markdown().renderInline(source).strip()


# For exports read by MathJax (Anki): the same Markdown, with maths left as LaTeX between MathJax's
# delimiters, \(...\) inline and \[...\] for display, instead of being converted to MathML.
def _mathjax_renderer(content: str, options: dict) -> str:
    latex = content.strip()
    wrapped = f"\\[{latex}\\]" if options.get("display_mode") else f"\\({latex}\\)"
    return escapeHtml(wrapped)


def render_block_mathjax(source: str) -> str:
    """Block Markdown to HTML with maths as MathJax-delimited LaTeX (for Anki)."""
    return _markdown(mathjax=True).render(source).strip()


def render_inline_mathjax(source: str) -> str:
    """Inline Markdown to HTML with maths as MathJax-delimited LaTeX, with no <p> wrapper."""
    return _markdown(mathjax=True).renderInline(source).strip()


@lru_cache(maxsize=1)
def _note_markdown() -> MarkdownIt:
    """A learner's note: CommonMark without raw HTML and without images (no outside requests)."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable("image")
    return md


def render_note(source: str) -> str:
    """A learner's own Markdown note to safe HTML: raw HTML is escaped, `javascript:` links are
    refused by the parser, images are not loaded; maths stays as typed."""
    return _note_markdown().render(source).strip()
