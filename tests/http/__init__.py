"""Tests of the app over real HTTP: its behaviour when what it depends on fails."""
