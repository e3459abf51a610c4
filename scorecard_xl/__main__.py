"""`python -m scorecard_xl`: the same as the scorecard-xl command."""

from .cli import console_main

console_main()
