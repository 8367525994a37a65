"""Bookings: price lists, availability (working hours, rules, exceptions, free
slots) and appointments. ``slots`` is the pure slot computation; ``availability``
loads a profile's rows for it."""
