"""Project content: the declarations an analyst writes (YAML), read into immutable models.

This layer knows nothing of the store: it only reads and checks files.
"""
