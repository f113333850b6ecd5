"""The HTTP API: route handlers that decode requests and call the services."""
