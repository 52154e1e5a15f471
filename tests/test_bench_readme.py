"""benchmarks/README.md is the template with each benchmark's sections: writing one keeps the rest."""

from __future__ import annotations

import pytest

from benchmarks import harness, readme, report
from benchmarks.squad_suite import measure as measure_squad

TEMPLATE = readme.TEMPLATE.read_text(encoding="utf-8")
NAMES = readme.section_names(TEMPLATE)


def filled(tmp_path):
    """A README with a distinct text in every section, as after a full `make bench`."""
    path = tmp_path / "README.md"
    path.write_text(readme.render(TEMPLATE, {n: f"text of {n}\n\n| a | b |\n|---|---|" for n in NAMES}))
    return path


def test_the_template_has_a_place_for_every_section_a_benchmark_writes():
    writers = [*report.SECTIONS, "byod", "index_speed", "answerability"]
    assert sorted(NAMES) == sorted(writers)
    assert len(NAMES) == len(set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_writing_one_section_keeps_every_other_in_template_order(tmp_path, name):
    path = filled(tmp_path)
    before = readme.read_sections(path.read_text())

    readme.write_section(name, "## Fresh\n\nnew figures", readme=path)

    after = readme.read_sections(path.read_text())
    assert list(after) == NAMES
    assert after[name] == "## Fresh\n\nnew figures"
    assert {n: t for n, t in after.items() if n != name} == {n: t for n, t in before.items() if n != name}


def test_run_py_rewriting_its_sections_keeps_the_other_benchmarks(tmp_path):
    path = filled(tmp_path)
    readme.write_sections(report.sections({"scale": {}}), readme=path)
    after = readme.read_sections(path.read_text())
    for name in ("byod", "index_speed", "answerability"):
        assert after[name] == f"text of {name}\n\n| a | b |\n|---|---|"


def test_a_missing_readme_gets_every_section_with_the_unwritten_ones_marked(tmp_path):
    path = tmp_path / "README.md"
    readme.write_section("byod", "## Bring your own documents", readme=path)
    got = readme.read_sections(path.read_text())
    assert list(got) == NAMES
    assert got["byod"] == "## Bring your own documents"
    assert {t for n, t in got.items() if n != "byod"} == {readme.NOT_RUN}


def test_an_unknown_section_is_refused_and_the_readme_left_alone(tmp_path):
    path = filled(tmp_path)
    text = path.read_text()
    with pytest.raises(ValueError, match="README.template.md"):
        readme.write_section("nonesuch", "x", readme=path)
    assert path.read_text() == text


def test_the_committed_readme_is_the_template_with_its_sections():
    committed = readme.README.read_text(encoding="utf-8")
    sections = readme.read_sections(committed)
    assert list(sections) == NAMES
    assert readme.NOT_RUN not in sections.values()
    assert readme.render(TEMPLATE, sections) == committed


@pytest.mark.parametrize("name", ["targets", "quality", "speed", "scale"])
def test_run_py_tables_have_the_committed_columns(name):
    committed = readme.read_sections(readme.README.read_text(encoding="utf-8"))[name]
    rendered = report.sections({"scale": {}})[name]
    assert rendered.splitlines()[:2] == committed.splitlines()[:2]


@pytest.mark.parametrize(
    ("given", "env", "expected"),
    [
        pytest.param("/x/given.json", "/x/env.json", "/x/given.json", id="argument-first"),
        pytest.param(None, "/x/env.json", "/x/env.json", id="then-environment"),
        pytest.param(None, None, str(harness.DEFAULT_SQUAD), id="then-next-to-the-checkout"),
    ],
)
def test_squad_file_lookup(monkeypatch, given, env, expected):
    if env:
        monkeypatch.setenv("WAYMARK_SQUAD", env)
    else:
        monkeypatch.delenv("WAYMARK_SQUAD", raising=False)
    assert str(harness.squad_path(given)) == expected


def test_default_squad_file_is_next_to_the_checkout_not_an_absolute_path():
    beside = harness.DEFAULT_SQUAD.relative_to(harness.REPO.parent)
    assert beside.as_posix() == "shared/benchmarks/squad-small/small.json"


def test_a_missing_squad_file_is_skipped_saying_how_to_point_at_one(tmp_path):
    ctx = harness.Context(3, [], tmp_path, squad=tmp_path / "absent.json")
    got = measure_squad(ctx)
    assert str(tmp_path / "absent.json") in got["skipped"]
    assert "--squad" in got["skipped"] and "WAYMARK_SQUAD" in got["skipped"]
