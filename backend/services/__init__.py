"""The domain: every rule and state change of the staff-accounts service."""
