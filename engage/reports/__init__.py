"""Reports of reach: one event's figures, and the same across events (issue 14)."""
