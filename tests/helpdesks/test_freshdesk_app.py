"""The Freshworks app package (apps/freshdesk/): consistent as the FDK validates it (checked here because the
FDK is not installable from the npm registry), and `chargeside apps build freshdesk` fills in our host."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

APP = Path(__file__).resolve().parents[2] / "apps" / "freshdesk"
TAG = re.compile(r"<%=\s*iparam\.([A-Za-z0-9_]+)\s*%>")


def load(name: str) -> dict:
    return json.loads((APP / name).read_text())


def test_the_manifest_declares_a_ticket_sidebar_and_every_request_template():
    manifest, requests = load("manifest.json"), load("config/requests.json")
    assert manifest["platform-version"] == "3.0"
    sidebar = manifest["modules"]["support_ticket"]["location"]["ticket_sidebar"]
    assert (APP / "app" / sidebar["url"]).is_file() and (APP / "app" / sidebar["icon"]).is_file()
    assert set(manifest["modules"]["common"]["requests"]) == set(requests)


def test_templates_use_declared_iparams_and_the_secret_only_in_headers():
    iparams, requests = load("config/iparams.json"), load("config/requests.json")
    secure = {name for name, spec in iparams.items() if spec.get("secure")}
    assert secure == {"chargeside_secret"}
    for template in requests.values():
        schema = template["schema"]
        assert "://" not in schema["host"]  # a bare host: Freshworks adds https
        for where in ("host", "path", "query"):
            used = set(TAG.findall(json.dumps(schema.get(where, ""))))
            assert used <= set(iparams) and not used & secure, where
        assert set(TAG.findall(json.dumps(schema["headers"]))) & secure


def test_index_html_loads_the_freshworks_client_and_the_app_script():
    html = (APP / "app" / "index.html").read_text()
    assert '<script src="{{{appclient}}}"></script>' in html and 'src="scripts/app.js"' in html
    script = (APP / "app" / "scripts" / "app.js").read_text()
    assert 'invokeTemplate("chargesidePanel"' in script and "chargeside_secret" not in script


def test_apps_build_fills_in_the_host_and_zips_the_folder(tmp_path):
    out = tmp_path / "freshdesk.zip"
    call_command("apps", "build", "freshdesk", "--out", str(out), "--base-url", "https://billing.example.com/")

    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        iparams = json.loads(package.read("config/iparams.json"))
    assert {"manifest.json", "config/iparams.json", "config/requests.json", "app/index.html", "app/scripts/app.js"} <= names
    assert "README.md" not in names
    assert iparams["chargeside_host"]["default_value"] == "billing.example.com"
    assert "__CHARGESIDE" not in json.dumps(iparams)


@pytest.mark.parametrize("args", [["build", "nosuchdesk"], ["build", "../apps"], ["build", "freshdesk", "--base-url", "ftp://x"]])
def test_apps_build_says_what_is_wrong(args, tmp_path):
    with pytest.raises(CommandError):
        call_command("apps", *args, "--out", str(tmp_path / "x.zip"))
