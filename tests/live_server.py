"""A Duijie app served by uvicorn on a free loopback port, in a thread, for browser tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


@asynccontextmanager
async def serve(app) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """Serve ``app`` until the block ends; yields its base URL and a client on it, once
    ``/health`` answers 200."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(100):
            try:
                if (await http.get("/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        try:
            yield base, http
        finally:
            server.should_exit = True
            await asyncio.to_thread(thread.join, 15)
