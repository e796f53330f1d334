"""``python -m nbassets``: the ``nbassets`` command."""

from __future__ import annotations

import sys

from nbassets.cli import main

if __name__ == "__main__":
    sys.exit(main())
