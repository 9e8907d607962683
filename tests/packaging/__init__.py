"""Packaging: the vendored front-end assets and the wheel (installed into a clean venv)."""
