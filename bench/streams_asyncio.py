"""The CPython asyncio side of bench/streams.ts: an echo server over asyncio streams.

Usage: python3 bench/streams_asyncio.py bytes|lines
Prints {"port": N, "python": "3.x.y"} as JSON once listening; serves until stdin closes,
answering each `cpu` line with {"cpuMs": N}, its CPU time so far.
bytes: readexactly(64 KiB), write, drain. lines: readline, write, drain, per line.
"""
import asyncio
import json
import platform
import sys
import time

CHUNK = 65536


async def echo_bytes(reader, writer):
    try:
        while True:
            try:
                data = await reader.readexactly(CHUNK)
            except asyncio.IncompleteReadError as error:
                writer.write(error.partial)
                break
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def echo_lines(reader, writer):
    try:
        while line := await reader.readline():
            writer.write(line)
            await writer.drain()
    finally:
        writer.close()


def answer_cpu():
    """Answers each `cpu` line on stdin with this process's CPU milliseconds, until stdin ends."""
    for line in sys.stdin:
        if line.strip() == 'cpu':
            print(json.dumps({'cpuMs': time.process_time() * 1000}), flush=True)


async def main():
    handler = {'bytes': echo_bytes, 'lines': echo_lines}[sys.argv[1]]
    server = await asyncio.start_server(handler, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({'port': port, 'python': platform.python_version()}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, answer_cpu)
    server.close()


asyncio.run(main())
