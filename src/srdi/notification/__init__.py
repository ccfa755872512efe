"""Notifications: the in-app inbox of enterprises (``notify``, one message per dedupe key) and a durable e-mail
outbox with pluggable delivery channels. Other domains tell an enterprise something through ``service.notify``."""
