"""Reports: definitions (``definitions``), runs in the job queue (``engine``), custom report views
(``views``), and rendering to HTML, PDF and XLSX (``render``). ``api`` gathers what callers use.

This package's ``__init__`` imports nothing: ``store/tables.py`` imports ``reports.tables`` for the
migrations, and the rest of the package needs the whole core.
"""
