"""Mail: the outbox, its delivery worker and the local SMTP sink."""
