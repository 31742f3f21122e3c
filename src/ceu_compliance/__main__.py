"""``python -m ceu_compliance``: the same program as the ``ceu-compliance`` command."""

import sys

from ._cli import main

sys.exit(main())
