"""Relay's building blocks, shared by every type and connection: the Node interface and
the PageInfo of forward-only keyset pages."""

import strawberry


@strawberry.interface(description="An object with an opaque, globally unique ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; pass it back as is.")


@strawberry.type(description="Pagination state of a connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow `endCursor`.")
    has_previous_page: bool = strawberry.field(
        description="Always false: the list pages forwards only."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")

    @classmethod
    def forward(cls, cursors: list[str], *, has_next_page: bool) -> "PageInfo":
        """The page info of a forward-only keyset page with these item cursors."""
        return cls(
            has_next_page=has_next_page,
            has_previous_page=False,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )
