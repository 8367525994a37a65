"""Bookings as web pages: the client's booking page and bookings (book, client), the
practitioner's pages, the calendar feed and the JSON API (one module each)."""
