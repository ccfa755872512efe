"""Outgoing notifications beyond the in-app inbox: a durable e-mail outbox and pluggable delivery channels."""
