"""`python -m cli ...`: the `candor` console script."""

import sys

from cli.main import main

sys.exit(main())
