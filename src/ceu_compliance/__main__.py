"""``python -m ceu_compliance``: the same program as the ``ceu-compliance`` command."""

import sys

from ._cli import main

# Guarded: worker processes of ``batch --jobs N`` import the main module again.
if __name__ == "__main__":
    sys.exit(main())
