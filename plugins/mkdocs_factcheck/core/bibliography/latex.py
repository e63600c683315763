"""LaTeX of bibliography fields as pybtex rich text: markup (`\\textit`, `\\emph`, `{\\em ...}`, `\\textbf`,
`\\textsc`, `{\\sc ...}`), math (`$\\sigma$`, `H$_2$O`, `$x^{2}$`) and spacing commands become tags and
characters, which the HTML backend writes as `<i>`, `<b>`, small caps, `<sub>` and `<sup>`, and the text
backend as plain text. Accents, ligatures and symbols are left to latexcodec, as pybtex does.

pybtex's own reader keeps every command it does not know as it is (`\\textit Drosophila`): 1,418 of the
22,904 entries of one real bibliography reached readers that way."""

from __future__ import annotations

import codecs
import functools
import re

import latexcodec  # noqa: F401 - registers the ulatex codec
from pybtex.richtext import Protected, Tag, Text

# Commands whose argument is shown with a tag (a name the HTML backend knows, or `smallcaps`).
TAG_COMMANDS = {
    "textit": "i", "emph": "i", "textsl": "i", "mathit": "i", "textbf": "b", "mathbf": "b", "boldsymbol": "b",
    "textsc": "smallcaps", "textsuperscript": "sup", "textsubscript": "sub",
}  # fmt: skip
# Switches: they apply to the rest of their group (`{\em Salmonella}`).
SWITCHES = {
    "em": "i",
    "it": "i",
    "itshape": "i",
    "sl": "i",
    "slshape": "i",
    "bf": "b",
    "bfseries": "b",
    "sc": "smallcaps",
    "scshape": "smallcaps",
}
# Commands whose argument is shown as it is.
TRANSPARENT = {
    "textrm", "textup", "textnormal", "textsf", "texttt", "textmd", "mbox", "hbox", "text", "mathrm", "mathsf",
    "mathtt", "mathnormal", "mathcal", "mathbb", "mathfrak", "operatorname", "ensuremath", "NoCaseChange", "nocase",
    "uppercase", "lowercase", "MakeUppercase", "MakeLowercase", "url", "path", "nolinkurl",
}  # fmt: skip
# Commands that stand for nothing a reader sees, or for a space; the ones with an argument drop it.
SPACE_COMMANDS = {
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "thinspace": "\u2009",
    "newline": " ",
    "par": " ",
    "noindent": "",
    "relax": "",
    "protect": "",
    "xspace": "",
    "null": "",
}
DROPPED_WITH_ARGUMENT = {
    "hspace": " ",
    "vspace": " ",
    "label": "",
    "index": "",
    "footnote": "",
    "cite": "",
    "hskip": " ",
}
SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "textmu": "µ", "textalpha": "α",
    "textbeta": "β",
    "pm": "±", "mp": "∓", "times": "×", "cdot": "·", "div": "÷", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "infty": "∞", "propto": "∝",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "leftrightarrow": "↔", "Rightarrow": "⇒", "uparrow": "↑",
    "downarrow": "↓", "degree": "°", "circ": "°", "prime": "′", "ldots": "…", "dots": "…", "cdots": "⋯", "partial": "∂",
    "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√", "in": "∈", "cap": "∩", "cup": "∪", "ell": "ℓ",
    "hbar": "ℏ", "langle": "⟨", "rangle": "⟩", "slash": "/", "textslash": "/", "textfractionsolidus": "⁄",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX",
}  # fmt: skip
ACCENTS = set("'\"`^~=.") | {"c", "v", "u", "H", "k", "r", "d", "b", "t"}
ESCAPED = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    ",": "\u2009",
    ";": " ",
    ":": " ",
    "!": "",
    "/": "",
    "-": "",
    "\\": " ",
}
COMMAND = re.compile(r"\\(?:([A-Za-z]+)\*?\s*|(.))", re.S)


@functools.lru_cache(maxsize=65536)  # a pure function of a string: nothing to go stale between builds
def _decoded(value: str) -> str:
    # latexcodec keeps the braces of an accent's argument (`\"{u}` gives `{ü}`): runs hold no other
    # braces. It also drops the spaces a run starts or ends with, which separate it from its neighbours.
    try:
        decoded = codecs.decode(value, "ulatex").replace("{", "").replace("}", "")  # type: ignore[call-overload]
    except ValueError:  # an accent with nothing to put it on (`x\'`): the text without its commands' marks
        decoded = value.replace("\\", "").replace("{", "").replace("}", "")
    if not decoded.strip():
        return " " if value[:1].isspace() else decoded
    before = " " if value[:1].isspace() and not decoded[:1].isspace() else ""
    after = " " if value[-1:].isspace() and not decoded[-1:].isspace() else ""
    return before + decoded + after


def decoded_run(value: str) -> str:
    """A run of LaTeX text (letters, accents, special characters, no markup) as the text it stands for."""
    return _decoded(value)


def rich(value: str) -> Text:
    """The rich text of a field's LaTeX (a new object each time: pybtex's templates build on it)."""
    return _build(_parse(value))


# The parse is memoised as nested tuples, ("tag" | "protected", name, children) or strings, and turned
# into pybtex objects for each caller.
Node = str | tuple


def _build(nodes: tuple) -> Text:
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        elif node[0] == "protected":
            parts.append(Protected(*_build(node[2]).parts))
        else:
            parts.append(Tag(node[1], *_build(node[2]).parts))
    return Text(*parts)


@functools.lru_cache(maxsize=65536)
def _parse(value: str) -> tuple:
    reader = _Reader(value)
    return tuple(reader.until(None))


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.closed = False  # whether the last `until` stopped at its closing character

    def until(self, closing: str | None, math: bool = False) -> list[Node]:
        """Nodes up to `closing` (`}` or `$`, consumed) or the end."""
        out: list[Node] = []
        run: list[str] = []  # raw text for latexcodec (accents, ligatures), flushed before any other node

        def flush() -> None:
            if run:
                out.append(_decoded("".join(run)))
                run.clear()

        text = self.text
        self.closed = False
        while self.pos < len(text):
            char = text[self.pos]
            if char == closing:
                self.pos += 1
                self.closed = True
                break
            if char == "}":  # unbalanced: dropped
                self.pos += 1
            elif char == "{":
                self.pos += 1
                flush()
                out.append(("protected", "", tuple(self.until("}", math))))
            elif char == "$" and not math:
                end = text.find("$", self.pos + 1)
                if end < 0:
                    flush()
                    out.append("$")  # a lone dollar is a dollar
                    self.pos += 1
                    continue
                self.pos += 1
                flush()
                out.extend(self.until("$", math=True))
            elif math and char in "^_":
                self.pos += 1
                flush()
                out.append(("tag", "sup" if char == "^" else "sub", tuple(self.argument(math=True))))
            elif math and char in " \t\n":
                self.pos += 1  # spaces in math are TeX's to place
            elif char == "%":  # not a comment inside a BibTeX value ("50% of patients"): a percent sign
                self.pos += 1
                flush()
                out.append("%")
            elif char == "\\":
                self.command(out, run, flush, math)
            else:
                run.append(char)
                self.pos += 1
        flush()
        return out

    def argument(self, math: bool = False) -> list[Node]:
        """A command's argument: a group, or the next character (or command)."""
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \t\n":
            self.pos += 1
        if self.pos >= len(text):
            return []
        if text[self.pos] == "{":
            self.pos += 1
            return self.until("}", math)
        if text[self.pos] == "\\":
            out: list[Node] = []
            run: list[str] = []
            self.command(out, run, lambda: None, math)
            return out + ([_decoded("".join(run))] if run else [])
        self.pos += 1
        return [_decoded(text[self.pos - 1])]

    def skip_argument(self) -> None:
        self.argument()

    def command(self, out: list[Node], run: list[str], flush, math: bool) -> None:
        match = COMMAND.match(self.text, self.pos)
        if not match:  # a backslash at the end
            self.pos += 1
            return
        name = match.group(1) or match.group(2)
        start = self.pos
        self.pos = match.end()
        if name in ACCENTS:  # `\"u`, `\"{u}`, `\c c`, `\'\i`: the command and its argument go to latexcodec
            argument_start = self.pos
            nodes = self.argument(math)
            accented = _raw_argument(self.text[argument_start : self.pos])
            accented = {"\\i": "i", "\\j": "j"}.get(accented, accented)  # the dotless i takes the accent
            if len(accented) != 1 and accented not in ("\\o", "\\O"):  # not a letter: its text, unaccented
                flush()
                out.extend(nodes)
                return
            run.append(self.text[start:argument_start].rstrip() + "{" + accented + "}")  # `\"{u}`
            return
        if name in ESCAPED and not name.isalpha():
            flush()
            out.append(ESCAPED[name])
            return
        if name in TAG_COMMANDS:
            flush()
            out.append(("tag", TAG_COMMANDS[name], tuple(self.argument(math))))
        elif name in SWITCHES:
            flush()
            out.append(("tag", SWITCHES[name], tuple(self.until("}", math))))
            if self.closed:
                self.pos -= 1  # the group's `}` closes the group too
        elif name in TRANSPARENT:
            flush()
            if name in ("url", "path", "nolinkurl"):
                argument_start = self.pos
                self.argument()
                out.append(_raw_argument(self.text[argument_start : self.pos]))
            else:
                out.append(("protected", "", tuple(self.argument(math))))
        elif name == "href":
            flush()
            self.skip_argument()
            out.extend(self.argument(math))
        elif name in DROPPED_WITH_ARGUMENT:
            flush()
            self.skip_argument()
            out.append(DROPPED_WITH_ARGUMENT[name])
        elif name in SPACE_COMMANDS:
            flush()
            out.append(SPACE_COMMANDS[name])
        elif name in SYMBOLS:
            flush()
            out.append(SYMBOLS[name])
        else:  # `\ss`, `\o`, `\textendash`, ...: latexcodec's; a command it does not know shows its name
            decoded = _decoded(self.text[start : self.pos].rstrip() + " ")
            if decoded.startswith("\\"):
                flush()
                out.append(name if name.isalpha() else "")
            else:
                run.append(self.text[start : self.pos])


def _raw_argument(text: str) -> str:
    text = text.strip()
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text
