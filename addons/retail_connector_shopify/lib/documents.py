"""The GraphQL documents the connector sends, one ``.graphql`` file each.

Shared fragments live in ``graphql/fragments/``; :func:`load` appends the
fragments a document uses (transitively), so every file stays readable on its
own and every sent document is complete. Plain Python, no ORM.
"""

import functools
import re
from pathlib import Path

DOCUMENTS_DIR = Path(__file__).parent / "graphql"
FRAGMENTS_DIR = DOCUMENTS_DIR / "fragments"
#: the subset of Shopify's Admin schema the connector uses (and the sandbox serves)
SCHEMA_PATH = DOCUMENTS_DIR / "schema" / "admin_subset.graphql"

_SPREAD_RE = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")
_FRAGMENT_DEF_RE = re.compile(r"\bfragment\s+([A-Za-z_]\w*)\s+on\b")


@functools.cache
def _fragments():
    """{fragment name: its source} from every file under ``fragments/``."""
    found = {}
    for path in sorted(FRAGMENTS_DIR.glob("*.graphql")):
        text = path.read_text()
        starts = [(match.start(), match.group(1)) for match in _FRAGMENT_DEF_RE.finditer(text)]
        for index, (start, name) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
            found[name] = text[start:end].strip()
    return found


def _used_fragments(text, known):
    needed, todo = [], list(_SPREAD_RE.findall(text))
    while todo:
        name = todo.pop(0)
        if name in needed or name not in known:
            continue  # unknown names are inline fragments' type conditions ("... on X")
        needed.append(name)
        todo.extend(_SPREAD_RE.findall(known[name]))
    return needed


def with_fragments(text):
    """``text`` followed by the shared fragments it spreads."""
    known = _fragments()
    defined = set(_FRAGMENT_DEF_RE.findall(text))
    parts = [text.strip()] + [known[name] for name in _used_fragments(text, known) if name not in defined]
    return "\n\n".join(parts) + "\n"


@functools.cache
def load(name):
    """The complete document ``graphql/<name>.graphql`` (fragments appended)."""
    path = DOCUMENTS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"No GraphQL document named {name!r} in {DOCUMENTS_DIR}")
    return with_fragments(path.read_text())


def names():
    """Names of every document (not the fragments)."""
    return sorted(path.stem for path in DOCUMENTS_DIR.glob("*.graphql"))
