"""The verdict scale: names, labels, colours, icons, order and the numbers that go into ClaimReview."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    name: str
    label: str
    rating: int
    color: str
    icon: str


DEFAULT_SCALE = [
    {"name": "supported", "label": "Supported", "rating": 4, "color": "#1b7f3b", "icon": "✓"},
    {"name": "partly-supported", "label": "Partly supported", "rating": 3, "color": "#8a5a00", "icon": "◐"},
    {"name": "unsupported", "label": "Unsupported", "rating": 2, "color": "#5c5c66", "icon": "?"},
    {"name": "contradicted", "label": "Contradicted", "rating": 1, "color": "#b3261e", "icon": "✗"},
]


class ScaleError(ValueError):
    pass


class Scale:
    """Verdicts from best to worst, as the site lists them."""

    def __init__(self, verdicts: list[dict] | None = None):
        items = verdicts or DEFAULT_SCALE
        self.verdicts: list[Verdict] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not item.get("name"):
                raise ScaleError(f"verdict {index + 1} of the scale needs at least a name")
            name = str(item["name"])
            try:
                rating = int(item.get("rating", len(items) - index))
            except (TypeError, ValueError):
                raise ScaleError(
                    f"verdict '{name}' of the scale: rating {item.get('rating')!r} is not a whole number"
                ) from None
            self.verdicts.append(
                Verdict(
                    name=name,
                    label=str(item.get("label") or name.replace("-", " ").capitalize()),
                    rating=rating,
                    color=str(item.get("color", "#5c5c66")),
                    icon=str(item.get("icon", "●")),
                )
            )
        names = [v.name for v in self.verdicts]
        if len(set(names)) != len(names):
            raise ScaleError("the verdict scale names a verdict twice")
        self._by_name = {v.name.lower(): v for v in self.verdicts}

    def get(self, name: str | None) -> Verdict | None:
        return self._by_name.get((name or "").lower())

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.verdicts]

    @property
    def best(self) -> int:
        return max(v.rating for v in self.verdicts)

    @property
    def worst(self) -> int:
        return min(v.rating for v in self.verdicts)
