"""Where an order is approved: the queue, its lifecycle, policies, the risk gate,
manual entry and intake from the bus. See docs/orders.md.
"""
