"""Stopping the hub while it is still connecting leaves no connection behind.

A cancelled wait for the CONNACK once left the socket open (aiomqtt did); the
socket and paho's housekeeping task then outlived the event loop, and paho's
close failed on the closed loop when the garbage collector ran it, in
whichever later test that happened (a CI failure in an ONVIF test)."""

from __future__ import annotations

import asyncio

from hub.core.mqtt import MqttConnection
from hub.core.mqtt.link import HOUSEKEEPING


def paho_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if not t.done() and t.get_name() == HOUSEKEEPING]


async def test_stopping_while_the_broker_has_not_answered_closes_the_connection() -> None:
    accepted: asyncio.Queue[asyncio.StreamReader] = asyncio.Queue()
    writers: list[asyncio.StreamWriter] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await accepted.put(reader)

    # a broker that takes the connection and never sends the CONNACK
    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = MqttConnection(
        host="127.0.0.1", port=port, client_id="uji-diam", status_topic="sigap/uji-diam"
    )
    connection.start()
    try:
        async with asyncio.timeout(5):
            reader = await accepted.get()
            await reader.readexactly(2)  # the CONNECT is on its way
        assert paho_tasks(), "paho's housekeeping task runs while connecting"

        async with asyncio.timeout(5):
            await connection.stop()
            # the hub's side closed: the broker reads the end of the stream
            while await reader.read(4096):
                pass
        assert not connection.connected
        assert paho_tasks() == []
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
