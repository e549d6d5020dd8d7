from __future__ import annotations

import sys

from metalint.cli import main

sys.exit(main())
