"""The benchmarks' own sections of docs/benchmarks.md."""

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(name, section, path=DOCS):
    """Puts ``section`` between the markers ``<!-- name:start -->`` and ``<!-- name:end -->``,
    replacing what a previous run wrote there, or at the end of the file."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{section.strip()}\n{end}\n"
    if start in text and end in text:
        text = text.split(start, 1)[0] + section + text.split(end + "\n", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
