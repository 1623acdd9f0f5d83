"""The GraphQL documents of the SPA, read from its source (frontend/src/**/*.js).

The SPA has no build step: each document is a module-level constant,
``const NAME = `query … { ${FIELDS} }`;``, whose `${…}` may name only an earlier string
constant of the same module or one it imports (`import { FIELDS } from "./x.js";`, an
`export const` there). This module evaluates those constants as JavaScript would,
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
_DECLARATION = re.compile(r"^(export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*([`\"'])", re.M)
_IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*[\"']([^\"']+)[\"']", re.M)
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
    modules = _Modules(root)
    found: list[SpaDocument] = []
    for path in sorted(src.rglob("*.js")):
        found += modules.read(path.resolve()).documents
    return found


@dataclass
class _Module:
    documents: list[SpaDocument]
    exported: dict[str, str]


class _Modules:
    """Each module read once; an import is read before the module that imports it, as
    JavaScript evaluates them."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._read: dict[Path, _Module] = {}
        self._reading: set[Path] = set()

    def read(self, path: Path) -> _Module:
        if path in self._read:
            return self._read[path]
        if path in self._reading:  # an import cycle: its constants are not ready yet
            return _Module(documents=[], exported={})
        self._reading.add(path)
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(self._root))
        module = _documents_of(source, where, self._imported(source, path))
        self._reading.discard(path)
        self._read[path] = module
        return module

    def _imported(self, source: str, path: Path) -> dict[str, str]:
        constants: dict[str, str] = {}
        for names, target in _IMPORT.findall(source):
            if not target.startswith("."):
                continue
            imported = path.parent / target
            if not imported.is_file():
                continue
            exported = self.read(imported.resolve()).exported
            for name in names.split(","):
                original, _, local = (part.strip() for part in name.partition(" as "))
                if original in exported:
                    constants[local or original] = exported[original]
        return constants


def _documents_of(source: str, where: str, imported: dict[str, str]) -> _Module:
    for literal in _LITERAL_ARGUMENT.finditer(source):
        raise SourceProblem(
            f"{where}:{_line(source, literal.start())}: a literal document passed to gql() or"
            " mutate(): make it a module-level constant, so that `make documents` sees it"
        )
    constants = dict(imported)
    exported: dict[str, str] = {}
    documents: list[SpaDocument] = []
    declared_at: set[int] = set()
    for declaration in _DECLARATION.finditer(source):
        name, quote = declaration.group(2), declaration.group(3)
        start = declaration.end()  # just after the opening quote
        declared_at.add(start - 1)
        try:
            text = _evaluate(source, start, quote, constants)
        except _NotConstant as reason:
            if _DOCUMENT_START.match(source, start):
                raise SourceProblem(f"{where}:{_line(source, start)}: {name}: {reason}") from None
            continue
        constants[name] = text
        if declaration.group(1):
            exported[name] = text
        if quote == "`" and _DOCUMENT_START.match(text):
            documents.append(SpaDocument(path=where, constant=name, body=text))
    for literal in _DOCUMENT_LITERAL.finditer(source):
        if literal.start() not in declared_at:
            raise SourceProblem(
                f"{where}:{_line(source, literal.start())}: a GraphQL document that is not a"
                " module-level constant (built in a function?): declare each document as"
                " `const NAME = `…`;` at the top of the module"
            )
    return _Module(documents=documents, exported=exported)


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
                    " (or one it imports)"
                )
            parts.append(constants[expression])
            index = end + 1
            continue
        parts.append(char)
        index += 1


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1
