"""Duijie (对接): the Litestar service, its CLI and the database layer."""

__version__ = "0.1.0"
