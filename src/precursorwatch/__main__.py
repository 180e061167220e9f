"""``python -m precursorwatch`` runs the command line."""

from precursorwatch.cli import main

main()
