#!/usr/bin/env python3
"""Split a .po catalogue's untranslated entries into chunks for translators, and merge them back.

    scripts/po_chunks.py split sopeli/locale/ka/LC_MESSAGES/django.po var/po-chunks 4
    scripts/po_chunks.py merge sopeli/locale/ka/LC_MESSAGES/django.po var/po-chunks

Entries are the blank-line-separated blocks of a .po file; a chunk is a valid .po file (the
catalogue's header plus its entries), so translators can check it with `msgfmt --check`.
Merging replaces each entry of the catalogue by the chunk's entry with the same msgid/context.
"""

import re
import sys
from pathlib import Path


def blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def key(block: str) -> str:
    """The entry's context and msgid as text, whatever their line wrapping."""
    lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
    out, take = [], False
    for ln in lines:
        if ln.startswith(("msgctxt", "msgid")):
            take = True
            out.append(ln.split(" ", 1)[0] + ":")
        elif ln.startswith("msgstr"):
            take = False
        if take:
            out.append("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', ln)))
    return "".join(out)


def untranslated(block: str) -> bool:
    if "#, fuzzy" in block:
        return True
    strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n?((?:".*"\n?)*)', block + "\n", re.M)
    return any(first == "" and not rest.strip() for first, rest in strs)


def split(po: Path, out: Path, n: int) -> None:
    header, *entries = blocks(po.read_text())
    todo = [e for e in entries if untranslated(e) and not e.startswith("#~")]
    out.mkdir(parents=True, exist_ok=True)
    size = -(-len(todo) // n) if todo else 0
    for i in range(n):
        part = todo[i * size:(i + 1) * size]
        if part:
            (out / f"chunk{i + 1}.po").write_text("\n\n".join([header, *part]) + "\n")
    print(f"{len(todo)} untranslated entries in {n} chunks of up to {size}")


def merge(po: Path, chunks: Path) -> None:
    header, *entries = blocks(po.read_text())
    done = {}
    for chunk in sorted(chunks.glob("chunk*.po")):
        for e in blocks(chunk.read_text())[1:]:
            if not untranslated(e):
                done[key(e)] = e.replace("#, fuzzy\n", "")
    merged = [done.get(key(e), e) for e in entries]
    po.write_text("\n\n".join([header, *merged]) + "\n")
    print(f"merged {sum(key(e) in done for e in entries)} translated entries")


if __name__ == "__main__":
    cmd, po, folder, *rest = sys.argv[1:]
    if cmd == "split":
        split(Path(po), Path(folder), int(rest[0]) if rest else 4)
    else:
        merge(Path(po), Path(folder))
