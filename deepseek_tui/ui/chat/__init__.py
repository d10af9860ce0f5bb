"""The chat screen\x27s parts that are not widgets: files, branches, failures."""
