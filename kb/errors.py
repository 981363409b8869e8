"""Every error kb raises on purpose, under one root.

The command line prints a :class:`KbError`'s message on one line and exits non-zero;
the web pages show it with a 400 or 404. Anything else is a bug, and shows as one.
"""

from __future__ import annotations


class KbError(Exception):
    """An expected failure; the message says what went wrong and what to do."""


class DatabaseError(KbError):
    """A database kb cannot use as asked: missing, not kb's, damaged, read-only or full."""


class SchemaError(DatabaseError):
    """A kb database of another schema version than this kb's."""


class ReadError(KbError):
    """A file that cannot be turned into text; the message says why."""


class QueryError(KbError, ValueError):
    """A query that cannot be searched (empty, or nothing left to match)."""


class SearchError(KbError, ValueError):
    """A search that cannot run as asked; the message names the parameter."""


class EmbedError(KbError, RuntimeError):
    """A model that cannot be loaded or used; the message says what to do."""


class ModelMismatch(KbError, RuntimeError):
    """Vectors of one model searched or extended with another."""


class ReportNotFound(KbError, LookupError):
    """No report with the id asked for."""


class InstitutionNotFound(KbError, LookupError):
    """No institution with the id asked for."""
