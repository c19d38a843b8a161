"""`python -m backoffice` is the `backoffice` command."""

from .cli import app

app(prog_name="backoffice")
