"""apps/intercom: what to enter in Intercom's Developer Hub, built by `chargeside apps build intercom` with our
address filled in; the Initialize and Submit URLs it names are the ones Chargeside serves, and the
`helpdesk-connect` settings it names exist on the adapter."""

from __future__ import annotations

import json
import re
import zipfile

from django.core.management import call_command
from django.urls import resolve

from chargeside.helpdesks.intercom.adapter import IntercomAdapter


def test_the_build_names_the_initialize_and_submit_urls_we_serve(tmp_path):
    out = tmp_path / "intercom.zip"
    call_command("apps", "build", "intercom", "--out", str(out), "--base-url", "https://billing.example.com/")

    with zipfile.ZipFile(out) as package:
        assert package.namelist() == ["manifest.json"]
        manifest = json.loads(package.read("manifest.json"))
    canvas = manifest["canvas_kit"]
    assert canvas["initialize_url"] == "https://billing.example.com/desk/intercom/__CONNECTION_TOKEN__/"
    assert canvas["submit_url"] == "https://billing.example.com/desk/intercom/__CONNECTION_TOKEN__/submit/"
    assert "__CHARGESIDE" not in json.dumps(manifest)
    for url, name in ((canvas["initialize_url"], "callback"), (canvas["submit_url"], "submit")):
        match = resolve(url.removeprefix("https://billing.example.com").replace("__CONNECTION_TOKEN__", "tok"))
        assert match.url_name == name and match.kwargs["key"] == "intercom"
    settings = set(re.findall(r"--set (\w+)=", json.dumps(manifest)))
    assert settings <= {field.name for field in IntercomAdapter.settings_spec}
