"""Staff accounts service: staff lifecycle for medical practices over GraphQL."""
