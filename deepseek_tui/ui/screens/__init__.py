"""Screens: the chat, the help list and the first-run key dialog."""
