"""People's rights over their data: subject access and erasure, found from the models."""
