"""`chargeside makemessages`: Django's, plus the strings of the Jinja2 templates (`*/jinja2/*.html`).

Django reads every .html file as a Django template, and in Jinja2 syntax it misses `_()` calls that are
arguments (`section_block(view.charges, _("Payments"))`) and `ngettext()`: their catalog entries would be
marked obsolete. For a file under a `jinja2/` folder, Jinja2's own extractor finds the calls, and they are
handed to xgettext as Python calls on their original line numbers (so `#:` locations stay right).
"""

from __future__ import annotations

import os

from django.core.management.commands import makemessages


def _python_for_jinja(source: str) -> str:
    from django.template import engines

    lines = [""] * (source.count("\n") + 1)
    for lineno, function, message in engines["jinja2"].env.extract_translations(source):
        strings = message if isinstance(message, tuple) else (message,)
        args = ", ".join(repr(s) for s in strings if s is not None)
        call = f"ngettext({args}, n)" if function == "ngettext" else f"gettext({args})"
        lines[lineno - 1] = f"{lines[lineno - 1]}; {call}" if lines[lineno - 1] else call
    return "\n".join(lines) + "\n"


class JinjaAwareBuildFile(makemessages.BuildFile):
    def preprocess(self):
        if not (self.is_templatized and f"{os.sep}jinja2{os.sep}" in self.path):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source, open(self.work_path, "w", encoding="utf-8") as work:
            work.write(_python_for_jinja(source.read()))


class Command(makemessages.Command):
    build_file_class = JinjaAwareBuildFile
