"""Citations in the code and docs point at documents a reader of the repository can open.

Facts the code relies on live in docs/ (docs/README.md). This fails when a file under app/, ui/,
tests/, packaging/ or docs/ cites the research notes that are not in the repository, cites a
numbered issue instead of saying what the thing is (README.md and the Makefile too), or cites a
docs/ file or section that does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("app", "ui", "tests", "packaging", "docs")
TEXT_SUFFIXES = {".py", ".md", ".txt", ".xml", ".cfg", ".sh", ".spec", ".json", ".toml", ".ini"}
SKIPPED_DIRS = {"__pycache__", "artifacts", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

# Built from parts so that this file does not match itself.
FORBIDDEN = (
    "../" + "shared",
    "/work/" + "shared",
    "stack" + "-notes",
    "stack" + " notes",
    "yealink" + "-reference",
)
# A numbered issue of this project; another project's ("pjproject issue #3856") is a public source.
ISSUE_NUMBER = re.compile(r"(?<!pjproject )\bissues? #?\d+", re.IGNORECASE)
# "docs/pjsua2.md", optionally followed by a section: "docs/pjsua2.md §3".
DOC_CITATION = re.compile(r"\bdocs/([\w.-]+\.md)(?:,?\s*§\s*(\d+))?")
SECTION_HEADING = re.compile(r"^## (\d+)\. ", re.MULTILINE)


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in TEXT_SUFFIXES or not path.is_file():
                continue
            if SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
                continue
            files.append(path)
    return files


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def where(path: Path, text: str, index: int) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, index) + 1}"


def test_the_scan_sees_the_code() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert "app/sip/guard.py" in names and "tests/unit/test_doc_citations.py" in names


def test_no_citation_of_documents_outside_the_repository() -> None:
    found = []
    for path in scanned_files():
        text = read(path)
        lowered = text.lower()
        for needle in FORBIDDEN:
            index = lowered.find(needle)
            if index >= 0:
                found.append(f"{where(path, text, index)}: {needle!r}")
    assert not found, "cite docs/ instead:\n" + "\n".join(found)


def test_no_issue_numbers() -> None:
    found = []
    for path in [*scanned_files(), ROOT / "README.md", ROOT / "Makefile"]:
        text = read(path)
        for match in ISSUE_NUMBER.finditer(text):
            found.append(f"{where(path, text, match.start())}: {match.group(0)!r}")
    assert not found, "say what the thing is, not its issue number:\n" + "\n".join(found)


def test_cited_docs_and_sections_exist() -> None:
    cited = 0
    missing = []
    for path in scanned_files():
        text = read(path)
        for match in DOC_CITATION.finditer(text):
            cited += 1
            name, section = match.group(1), match.group(2)
            doc = ROOT / "docs" / name
            if not doc.is_file():
                missing.append(f"{where(path, text, match.start())}: docs/{name} does not exist")
            elif section and section not in SECTION_HEADING.findall(read(doc)):
                missing.append(f"{where(path, text, match.start())}: docs/{name} has no §{section}")
    assert not missing, "\n".join(missing)
    assert cited > 0  # the code does cite docs/; a broken pattern would find nothing


def test_the_checks_catch_what_they_are_for() -> None:
    # The patterns themselves, on text they must flag and text they must let through.
    assert ISSUE_NUMBER.search("Soak (iss" + "ue 11): many calls")
    assert not ISSUE_NUMBER.search("pjproject issue #3856, colour #202020, the calls issue")
    hit = DOC_CITATION.search("(docs/pjsua2.md §9)")
    assert hit is not None and hit.groups() == ("pjsua2.md", "9")
    assert "9" in SECTION_HEADING.findall(read(ROOT / "docs" / "pjsua2.md"))
