"""The consent gettext domain: its template from the content files, and the per-language catalogues.

Why a domain of its own: everything the defendant reads (the content, the questions, the decision and the
words on their screens) is translated and reviewed together, apart from the officer's screens, and each
catalogue carries two entries of its own in the "catalogue" context: whether a qualified translator has
reviewed it, and its revision (part of every consent text version in that language).

    python -m app.consent_catalogue template   # write locales/consent.pot from content/easy_read/en/
    python -m app.consent_catalogue update     # merge the template into every locales/*/LC_MESSAGES/consent.po
    python -m app.consent_catalogue compile    # .po -> .mo (fuzzy entries are never compiled)
    python -m app.consent_catalogue check      # exit 1 and list what any catalogue lacks
"""

from __future__ import annotations

import re
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app.consent_content import CONTENT_DIR, PICTURES_DIR, REPO_ROOT, source_files
from app.i18n import CONSENT_DOMAIN, CONSENT_LOCALES, LOCALES_DIR, SOURCE_LOCALE, catalogue_paths

CATALOGUE_CONTEXT = "catalogue"
REVIEW_ID, REVISION_ID = "translation-review", "revision"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def template(content_dir: Path = CONTENT_DIR, pictures_dir: Path = PICTURES_DIR) -> Catalog:
    """Every string of the consent content, with where it comes from, plus the two catalogue entries."""
    cat = Catalog(project="Courtside", domain=CONSENT_DOMAIN, fuzzy=False)
    cat.add(REVIEW_ID, context=CATALOGUE_CONTEXT, auto_comments=[
        "Write 'unreviewed', or the name of the qualified translator who reviewed this whole catalogue and "
        "the date. The app shows the officer a notice and asks for an interpreter until it is reviewed."])
    cat.add(REVISION_ID, context=CATALOGUE_CONTEXT, auto_comments=[
        "A whole number. Add 1 whenever any translation in this catalogue changes: it is part of the "
        "version of every consent text in this language."])
    for src in source_files(content_dir, pictures_dir).values():
        try:
            where = str(src.path.relative_to(REPO_ROOT))
        except ValueError:
            where = str(src.path)
        for text in src.strings():
            if text in cat:
                message = cat[text]
                if (where, 0) not in message.locations:
                    message.locations.append((where, 0))
            else:
                cat.add(text, locations=[(where, 0)],
                        auto_comments=["Keep {n} and {total} as they are."] if _PLACEHOLDER.search(text) else [])
    return cat


def write_template(path: Path = LOCALES_DIR / f"{CONSENT_DOMAIN}.pot") -> Path:
    with open(path, "wb") as f:
        write_po(f, template(), width=100, omit_header=False, include_lineno=False)
    return path


def _read(po: Path) -> Catalog:
    with open(po, "rb") as f:
        return read_po(f, locale=po.parent.parent.name, domain=CONSENT_DOMAIN)


def update(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Merge the template into each catalogue: new strings arrive empty, changed ones fuzzy (never compiled)."""
    tpl = template()
    done = []
    for locale in CONSENT_LOCALES:
        po, _mo = catalogue_paths(locale, locales_dir)
        if locale == SOURCE_LOCALE or not po.is_file():
            continue
        cat = _read(po)
        cat.update(tpl, no_fuzzy_matching=False)
        with open(po, "wb") as f:
            write_po(f, cat, width=100, ignore_obsolete=True, include_lineno=False)
        done.append(po)
    return done


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile every consent catalogue whose .mo is missing or older than its .po."""
    done = []
    for locale in CONSENT_LOCALES:
        po, mo = catalogue_paths(locale, locales_dir)
        if not po.is_file() or (mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns):
            continue
        buffer = BytesIO()
        write_mo(buffer, _read(po), use_fuzzy=False)
        tmp = mo.with_suffix(".mo.tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(mo)  # atomic: a running app never reads half a catalogue
        done.append(mo)
    return done


def problems(locale: str, locales_dir: Path = LOCALES_DIR) -> list[str]:
    """What stops this catalogue covering the consent content, each naming the file and the string."""
    po, _mo = catalogue_paths(locale, locales_dir)
    if not po.is_file():
        return [f"{po}: missing"]
    cat = _read(po)
    out = []
    if str(cat.locale) != locale:
        out.append(f"{po}: its Language header says {cat.locale}, not {locale}")
    for message in template():
        if not message.id:
            continue
        found = cat.get(message.id, context=message.context)
        label = f"{po}: msgid {message.id!r}" + (f" (msgctxt {message.context!r})" if message.context else "")
        if found is None or not found.string:
            out.append(f"{label} is not translated")
        elif found.fuzzy:
            out.append(f"{label} is marked fuzzy: check the translation, then remove the fuzzy flag")
        elif set(_PLACEHOLDER.findall(message.id)) != set(_PLACEHOLDER.findall(str(found.string))):
            out.append(f"{label}: the translation must keep {', '.join(_PLACEHOLDER.findall(message.id))}")
        elif message.context == CATALOGUE_CONTEXT and message.id == REVISION_ID and not str(found.string).isdigit():
            out.append(f"{label}: the revision must be a whole number")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["template"]:
        print(write_template())
    elif args == ["update"]:
        print("\n".join(map(str, update())))
    elif args == ["compile"]:
        print("\n".join(map(str, compile_catalogues())) or "consent catalogues are up to date")
    elif args == ["check"]:
        found = [p for locale in CONSENT_LOCALES if locale != SOURCE_LOCALE for p in problems(locale)]
        print("\n".join(found) or "every consent catalogue is complete", file=sys.stderr if found else sys.stdout)
        return 1 if found else 0
    else:
        print("usage: python -m app.consent_catalogue template|update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
