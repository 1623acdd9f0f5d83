"""Trusted documents: the GraphQL documents known ahead of time (the SPA's, read from its
source, and those client teams register), identified by the SHA-256 of their exact text
as the GraphQL-over-HTTP persisted documents appendix has it."""
