"""``python -m content validate [--file F ...]``: the same check as ``studybot content validate``."""

from __future__ import annotations

import sys

from content.cli import main

sys.exit(main(sys.argv[1:]))
