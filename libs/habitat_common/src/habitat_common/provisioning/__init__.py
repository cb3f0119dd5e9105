"""Least privilege at deploy time: per service a PostgreSQL schema owner and runtime role, a RabbitMQ user."""

# Each service owns the schema, and publishes the events, named after it.
SERVICES = ("identity", "contributions", "ledger", "notifications")
