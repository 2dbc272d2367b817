"""Orders as values: the order, its side and states, and where an order is born.

Floor 1: imports only `exchange`. See docs/architecture.md.
"""
