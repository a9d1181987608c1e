"""The baseline server of bench.emulator_throughput: uvicorn serving a bare ASGI app that answers every
request with a small JSON body. What the load generator reaches against it is this machine's ceiling
for uvicorn + HTTP/1.1 on loopback, with no framework, validation or database behind it.

``python -m bench._trivial_asgi --port N``
"""

from __future__ import annotations

import argparse

import uvicorn

BODY = b'[{"name": "Sandbox - Email Writer", "type": "generation"}]'
# What bench.emulator_current's export pages weigh (1,000 events of ~770 bytes): the ceiling for
# moving answers that size, so the export route is compared with its own kind.
EXPORT_BODY = b'{"events":[' + b",".join([b'{"event_id":"' + b"x" * 750 + b'"}'] * 1000) + b'],"totalEvents":1000}'


async def app(scope: dict, receive: object, send: object) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the request body, as a real handler would
        message = await receive()  # type: ignore[operator]
        more = message.get("more_body", False)
    body = EXPORT_BODY if scope["path"].endswith("/export") else BODY
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": body})  # type: ignore[operator]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
