"""BibTeX's `abbrv`: `plain` with first names abbreviated (J. Smith). pybtex ships no such style."""

from pybtex.style.formatting.plain import Style as PlainStyle


class Style(PlainStyle):
    default_name_style = "plain"

    def __init__(self, **kwargs):
        kwargs.setdefault("abbreviate_names", True)
        super().__init__(**kwargs)
