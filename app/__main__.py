"""`python -m app` does what `deskphone` does."""

import sys

from app.cli import main

sys.exit(main())
