"""Use cases and rules, one module per domain. Services take plain values
(no request globals) and raise ServiceError with a translatable message."""
