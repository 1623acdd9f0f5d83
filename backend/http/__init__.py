"""HTTP-level behaviour shared by every route: how the app answers when it cannot work."""
