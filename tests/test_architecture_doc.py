"""docs/ARCHITECTURE.md stays true: every module or folder of the repository it names in `code` exists."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
TOP_LEVEL = ("app/", "tenants/", "jobs/", "tests/", "config/", "bench/", "migrations/", "docs/", "scripts/")


def named_paths(text: str) -> list[str]:
    """The repository paths written in `code` spans: those under a top-level folder of the repository."""
    return [token for token in re.findall(r"`([^`\s]+)`", text) if token.startswith(TOP_LEVEL)]


def test_every_module_the_architecture_page_names_exists():
    paths = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) > 50  # the page names its modules by their paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


def test_the_check_finds_a_module_that_is_not_there():
    paths = named_paths("see `app/services/providers.py` and `tenants/scoping.py`, not `/trust/` or `x.py`")
    assert paths == ["app/services/providers.py", "tenants/scoping.py"]
    assert not (ROOT / paths[0]).exists()  # a single providers module is gone: the package took its place


def test_the_page_links_nothing_outside_the_repository():
    text = DOC.read_text(encoding="utf-8")
    assert "../" not in text
    assert "17:00 on school days" not in text  # the cut-off sweep runs 08:00-19:00
