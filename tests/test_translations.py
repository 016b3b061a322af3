"""The Dutch catalogues are complete, compiled and in force: CI fails when makemessages finds
a string without a Dutch text or a fuzzy entry, when a .mo lags its .po, or when another
catalogue (Wagtail's, Django's, a sibling app's) would show a different Dutch text."""

import gettext
import shutil
import subprocess
import sys

from django.utils import translation

from .processes import ROOT

SOURCES = ("cms", "cms_extranet", "search", "templates", "manage.py", "Makefile")


def catalogues(root):
    return sorted(root.glob("**/locale/nl_BE/LC_MESSAGES/django.mo"))


def entries(mo):
    """{(context, msgid, n): msgstr} of a compiled catalogue, header left out."""
    with open(mo, "rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog
    result = {}
    for key, text in catalog.items():
        msgid, n = key if isinstance(key, tuple) else (key, None)
        if msgid:
            context, _sep, msgid = msgid.rpartition("\x04")
            result[(context or None, msgid, n)] = text
    return result


def test_makemessages_finds_every_string_translated_and_the_catalogues_compiled(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    made = subprocess.run(
        ["make", "-s", "messages", f"PY={sys.executable}"], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert made.returncode == 0, made.stdout + made.stderr
    committed = catalogues(ROOT)
    assert [mo.relative_to(ROOT) for mo in committed] == [mo.relative_to(tmp_path) for mo in catalogues(tmp_path)]
    assert len(committed) == 7
    for mo in committed:
        po = tmp_path / mo.relative_to(ROOT).with_suffix(".po")
        for problem in ("--untranslated", "--only-fuzzy"):
            found = subprocess.run(
                ["msgattrib", problem, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
            ).stdout
            assert "msgid" not in found.split('msgstr ""', 1)[-1], f"{po.relative_to(tmp_path)} {problem}:\n{found}"
        assert entries(mo) == entries(tmp_path / mo.relative_to(ROOT)), f"{mo} is not compiled from its .po"


def test_every_dutch_text_of_the_catalogues_is_the_one_users_see():
    wrong = []
    with translation.override("nl-be"):
        for mo in catalogues(ROOT):
            for (context, msgid, n), text in entries(mo).items():
                if n is None:
                    seen = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                else:  # Dutch: form 0 for one, form 1 for more; the plural msgid does not matter
                    count = 1 if n == 0 else 2
                    seen = (
                        translation.npgettext(context, msgid, "-", count)
                        if context
                        else translation.ngettext(msgid, "-", count)
                    )
                if seen != text:
                    wrong.append(f"{mo.relative_to(ROOT)}: {msgid!r} shows {seen!r}, not {text!r}")
    assert not wrong, "\n".join(wrong)
