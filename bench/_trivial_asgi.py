"""The baseline server of bench.emulator_throughput: uvicorn serving a bare ASGI app that answers every
request with a small JSON body. What the load generator reaches against it is this machine's ceiling
for uvicorn + HTTP/1.1 on loopback, with no framework, validation or database behind it.

``python -m bench._trivial_asgi --port N``
"""

from __future__ import annotations

import argparse

import uvicorn

BODY = b'[{"name": "Sandbox - Email Writer", "type": "generation"}]'


async def app(scope: dict, receive: object, send: object) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the request body, as a real handler would
        message = await receive()  # type: ignore[operator]
        more = message.get("more_body", False)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": BODY})  # type: ignore[operator]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
