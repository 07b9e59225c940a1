"""The registration desk on the day: check-in by name, by code or by the QR link, and walk-ins."""
