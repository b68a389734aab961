"""`python -m wrinklelib.app.cli`: the `wrinkle` command (torchrun starts its processes so)."""

import sys

from . import main

sys.exit(main())
