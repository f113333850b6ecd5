"""Database access: where PostgreSQL comes from, the migration runner and the connection pool."""
