"""deepseek-tui: a terminal chat client for the DeepSeek API.

The package is layered so that everything outside ``ui/`` works without Textual:
``api/`` talks HTTP, ``store/`` keeps conversations, ``config.py`` reads settings,
``models.py`` knows the model catalog, ``chat.py`` runs one turn, ``testing/``
serves a loopback fake of the DeepSeek wire protocol, and ``cli.py`` ties them to
the command line.
"""

__version__ = "0.1.0"
