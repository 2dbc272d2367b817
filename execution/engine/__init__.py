"""vnpy's MainEngine and EventEngine, run headless inside the execution service."""
