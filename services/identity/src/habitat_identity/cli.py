"""`python -m habitat_identity.cli ...`: see habitat_identity.entrypoints.cli."""

import sys

from habitat_identity.entrypoints.cli import main

if __name__ == "__main__":
    sys.exit(main())
