"""``python -m jsna.cli`` runs the command line."""

from .main import main

main()
