"""Base URLs the client takes, refuses (saying the fix, never repeating a credential) and shows."""

from __future__ import annotations

import pytest
from raw_http_support import CANARY

from honeyhive_api import (
    HoneyHiveClient,
    HoneyHiveError,
    InvalidBaseURLError,
    redact_url,
)


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{CANARY}@api.honeyhive.ai",
        f"https://{CANARY}@api.honeyhive.ai/",
        f"https://api.honeyhive.ai/?api_key={CANARY}",
        f"https://api.honeyhive.ai/v1#{CANARY}",
        f"http://127.0.0.1:8000/?key={CANARY}",
    ],
)
def test_a_base_url_with_credentials_is_refused_without_repeating_them(url):
    with pytest.raises(InvalidBaseURLError) as caught:
        HoneyHiveClient("some-key", url)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, HoneyHiveError)
    message = str(caught.value)
    assert CANARY not in message and CANARY not in repr(caught.value)
    assert "HONEYHIVE_API_KEY" in message  # the fix: the key goes in the key setting
    assert CANARY not in redact_url(url)


def test_the_key_itself_is_scrubbed_from_a_url_message():
    with pytest.raises(InvalidBaseURLError) as caught:
        HoneyHiveClient(CANARY, f"http://example.com/{CANARY}/")
    assert CANARY not in str(caught.value)
    assert "https://example.com/" in str(caught.value)  # the fix it proposes


@pytest.mark.parametrize(
    "url", ["ftp://api.honeyhive.ai", "api.honeyhive.ai", "https://", "http://api.honeyhive.ai", "https://h:port/"]
)
def test_unusable_base_urls_are_refused_with_the_fix(url):
    with pytest.raises(InvalidBaseURLError, match="HONEYHIVE_BASE_URL"):
        HoneyHiveClient("k", url)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://api.honeyhive.ai", "https://api.honeyhive.ai"),
        ("https://api.dp1.us.honeyhive.ai/", "https://api.dp1.us.honeyhive.ai"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_honeyhive_and_loopback_urls_are_accepted(url, kept):
    with HoneyHiveClient("k", url) as hh:
        assert hh.base_url == kept


def test_redact_url_masks_userinfo_query_values_and_fragment():
    shown = redact_url("https://me:pw@api.honeyhive.ai:8443/p?api_key=K&flag#frag")
    assert shown == "https://***@api.honeyhive.ai:8443/p?api_key=***&***#***"
    assert redact_url("https://api.honeyhive.ai/v1") == "https://api.honeyhive.ai/v1"
    assert redact_url("http://[bad") == "<a URL that does not parse>"
