"""`chargeside apps build <desk> [--out FILE] [--base-url URL]`: the installable package of a desk's app.

Zips `apps/<desk>/` (the folder we ship for that desk) after filling in this instance's addresses, so the admin
uploads a package that already points at us. In every text file of the folder:

    __CHARGESIDE_URL__    our public address, e.g. https://billing.example.com (CHARGESIDE_PUBLIC_URL)
    __CHARGESIDE_HOST__   the same without the scheme, e.g. billing.example.com (Freshworks request templates
                          take a bare host)
    __CHARGESIDE_DESK_URL__  with `--connection <id or token>`: that helpdesk connection's endpoint,
                          e.g. https://billing.example.com/desk/zendesk/<token>/ (Zendesk's manifest loads it as the
                          sidebar; a package that needs it and was built without --connection is refused)

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


def desk_url(base_url: str, connection_id: str) -> str:
    from django.urls import reverse

    from chargeside.connections.models import Connection

    # The id, or the token that ends the URL `chargeside helpdesk-connect` prints.
    found = Connection.objects.filter(kind=Connection.Kind.HELPDESK)
    connection = (found.filter(pk=int(connection_id)) if connection_id.isdigit() else found.filter(webhook_token=connection_id)).first()
    if connection is None:
        raise CommandError(f"No helpdesk connection {connection_id!r} (an id or a URL token).")
    return base_url.rstrip("/") + reverse("desk:callback", args=[connection.provider, connection.webhook_token])


def build(desk: str, out: Path, base_url: str, connection_id: str = "") -> list[str]:
    """Write the package; returns the names it contains."""
    source = APPS_DIR / desk
    if not desk.replace("_", "").replace("-", "").isalnum() or not (source / "manifest.json").is_file():
        available = sorted(p.name for p in APPS_DIR.iterdir() if (p / "manifest.json").is_file()) if APPS_DIR.is_dir() else []
        raise CommandError(f"No app for '{desk}' under {APPS_DIR}. Apps: {', '.join(available) or 'none'}")
    values = placeholders(base_url)
    if connection_id:
        values["__CHARGESIDE_DESK_URL__"] = desk_url(base_url, connection_id)
    names = []
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        _write(source, out, values, names, desk)
    except CommandError:
        out.unlink(missing_ok=True)  # never leave half a package behind
        raise
    return names


def _write(source: Path, out: Path, values: dict[str, str], names: list[str], desk: str) -> None:
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
                if "__CHARGESIDE_DESK_URL__" in text:
                    raise CommandError(f"The {desk} app points at one helpdesk connection: add --connection <id or token>.")
                data = text.encode("utf-8")
            package.writestr(relative.as_posix(), data)
            names.append(relative.as_posix())


class Command(BaseCommand):
    help = "Build the installable package of a helpdesk's app (apps/<desk>/ with this instance's addresses)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        build_parser = commands.add_parser("build", help="zip apps/<desk>/ with the addresses filled in")
        build_parser.add_argument("desk", help="the app folder under apps/, e.g. freshdesk")
        build_parser.add_argument("--out", default="", help="the zip to write (default dist/<desk>-app.zip)")
        build_parser.add_argument("--base-url", default="", help="our public address (default CHARGESIDE_PUBLIC_URL)")
        build_parser.add_argument("--connection", default="", help="the helpdesk connection (id or URL token) the app loads (Zendesk)")

    def handle(self, *args, command, **options):
        if command == "build":
            desk = options["desk"]
            out = Path(options["out"] or f"dist/{desk}-app.zip")
            names = build(desk, out, options["base_url"] or settings.CHARGESIDE_PUBLIC_URL, options["connection"])
            self.stdout.write(f"{desk}: wrote {out} ({len(names)} files)")
