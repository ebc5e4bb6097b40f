"""Hooks for the tests that kill processes mid-request. Inert in production."""
