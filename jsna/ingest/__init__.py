"""Reading declared sources into the store: adapters per format, validation, the import pipeline.

``adapters`` turn a file into a table of texts, :mod:`.validate` turns that
table into tidy observations while collecting every problem, and
:mod:`.pipeline` writes a checked file in one transaction.
"""
