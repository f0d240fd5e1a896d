"""Hypothesis strategies of the two languages: ``selectors`` and ``assertions``."""
