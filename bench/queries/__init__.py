"""The GraphQL documents the scenarios send, and their JSON request bodies. The staff page
and the search are files beside this module (bench/peer/ holds PostGraphile's own)."""

from pathlib import Path

import orjson

QUERIES = Path(__file__).resolve().parent
STAFF_PAGE = (QUERIES / "staff_page.graphql").read_text()
STAFF_SEARCH = (QUERIES / "staff_search.graphql").read_text()
STAFF_CREATE = """
mutation Create($input: StaffCreateInput!) {
  staffCreate(input: $input) { staffMember { id status } userErrors { field code message } }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code } }
}
"""
REFERENCE_DATA = "query { roles { id name } providers { id } offices { id } }"


def page_body(status: str = "ACTIVE", first: int = 25, after: str | None = None) -> bytes:
    """The staff page (B1, B4, B5, B8): one page of a status tab and the tab counts."""
    variables = {"status": status, "first": first, "after": after}
    return orjson.dumps({"query": STAFF_PAGE, "variables": variables})


def search_body(term: str, first: int = 25) -> bytes:
    """The staff search (B3)."""
    return orjson.dumps({"query": STAFF_SEARCH, "variables": {"search": term, "first": first}})
