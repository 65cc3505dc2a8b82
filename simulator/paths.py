"""Route paths as the router matches them: their shapes, and which path's requests another path takes."""
from __future__ import annotations


def shape(path: str) -> str:
    """A path with its parameters blanked and its words lowercased: how routes are matched."""
    return "/".join("{}" if part.startswith("{") else part.lower() for part in path.split("/"))


def covers(general: str, specific: str) -> bool:
    """Whether every request of the path `specific` also matches the other, more general path: an id
    where the specific one has a word (`…/subscriptions/{subscription-id}` covers `…/overage`)."""
    return covers_parts(shape(general).split("/"), shape(specific).split("/"))


def covers_parts(wide: list[str], narrow: list[str]) -> bool:
    """`covers`, of two shapes split at their slashes (for callers that compare many paths)."""
    return len(wide) == len(narrow) and wide != narrow \
        and all(w in ("{}", n) for w, n in zip(wide, narrow, strict=True))
