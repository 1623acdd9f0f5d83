"""SCIM 2.0 (RFC 7643, 7644) at /scim/v2: a translator between the protocol and our
services, like backend/api for GraphQL. It owns no rule of its own: validation, seats,
the lifecycle and the audit are the services'."""
