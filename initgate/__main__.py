"""Lets `python -m initgate` behave like the `initgate` command."""

from initgate.cli import program

program()
