"""Notifications: the kinds and their titles, the in-app inbox and per-kind
preferences, digests, the mail outbox, mailings to consenting users."""
