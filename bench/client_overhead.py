"""Q2: per-call overhead of HoneyHiveClient.generate vs. the same POST /generations through a bare
requests.Session (same JSON body, same headers, response JSON decoded), sequentially on loopback.

The emulator (offline provider, :memory: DB) runs in a separate process so that the client's process
does not share its GIL. The two loops alternate within each repetition so that drift hits both.
"""

from __future__ import annotations

import requests

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, print_table, ratio_line, timed
from honeyhive_api import HoneyHiveClient


def main() -> None:
    args = parse_args(__doc__ or "")
    calls = 50 if args.quick else 2000
    with emulator_process() as url:
        client = HoneyHiveClient(API_KEY, url)
        body = client._generate_body(TASK, INPUTS, None, None, None, stream=False)
        bare = requests.Session()
        bare.headers.update(
            {
                "Authorization": f"Bearer {API_KEY}",
                "Accept": "application/json",
                "User-Agent": "hive-review/0.1 (+honeyhive_api)",
            }
        )
        endpoint = f"{url}/generations"

        def with_client(n: int = calls) -> None:
            for _ in range(n):
                client.generate(TASK, INPUTS)

        def with_bare(n: int = calls) -> None:
            for _ in range(n):
                answer = bare.post(endpoint, json=body, timeout=(5.0, 30.0))
                answer.raise_for_status()
                answer.json()

        with_client(20)  # warm both: connections, imports, the server's first requests
        with_bare(20)
        client_times, bare_times = [], []
        for _ in range(args.reps):
            client_times.append(timed(with_client))
            bare_times.append(timed(with_bare))
        client.close()
        bare.close()
    scale = 1e6 / calls  # microseconds per call
    print_table(
        f"{calls} sequential generations on loopback (emulator in its own process), per call",
        [("bare requests.Session", bare_times), ("HoneyHiveClient.generate", client_times)],
        unit="us/call",
        scale=scale,
    )
    extra = (median(client_times) - median(bare_times)) * scale
    print(f"client overhead: {extra:.0f} us per call")
    ratio_line(median(client_times) / median(bare_times), "<= 1.10")


if __name__ == "__main__":
    main()
