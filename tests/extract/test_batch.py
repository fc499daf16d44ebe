"""Extracting a folder: the process pool gives what one process gives, file by file, in
order, and a bad file keeps its error without stopping the rest."""

from __future__ import annotations

from pathlib import Path

from dna_kit.extract.batch import extract_paths


def _archive(root: Path, files: int) -> list[Path]:
    paths = []
    for n in range(files):
        path = root / f"pm-{n:02d}.md"
        path.write_text(
            f"# Incident {n}\n\n## Action items\n\n"
            f"- Retries must be capped at {n + 2} attempts with a backoff of {n + 1}s.\n"
            f"- The queue holds at most {100 * (n + 1)} messages; producers wait when it "
            "is full.\n\n## Timeline\n\n14:20 someone looked at the dashboard.\n",
            encoding="utf-8")
        paths.append(path)
    bad = root / "pm-07.md"
    bad.write_bytes(b"\xff\xfe\x00broken" * 10)
    return paths


def _summary(results: list) -> list[tuple[str, str | None, list[str]]]:  # type: ignore[type-arg]
    return [(r.path.name, r.error, [c.quote for c in r.candidates]) for r in results]


def test_the_pool_matches_one_process_file_by_file(tmp_path: Path) -> None:
    _archive(tmp_path, 21)
    alone = list(extract_paths([tmp_path], workers=1, progress=False))
    pooled = list(extract_paths([tmp_path], workers=2, progress=False))
    assert _summary(pooled) == _summary(alone)
    assert [r.path.name for r in alone] == sorted(r.path.name for r in alone)
    assert len(alone) == 21
    by_name = {r.path.name: r for r in alone}
    assert by_name["pm-07.md"].error is not None and not by_name["pm-07.md"].candidates
    assert any("capped at 3" in c.quote for c in by_name["pm-01.md"].candidates)
    assert sum(1 for r in alone if r.candidates) == 20
