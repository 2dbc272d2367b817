"""Working approved parents: child references, fills, reconciliation, the desk loop."""
