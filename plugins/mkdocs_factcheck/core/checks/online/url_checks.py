"""URLs of sources: do they answer? HEAD first, a GET without reading the body when HEAD is refused."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from mkdocs_factcheck.core.checks.online.http import Client
from mkdocs_factcheck.core.checks.online.outcome import FOUND, NOT_FOUND, Outcome, unverified

HEAD_REFUSED = {403, 405, 501}  # servers that answer HEAD with these often serve GET
ALIVE_BUT_CLOSED = {401, 402, 403, 407, 451}  # the address exists; the page is not for robots
PERMANENT = {301, 308}


def check_url(client: Client, url: str, max_redirects: int = 10) -> Outcome:
    """Follow redirects one hop at a time (each through the host limits), never reading a body."""
    current = url
    seen = {url}
    moved_to = ""  # where the permanent redirects from the start of the chain lead
    permanent_so_far = True
    for _hop in range(max_redirects + 1):
        reply = client.request("HEAD", current, read_body=False)
        if reply.status in HEAD_REFUSED:
            reply = client.request("GET", current, read_body=False)
        location = reply.header("location")
        if 300 <= reply.status < 400 and location:
            target = urljoin(current, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):  # javascript:, ftp:, mailto:: nothing we may follow or judge
                return unverified(f"redirects to a {scheme or 'schemeless'}: address, not checked")
            permanent_so_far = permanent_so_far and reply.status in PERMANENT
            if permanent_so_far:
                moved_to = target
            if target in seen:
                return Outcome(NOT_FOUND, f"redirect loop at {target}")
            seen.add(target)
            current = target
            continue
        data = {"final": current, "status": reply.status, "moved_to": moved_to if moved_to != url else ""}
        if 200 <= reply.status < 400 or reply.status in ALIVE_BUT_CLOSED:
            detail = (
                f"moved permanently to {moved_to}"
                if data["moved_to"]
                else ("" if reply.status < 400 else f"HTTP {reply.status} (not public)")
            )
            return Outcome(FOUND, detail, data)
        return Outcome(NOT_FOUND, f"HTTP {reply.status}", data)
    return Outcome(NOT_FOUND, f"more than {max_redirects} redirects")
