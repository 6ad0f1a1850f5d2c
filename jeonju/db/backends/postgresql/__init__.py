"""Django's PostgreSQL backend with the connection pool behind a circuit breaker (base.py)."""
