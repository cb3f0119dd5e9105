"""`python -m habitat_cli` runs the `habitat` command."""

from habitat_cli.app import main

main()
