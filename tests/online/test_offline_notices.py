"""The offline build of a site with a frozen identifiers file is the online build, byte for byte: notices
(a correction with its DOI and date, a retraction) keep what readers see in their marks."""

from __future__ import annotations

import pytest
from agency_records import works_message
from identifier_fakes import IdentifierServices, online_settings

pytest_plugins = ["online_fixtures"]  # fake services on 127.0.0.1 (see online_fixtures.py)

CORRECTED = {
    "type": "journal-article",
    "DOI": "10.1000/corrected",
    "title": "A corrected study",
    "container-title": "Journal of Tests",
    "volume": "3",
    "issue": "1",
    "page": "1-9",
    "author": [{"given": "Ada", "family": "Fixer", "sequence": "first", "affiliation": []}],
    "issued": {"date-parts": [[2003]]},
    "publisher": "Test Press",
    "updated-by": [
        {
            "DOI": "10.1000/erratum",
            "type": "correction",
            "label": "Correction",
            "source": "publisher",
            "updated": {"date-parts": [[2004, 2, 1]]},
        }
    ],
}
RETRACTED = {
    "type": "journal-article",
    "DOI": "10.1000/withdrawn",
    "title": "A withdrawn study",
    "container-title": "Journal of Tests",
    "volume": "4",
    "page": "10-19",
    "author": [{"given": "Bo", "family": "Gone", "sequence": "first", "affiliation": []}],
    "issued": {"date-parts": [[2005]]},
    "publisher": "Test Press",
    "updated-by": [
        {
            "DOI": "10.1000/retraction",
            "type": "retraction",
            "label": "Retraction",
            "source": "retraction-watch",
            "updated": {"date-parts": [[2006, 5, 9]]},
        }
    ],
}


@pytest.fixture
def fake(services):
    fake = IdentifierServices(services)
    for record in (CORRECTED, RETRACTED):
        fake.csl[record["DOI"]] = record
        services.works[record["DOI"]] = works_message(record)
    return fake


def test_offline_build_shows_the_notices_of_the_online_one_byte_for_byte(site, fake, services):
    site.bib("")
    site.page(
        "index.md",
        "# A\n\nCorrected [@doi:10.1000/corrected], retracted [@doi:10.1000/withdrawn].\n\n::: {#refs}\n:::\n",
    )
    site.config({"online": online_settings(services), "findings": {"uncited_entry": "ignore"}})
    site.build()
    online = site.html()
    assert 'title="Correction doi:10.1000/erratum 2004-02-01"' in online
    assert 'title="Retraction doi:10.1000/retraction 2006-05-09"' in online
    site.config({"online": {"enabled": False}, "findings": {"uncited_entry": "ignore"}})
    site.build()
    assert site.html() == online
