"""The documentation site (MkDocs, warnings as errors)."""
