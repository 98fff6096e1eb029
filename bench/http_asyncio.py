"""The CPython asyncio side of bench/http.ts: an HTTP/1.1 keep-alive hello server over asyncio
streams (asyncio.start_server; per request readuntil(b'\\r\\n\\r\\n'), write, drain).

uvloop is not used: it is not installed here (PyPI is out of reach), so this is the default
event loop of the standard library.

Usage: python3 bench/http_asyncio.py
Prints {"port": N, "python": "3.x.y"} as JSON once listening; serves until stdin closes,
answering each `cpu` line with {"cpuMs": N}, its CPU time so far.
"""
import asyncio
import json
import platform
import sys
import time

RESPONSE = b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'


async def handle(reader, writer):
    try:
        while True:
            await reader.readuntil(b'\r\n\r\n')
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def answer_cpu():
    """Answers each `cpu` line on stdin with this process's CPU milliseconds, until stdin ends."""
    for line in sys.stdin:
        if line.strip() == 'cpu':
            print(json.dumps({'cpuMs': time.process_time() * 1000}), flush=True)


async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({'port': port, 'python': platform.python_version()}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, answer_cpu)
    server.close()


asyncio.run(main())
