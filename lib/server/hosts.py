"""Whether a request reached the app from the machine it runs on.

A command such as `tensorboard --logdir /srv/app/runs/...` only helps someone
sitting at the server: a visitor of a shared server can neither run it there
nor open the folder. Pages show such commands and paths only to local users
and offer downloads to everyone else. The decision is made from the request's
Host header (or the browser's URL), which the page passes in as a plain string.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def host_name(host_or_url: str) -> str:
    """The bare host of a Host header ("localhost:8501", "[::1]:8501") or a URL ("http://127.0.0.1:8501/train").

    A list such as X-Forwarded-Host "public.example, proxy" gives its first entry,
    the host the visitor typed.
    """
    text = host_or_url.split(",")[0].strip()
    if "://" not in text:
        text = "//" + text
    try:
        return (urlsplit(text).hostname or "").lower()
    except ValueError:  # a malformed header such as "[::1" must not break the page
        return ""


def is_local_host(host_or_url: str | None) -> bool:
    """True when the host is this machine: localhost, a *.localhost name, or a loopback address.

    Unknown (None or empty) is not local: a server path shown to a remote
    visitor is useless, while a local user who misses one still has the
    download next to it.
    """
    if not host_or_url:
        return False
    name = host_name(host_or_url)
    if not name:
        return False
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
