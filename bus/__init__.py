"""The Redis bus: stream names, versioned messages, publish and consume.

Floor 2: imports only `exchange` and `orders`. See docs/bus.md.
"""
