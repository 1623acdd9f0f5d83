"""B3's search terms: for each practice, a common and a rare term of each length, with
their match counts."""

import random
from collections import Counter
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.data.practices import Practice
from bench.data.progress import GenerateError, Progress
from bench.data.spec import RARE_MAX, SEED, TERM_LENGTHS


# --------------------------------------------------------------------- search terms
def _searchable(term: str) -> bool:
    """A term the app searches for as it is: lower-case, one field, no LIKE wildcards, and
    unchanged by the app's whitespace normalisation."""
    return (
        term == term.lower()
        and "\n" not in term
        and not any(char in term for char in "%_\\")
        and " ".join(term.split()) == term
    )


def _word_like(term: str) -> bool:
    return all(char.isalnum() for char in term) and any(char.isalpha() for char in term)


def _document_frequency(texts: list[str], length: int) -> Counter[str]:
    """How many texts contain each substring of `length` characters."""
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update({text[i : i + length] for i in range(len(text) - length + 1)})
    return frequency


def choose_terms(texts: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """For each length a common term (matches many rows) and a rare one (a handful), from
    substring counts over the practice's search_text (a row counts once per term).

    Common terms of up to 5 characters are the most frequent ones in people's names (as
    typed into the search box; every email contains "example", so whole-text counts
    would pick fragments of that); the 10-character one is the most frequent in the whole
    text, a part of the practice's email domain. Rare terms prefer letters only, from names,
    chosen at random (seeded) among those matching 2 to RARE_MAX rows.
    """
    names = [text.split("\n", 1)[0] for text in texts]
    chosen: list[dict[str, Any]] = []
    for length in TERM_LENGTHS:
        usable = {t: n for t, n in _document_frequency(texts, length).items() if _searchable(t)}
        letters = {term: n for term, n in usable.items() if term.isalpha()}
        words = {term: n for term, n in usable.items() if _word_like(term)}
        in_names = _document_frequency(names, length)
        name_letters = {term: n for term, n in letters.items() if term in in_names}
        if length <= 5 and name_letters:
            common = min(name_letters, key=lambda term: (-in_names[term], term))
        else:
            pool = letters or words or usable
            common = min(pool, key=lambda term: (-pool[term], term))
        # Short rare terms are mostly accented letters (every ASCII pair is frequent in a
        # large practice); longer ones are ASCII, such as a part of a username.
        pools = [name_letters, letters, words]
        if length >= 5:
            pools = [{t: n for t, n in pool.items() if t.isascii()} for pool in pools] + pools
        rare: str | None = None
        for candidates_pool, low, high in [(pool, 2, RARE_MAX) for pool in pools] + [
            (pool, 1, 1) for pool in pools
        ]:
            candidates = sorted(t for t, n in candidates_pool.items() if low <= n <= high)
            if candidates:
                rare = rng.choice(candidates)
                break
        if rare is None:
            rare = min(usable, key=lambda term: (usable[term], term))
        for kind, term in (("common", common), ("rare", rare)):
            chosen.append({"length": length, "kind": kind, "term": term, "matches": usable[term]})
    return chosen


async def practice_texts(url: str, practice: Practice) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT search_text FROM staff_member WHERE practice_id = $1", practice.id
        )
    finally:
        await connection.close()
    return [row["search_text"] for row in rows]


def choose_practice_terms(texts: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    return {key: choose_terms(t, random.Random(f"{SEED}:terms")) for key, t in texts.items()}


async def check_terms(
    connection: Any, practice: Practice, terms: list[dict[str, Any]], log: Progress
) -> None:
    for term in terms:
        # The app's own predicate (Tortoise's `contains` on PostgreSQL).
        matches = await connection.fetchval(
            "SELECT count(*) FROM staff_member WHERE practice_id = $1 "
            "AND CAST(search_text AS VARCHAR) LIKE $2",
            practice.id,
            f"%{term['term']}%",
        )
        if matches != term["matches"]:
            raise GenerateError(f"term {term} matches {matches} rows in SQL")
    log(
        f"search terms of the {practice.kind} practice (rows matched): "
        + ", ".join(f"{t['term']!r}={t['matches']}" for t in terms)
    )
