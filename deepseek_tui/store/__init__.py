"""SQLite conversation store: schema migrations, search, export. No Textual."""
