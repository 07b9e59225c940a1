"""The curated list of organisations people choose from when they register (admins keep it)."""
