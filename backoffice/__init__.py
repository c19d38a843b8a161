"""backoffice: one back-office core, five vendor dialects."""

__version__ = "0.1.0"
