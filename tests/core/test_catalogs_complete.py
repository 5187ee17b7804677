"""Every string the product shows has its Turkish translation: no untranslated or fuzzy catalog entries
(`chargeside makemessages -l tr` adds new strings untranslated; this test says which)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import chargeside

CATALOGS = sorted(Path(chargeside.__file__).parent.rglob("locale/tr/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt (./scripts/test.sh installs it)")
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.parent.parent.parent.parent.name))
def test_the_turkish_catalog_is_complete(catalog, tmp_path):
    stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(catalog)],
                           capture_output=True, text=True, check=True).stderr
    assert "fuzzy" not in stats and "untranslated" not in stats, stats


def test_there_are_catalogs():
    assert len(CATALOGS) >= 2
