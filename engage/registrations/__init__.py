"""Registration: the form, capacity, workshops, waiting list and self-service link."""
