"""The site's configuration file as findings name it: a finding about the configuration (no page, no
file of its own) is placed at the line of the option it is about, so that editors can go there."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from mkdocs_factcheck.core.findings import Finding

# The option each kind of configuration finding is about (its line in the file; line 1 when absent).
OPTION_OF_KIND = {
    "no_site_url": "site_url",
    "unformattable_entry": "style",  # the style cannot be used, or the site as one document timed out
    "service_unavailable": "online",
    "remote_file_unavailable": "bibliography",  # placed at the file's URL when the message names it
}
URL = re.compile(r"https?://\S+")


# Where a host's configuration can be, in the order hosts look (Zensical reads either).
NAMES = ("zensical.toml", "mkdocs.yml", "mkdocs.yaml")


def option_line(text: str, name: str) -> int | None:
    """The line of `name:` (YAML) or `name =` (TOML) in a configuration file's text (the first; options
    are not repeated)."""
    match = re.search(rf"^[ \t-]*[\"']?{re.escape(name)}[\"']?[ \t]*[:=]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@dataclasses.dataclass(frozen=True)
class ConfigFile:
    name: str  # relative to the site's base folder, as findings name files
    text: str

    @classmethod
    def read(cls, path: Path, base: Path) -> ConfigFile | None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            name = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            name = str(path)
        return cls(name, text)

    @classmethod
    def found_in(cls, base: Path) -> ConfigFile | None:
        """The configuration in a site's folder, for a host that does not say which file it read."""
        for name in NAMES:
            if (base / name).is_file():
                return cls.read(base / name, base)
        return None

    def place(self, finding: Finding) -> Finding:
        """The finding, placed in this file if it has no place of its own."""
        if finding.file or finding.page:
            return finding
        return dataclasses.replace(finding, file=self.name, line=self._line_of(finding))

    def _line_of(self, finding: Finding) -> int:
        for url in URL.findall(finding.message):  # a remote file: where the configuration gives its address
            found = self.text.find(url.rstrip(").,:;"))
            if found >= 0:
                return self.text.count("\n", 0, found) + 1
        option = OPTION_OF_KIND.get(finding.kind)
        return (option_line(self.text, option) if option else None) or 1
