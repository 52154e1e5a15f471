"""benchmarks/README.md from ``benchmarks/README.template.md``: each benchmark writes only its own
sections and keeps every other one, so running one module never drops another's results.

The template holds the fixed prose and one ``<!-- section: NAME -->`` line per generated section,
in README order. README.md holds each generated section between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``; writing a section reads the sections already there, replaces the given ones
and renders the template again.
"""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
TEMPLATE = BENCHMARKS / "README.template.md"
README = BENCHMARKS / "README.md"
PLACEHOLDER = re.compile(r"^<!-- section: (\w+) -->$", re.M)
BLOCK = re.compile(r"^<!-- (\w+):start -->\n(.*?)\n?<!-- \1:end -->$", re.M | re.S)
NOT_RUN = "_Not measured yet: see Reproduce below._"


def section_names(template: str) -> list[str]:
    """The generated sections, in README order."""
    return PLACEHOLDER.findall(template)


def read_sections(readme: str) -> dict[str, str]:
    """Every generated section present in a rendered README, by name."""
    return {name: text for name, text in BLOCK.findall(readme)}


def render(template: str, sections: dict[str, str]) -> str:
    """The template with every placeholder replaced by its section (or a not-measured note)."""

    def block(match: re.Match) -> str:
        name = match.group(1)
        text = sections.get(name, NOT_RUN).strip("\n")
        return f"<!-- {name}:start -->\n{text}\n<!-- {name}:end -->"

    return PLACEHOLDER.sub(block, template)


def write_sections(new: dict[str, str], readme: Path = README, template: Path = TEMPLATE) -> None:
    """Replace the ``new`` sections of ``readme``, keeping every other section it holds."""
    layout = template.read_text(encoding="utf-8")
    unknown = sorted(set(new) - set(section_names(layout)))
    if unknown:
        msg = f"no section {', '.join(unknown)} in {template.name}: add a '<!-- section: NAME -->' line there"
        raise ValueError(msg)
    current = read_sections(readme.read_text(encoding="utf-8")) if readme.exists() else {}
    readme.write_text(render(layout, {**current, **new}), encoding="utf-8")


def write_section(name: str, text: str, readme: Path = README, template: Path = TEMPLATE) -> None:
    """Replace one section of ``readme`` (``text`` without its markers)."""
    write_sections({name: text}, readme, template)
