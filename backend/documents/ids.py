"""Document identifiers: `sha256:` and the lower-case hex SHA-256 of the document's exact
text in UTF-8 (GraphQL over HTTP, Appendix A). Whitespace counts: two texts that differ
only in spacing are two documents, as error locations differ between them."""

import hashlib
import re

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")


def sha256_hex(text: str) -> str:
    # surrogatepass: a lone surrogate (which JSON can carry) still hashes, to something no
    # UTF-8 document has, instead of raising.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def document_id(text: str) -> str:
    return PREFIX + sha256_hex(text)


def is_sha256_hex(value: object) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def is_document_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(PREFIX)
        and is_sha256_hex(value.removeprefix(PREFIX))
    )
