"""Certificates of attendance: a PDF for each checked-in attendee, and a page that verifies it."""
