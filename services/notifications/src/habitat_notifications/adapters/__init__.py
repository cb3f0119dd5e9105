"""Adapters: PostgreSQL (SQLAlchemy), SMTP (aiosmtplib), templates (Jinja2), contracts."""
