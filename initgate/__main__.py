"""Lets `python -m initgate` behave like the `initgate` command."""

import sys

from initgate.cli import main

sys.exit(main())
