"""Shared helpers: write a real site into a temporary folder, build it with MkDocs, read the HTML."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent


class Site:
    def __init__(self, root: Path):
        self.root = root
        self.docs = root / "docs"
        self.docs.mkdir(parents=True, exist_ok=True)
        self.site_dir = root / "site"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def page(self, name: str, text: str) -> Path:
        return self.write(f"docs/{name}", text)

    def bib(self, text: str, name: str = "references.bib") -> Path:
        return self.write(name, text)

    def config(self, plugin: dict | None = None, extra: dict | None = None) -> Path:
        data = {
            "site_name": "Test",
            "site_url": "https://example.org/",
            "theme": {"name": "material"},
            # Tests read the editors' findings from factcheck.json (published sites leave them out by default)
            "plugins": [
                {
                    "factcheck": {
                        "bibliography": "references.bib",
                        "online": {"enabled": False},
                        "report_findings": True,
                        **(plugin or {}),
                    }
                }
            ],
            "markdown_extensions": ["attr_list", "footnotes", "admonition", "tables"],
        }
        data.update(extra or {})
        path = self.root / "mkdocs.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    def build(self, strict: bool = False, **overrides):
        cfg = load_config(str(self.root / "mkdocs.yml"), strict=strict, **overrides)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
        return cfg

    def html(self, page: str = "index.html") -> str:
        return (self.site_dir / page).read_text(encoding="utf-8")


def nested_conversion_hook(site: Site, markdown: str, shown: bool) -> None:
    """A hook converting `markdown` with the site's extensions inside each page's build, before the
    factcheck plugin's on_page_content, as mkdocstrings or an excerpt would; `shown`: its HTML is added
    to the page."""
    result = "html + nested" if shown else "html"
    site.write(
        "hooks.py",
        "import markdown\n"
        "from mkdocs.plugins import event_priority\n\n\n"
        "@event_priority(50)  # before the factcheck plugin's on_page_content\n"
        "def on_page_content(html, page, config, files):\n"
        f"    nested = markdown.Markdown(extensions=config.markdown_extensions).convert({markdown!r})\n"
        f"    return {result}\n",
    )


@pytest.fixture(autouse=True, scope="session")
def user_cache_dir(tmp_path_factory):
    """The check command's cache key (cli/cache_key.py) is made in the user's cache directory: tests
    make theirs in a temporary one, and no key is given by the environment unless a test gives one."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("user-cache")
        patch.setenv("XDG_CACHE_HOME", str(path))
        patch.delenv("FACTCHECK_CACHE_KEY", raising=False)
        yield path


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture
def warnings(caplog):
    """The formatted messages MkDocs' loggers emitted at WARNING or above."""
    caplog.set_level(logging.INFO)

    def collect(level: int = logging.WARNING) -> list[str]:
        return [record.getMessage() for record in caplog.records if record.levelno >= level]

    return collect


BIB = r"""
@string{gut = {Gut}}

@article{onji1987,
  author  = {Onji, M. and Kondoh, H. and Horiike, N.},
  title   = {Effect of recombinant interleukin 2 on hepatitis {B}},
  journal = gut,
  year    = {1987},
  volume  = {28},
  number  = {12},
  pages   = {1648--1652},
  doi     = {10.1136/gut.28.12.1648},
  pmid    = {3501387}
}

@article{mueller2001,
  author  = {M{\"u}ller, J{\"o}rg and Garc{\'\i}a, Jos{\'e}},
  title   = {{\AE}sthetic {\'e}tudes {\"u}ber Stra{\ss}e},
  journal = {Journal of Accents},
  year    = {2001},
  pmcid   = {PMC2275327}
}

@book{parent2010,
  editor    = {Smith, Anne},
  title     = {The Parent Book},
  publisher = {Big Press},
  year      = {2010},
  isbn      = {978-0-306-40615-7}
}

@incollection{child2010,
  author   = {Jones, Bob},
  title    = {A Chapter},
  crossref = {parent2010}
}

@misc{web2020,
  title        = {A web page},
  howpublished = {\url{https://example.org/page}},
  year         = {2020}
}

@article{smith:2000.a,
  author  = {Smith, Al},
  title   = {Keys with punctuation},
  journal = {J},
  year    = {2000}
}

@article{odd.key.,
  author  = {Odd, Ol},
  title   = {Braced key},
  journal = {J},
  year    = {2000}
}
"""


@pytest.fixture
def bib_site(site):
    """A site with the shared test bibliography and the plugin's defaults."""
    site.bib(BIB)
    site.config()
    return site


def soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")
