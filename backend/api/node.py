import strawberry


@strawberry.interface(description="An object with an opaque, globally unique ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; pass it back as is.")
