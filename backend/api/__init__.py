"""The GraphQL layer: translates between the published schema and the services."""
