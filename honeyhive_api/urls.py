"""Checking the base URL before any request, and showing URLs without the secrets they may carry.

The API key travels only in the ``Authorization`` header. A key pasted into the base URL
(``https://user:KEY@host/``, ``https://host/?api_key=KEY``) would be sent to every proxy log and
shown on every error page, so such a URL is refused instead of quietly cleaned.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from honeyhive_api.errors import InvalidBaseURLError, redact

__all__ = ["DEFAULT_BASE_URL", "check_base_url", "redact_url"]

DEFAULT_BASE_URL = "https://api.honeyhive.ai"
_MASK = "***"


def redact_url(url: str) -> str:
    """``url`` safe to show: user info, every query value and the fragment are masked.

    Never raises, also for URLs that do not parse: it is what error messages are built with.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "<a URL that does not parse>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_MASK}@{netloc.rpartition('@')[2]}"
    query = "&".join(
        f"{pair.partition('=')[0]}={_MASK}" if "=" in pair else _MASK for pair in parts.query.split("&") if pair
    )
    return SplitResult(parts.scheme, netloc, parts.path, query, _MASK if parts.fragment else "").geturl()


def check_base_url(base_url: str, *, api_key: str | None = None) -> str:
    """The base URL without a trailing slash, or ``InvalidBaseURLError`` saying what to change.

    Accepted: ``https://`` to any host (``https://api.honeyhive.ai``, a data-plane URL such as
    ``https://api.dp1.us.honeyhive.ai``, a company proxy), and plain ``http://`` on loopback only
    (the local emulator), because over plain http the API key would cross the network readable.
    """
    shown = redact(redact_url(base_url), api_key)
    url = base_url.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading the port is where "host:notaport" fails
    except ValueError:
        raise _invalid(shown, "does not parse as a URL", f"use e.g. {DEFAULT_BASE_URL}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid(shown, "is not an http(s) URL with a host", f"use e.g. {DEFAULT_BASE_URL}")
    if "@" in parts.netloc:
        raise _invalid(
            shown,
            "carries a user name or password (user:secret@host)",
            "remove them from the URL and give the API key as HONEYHIVE_API_KEY instead",
        )
    if "?" in url or "#" in url:
        raise _invalid(
            shown,
            "has a query string or fragment (?… or #…), where keys and tokens must not go",
            "remove everything from '?' or '#' on, and give the API key as HONEYHIVE_API_KEY",
        )
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        raise _invalid(shown, "contains spaces or control characters", f"use e.g. {DEFAULT_BASE_URL}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        secure = SplitResult("https", parts.netloc, parts.path, "", "").geturl()
        raise _invalid(
            shown,
            "uses plain http to a host that is not this machine, which would send the API key unencrypted",
            f"use {redact(secure, api_key)!s}",
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _invalid(shown: str, problem: str, fix: str) -> InvalidBaseURLError:
    return InvalidBaseURLError(f"The HoneyHive base URL {shown!r} {problem}: {fix} (HONEYHIVE_BASE_URL).")
