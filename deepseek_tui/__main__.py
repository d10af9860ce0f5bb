"""``python -m deepseek_tui`` runs the same entry point as the ``deepseek-tui`` script."""

from deepseek_tui.cli import main

raise SystemExit(main())
