"""Bounded contexts: one module per resource (Structs, validation, table) on a shared CRUD core."""
