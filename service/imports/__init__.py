"""The spreadsheet import context: service.py (parsing, checks, the all-or-nothing save) and
schemas.py (its Structs). The upload handlers are in service/web/imports.py."""
