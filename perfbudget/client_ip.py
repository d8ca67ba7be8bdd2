"""Who is asking: the client's address as the trusted proxy saw it.

Behind the compose deployment's nginx every request comes from the proxy's address, so a lockout or a
throttle keyed on ``REMOTE_ADDR`` would put every user in one bucket (and anyone could lock out anyone).
``X-Forwarded-For`` is believed only as far as it was written by proxies we trust
(``PERFBUDGET_TRUSTED_PROXIES``): walking it from the right, the first address that is not a trusted proxy
is the client. Whatever a client writes into the header itself sits to the left of that and is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(settings.PERFBUDGET_TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The rightmost address that is not a trusted proxy (``REMOTE_ADDR`` unless a trusted proxy connected)."""
    remote = request.META.get("REMOTE_ADDR", "")
    current = _address(remote)
    if not is_trusted_proxy(current):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # garbage a client wrote: stop at the last hop a trusted proxy vouched for
            break
        current = address
        if not is_trusted_proxy(address):
            break
    return str(current)
