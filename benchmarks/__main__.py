"""``python -m benchmarks``: the same run as ``python benchmarks/run.py``."""

from benchmarks.run import main

raise SystemExit(main())
