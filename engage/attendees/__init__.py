"""The organiser's side of an event's people: the list, one person's record, exports, messages."""
