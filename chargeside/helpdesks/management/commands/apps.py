"""`chargeside apps build <desk> [--out FILE] [--base-url URL]`: the installable package of a desk's app.

Zips `apps/<desk>/` (the folder we ship for that desk) after filling in this instance's addresses, so the admin
uploads a package that already points at us. In every text file of the folder:

    __CHARGESIDE_URL__    our public address, e.g. https://billing.example.com (CHARGESIDE_PUBLIC_URL)
    __CHARGESIDE_HOST__   the same without the scheme, e.g. billing.example.com (Freshworks request templates
                          take a bare host)

Per-installation values (connection tokens, secrets) are not baked in: the desk asks for them when the app is
installed (Freshdesk: iparams). Files and folders whose names start with "." are left out, as the desks' own
packers (`fdk pack`, `zcli apps:package`) leave them out, and so is the folder's top-level README.md (it is
for us, not for the desk).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

APPS_DIR = Path(settings.BASE_DIR).parent / "apps"
TEXT_SUFFIXES = {".json", ".html", ".js", ".css", ".svg", ".md", ".txt", ".yml", ".yaml", ".xml", ".hbs"}


def placeholders(base_url: str) -> dict[str, str]:
    base_url = base_url.rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CommandError(f"Not an http(s) address: {base_url!r}")
    return {"__CHARGESIDE_URL__": base_url, "__CHARGESIDE_HOST__": parts.netloc}


def build(desk: str, out: Path, base_url: str) -> list[str]:
    """Write the package; returns the names it contains."""
    source = APPS_DIR / desk
    if not desk.replace("_", "").replace("-", "").isalnum() or not (source / "manifest.json").is_file():
        available = sorted(p.name for p in APPS_DIR.iterdir() if (p / "manifest.json").is_file()) if APPS_DIR.is_dir() else []
        raise CommandError(f"No app for '{desk}' under {APPS_DIR}. Apps: {', '.join(available) or 'none'}")
    values = placeholders(base_url)
    names = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or any(part.startswith(".") for part in relative.parts) or relative.as_posix() == "README.md":
                continue
            data = path.read_bytes()
            if path.suffix.lower() in TEXT_SUFFIXES:
                text = data.decode("utf-8")
                for placeholder, value in values.items():
                    text = text.replace(placeholder, value)
                data = text.encode("utf-8")
            package.writestr(relative.as_posix(), data)
            names.append(relative.as_posix())
    return names


class Command(BaseCommand):
    help = "Build the installable package of a helpdesk's app (apps/<desk>/ with this instance's addresses)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        build_parser = commands.add_parser("build", help="zip apps/<desk>/ with the addresses filled in")
        build_parser.add_argument("desk", help="the app folder under apps/, e.g. freshdesk")
        build_parser.add_argument("--out", default="", help="the zip to write (default dist/<desk>-app.zip)")
        build_parser.add_argument("--base-url", default="", help="our public address (default CHARGESIDE_PUBLIC_URL)")

    def handle(self, *args, command, **options):
        if command == "build":
            desk = options["desk"]
            out = Path(options["out"] or f"dist/{desk}-app.zip")
            names = build(desk, out, options["base_url"] or settings.CHARGESIDE_PUBLIC_URL)
            self.stdout.write(f"{desk}: wrote {out} ({len(names)} files)")
