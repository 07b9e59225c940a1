"""Events: their programme of sessions and workshops, and their public pages."""
