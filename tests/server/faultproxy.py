"""A misbehaving network on loopback: an HTTP/1.1 proxy that drops, delays, duplicates, reorders and alters.

Why our own: the faults have to be exactly the ones a court's flaky signal causes, chosen by a seeded
random plan so a failing trial can be replayed, and counted so a test can show they really happened.
It reads each request whole (Content-Length bodies, which is what the sync client sends), forwards it
to the server on a fresh connection, and passes the answer back, or not.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

FAULTS = ("drop_request", "drop_response", "truncate_response", "delay", "duplicate", "hold", "tamper_request",
          "tamper_response", "bad_gateway")


@dataclass
class Plan:
    """Chance of each fault per request; `delay_max` seconds for delays."""

    rates: dict[str, float] = field(default_factory=dict)
    delay_max: float = 0.01

    @classmethod
    def calm(cls) -> Plan:
        return cls({})

    @classmethod
    def random(cls, rng: random.Random, intensity: float = 1.0) -> Plan:
        base = {"drop_request": 0.07, "drop_response": 0.08, "truncate_response": 0.03, "delay": 0.15,
                "duplicate": 0.08, "hold": 0.06, "tamper_request": 0.03, "tamper_response": 0.03,
                "bad_gateway": 0.03}
        return cls({k: v * rng.uniform(0, 2) * intensity for k, v in base.items()}, delay_max=rng.uniform(0, 0.02))


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 0) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.plan = Plan.calm()
        self.counts: Counter[str] = Counter()
        self.requests = 0
        # Called with each whole request before it is forwarded (e.g. to kill the client that sent it).
        self.on_request: Callable[[bytes], None] | None = None
        # Rewrites a whole answer before it is passed back (a machine in the middle).
        self.rewrite_response: Callable[[bytes], bytes] | None = None
        self._held: list[bytes] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self.port = 0

    # --- running ---
    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def flush_held(self) -> None:
        """Deliver every held request now (late, after the ones sent since): the reordering's second half."""
        asyncio.run_coroutine_threadsafe(self._release_held(), self._loop).result(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

    # --- one connection ---
    def _fault(self) -> str | None:
        for name in FAULTS:
            if self.rng.random() < self.plan.rates.get(name, 0.0):
                self.counts[name] += 1
                return name
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests += 1
                if self.on_request is not None:
                    self.on_request(request)
                if not await self._serve(request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def _serve(self, request: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request, or not; False when the client's connection has been cut."""
        fault = self._fault()
        if fault == "drop_request":
            return False
        if fault == "hold":  # kept back, delivered later after others: reordered; the client sees a cut
            self._held.append(request)
            return False
        if fault == "delay":
            await asyncio.sleep(self.rng.uniform(0, self.plan.delay_max))
        if fault == "tamper_request":
            request = _flip_in_body(request, self.rng)
        if fault == "bad_gateway":
            response = (b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: 28\r\n"
                        b"connection: close\r\n\r\n{\"detail\": \"proxy says no\"}")
        elif fault == "duplicate":
            first, second = await asyncio.gather(self._forward(request), self._forward(request))
            response = self.rng.choice([first, second])
        else:
            response = await self._forward(request)
        if self._held and self.rng.random() < 0.5:
            await self._release_held()
        if fault == "drop_response":
            return False
        if fault == "truncate_response":
            writer.write(response[: self.rng.randrange(1, max(2, len(response)))])
            await writer.drain()
            return False
        if fault == "tamper_response":
            response = _flip_in_body(response, self.rng)
        if self.rewrite_response is not None:
            response = self.rewrite_response(response)
        writer.write(response)
        await writer.drain()
        return False  # one request per connection: the answer says `connection: close`

    async def _release_held(self) -> None:
        held, self._held = self._held, []
        self.rng.shuffle(held)
        for request in held:
            await self._forward(request)

    async def _forward(self, request: bytes) -> bytes:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            return (b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: 31\r\n"
                    b"connection: close\r\n\r\n{\"detail\": \"no server behind\"}")
        try:
            writer.write(_with_connection_close(request))
            await writer.drain()
            return await reader.read(-1)
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


def _with_connection_close(request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"connection: close"]) + b"\r\n\r\n" + body


def _flip_in_body(message: bytes, rng: random.Random) -> bytes:
    head, sep, body = message.partition(b"\r\n\r\n")
    if not body:
        return message
    data = bytearray(body)
    data[rng.randrange(len(data))] ^= 0x04
    return head + sep + bytes(data)
