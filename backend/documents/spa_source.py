"""The GraphQL documents of the SPA, read from its source (frontend/src/**/*.js).

The SPA has no build step: each document is a module-level constant,
``const NAME = `query … { ${FIELDS} }`;``, whose `${…}` may name only an earlier string
constant of the same module. This module evaluates those constants as JavaScript would,
so that the text hashed here is exactly the text the browser sends. A constant is a
document when its text starts with `query`, `mutation`, `subscription` or `{`.

What it cannot evaluate that way fails loudly, naming the file and the line, rather than
being left out of the manifest (and refused in production): a `${…}` of anything but a
constant, an escape sequence, a document built inside a function, or a literal passed
straight to gql() or mutate()."""

import re
from dataclasses import dataclass
from pathlib import Path

# A declaration at the start of a line: module level, the way this codebase is formatted.
_DECLARATION = re.compile(r"^(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*([`\"'])", re.M)
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_DOCUMENT_START = re.compile(r"\s*(?:(?:query|mutation|subscription)\b|\{)")
# A template literal that starts like a document, wherever it is.
_DOCUMENT_LITERAL = re.compile(r"`(?=\s*(?:query|mutation|subscription)\b)")
_END_OF_DECLARATION = re.compile(r"[ \t]*;")
_LITERAL_ARGUMENT = re.compile(r"\b(?:gql|mutate)\(\s*[`\"']")


class SourceProblem(ValueError):
    """A document of the SPA's source that cannot be read without running it."""


@dataclass(frozen=True)
class SpaDocument:
    path: str  # relative to the repository, e.g. frontend/src/viewer.js
    constant: str
    body: str


def read_documents(src: Path, root: Path) -> list[SpaDocument]:
    """Every document of the .js files under `src`, in path order, then source order."""
    found: list[SpaDocument] = []
    for path in sorted(src.rglob("*.js")):
        found += _documents_of(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found


def _documents_of(source: str, where: str) -> list[SpaDocument]:
    for literal in _LITERAL_ARGUMENT.finditer(source):
        raise SourceProblem(
            f"{where}:{_line(source, literal.start())}: a literal document passed to gql() or"
            " mutate(): make it a module-level constant, so that `make documents` sees it"
        )
    constants: dict[str, str] = {}
    documents: list[SpaDocument] = []
    declared_at: set[int] = set()
    for declaration in _DECLARATION.finditer(source):
        name, quote = declaration.group(1), declaration.group(2)
        start = declaration.end()  # just after the opening quote
        declared_at.add(start - 1)
        try:
            text = _evaluate(source, start, quote, constants)
        except _NotConstant as reason:
            if _DOCUMENT_START.match(source, start):
                raise SourceProblem(f"{where}:{_line(source, start)}: {name}: {reason}") from None
            continue
        constants[name] = text
        if quote == "`" and _DOCUMENT_START.match(text):
            documents.append(SpaDocument(path=where, constant=name, body=text))
    for literal in _DOCUMENT_LITERAL.finditer(source):
        if literal.start() not in declared_at:
            raise SourceProblem(
                f"{where}:{_line(source, literal.start())}: a GraphQL document that is not a"
                " module-level constant (built in a function?): declare each document as"
                " `const NAME = `…`;` at the top of the module"
            )
    return documents


class _NotConstant(Exception):
    pass


def _evaluate(source: str, start: int, quote: str, constants: dict[str, str]) -> str:
    """The value of the literal whose text starts at `start`, when the declaration is that
    literal alone (`const A = "x" + b;` is not a constant this reads)."""
    parts: list[str] = []
    index = start
    while True:
        if index >= len(source):
            raise _NotConstant("the literal does not end")
        char = source[index]
        if char == quote:
            if not _END_OF_DECLARATION.match(source, index + 1):
                raise _NotConstant("the declaration is more than one literal")
            return "".join(parts)
        if char == "\\":
            raise _NotConstant("escape sequences are not read; write the character itself")
        if quote != "`" and char == "\n":
            raise _NotConstant("the string does not end on its line")
        if quote == "`" and source.startswith("${", index):
            end = source.find("}", index)
            expression = source[index + 2 : end].strip() if end != -1 else ""
            if not _IDENTIFIER.fullmatch(expression) or expression not in constants:
                raise _NotConstant(
                    f"${{{expression}}} is not an earlier string constant of this module"
                )
            parts.append(constants[expression])
            index = end + 1
            continue
        parts.append(char)
        index += 1


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1
