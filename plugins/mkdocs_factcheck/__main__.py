"""`python -m mkdocs_factcheck check ...`"""

import sys

from mkdocs_factcheck.cli.main import main

sys.exit(main())
