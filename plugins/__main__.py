"""`python -m mkdocs_factcheck check ...`"""

import sys

from .cli.main import main

sys.exit(main())
