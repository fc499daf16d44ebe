"""Run notebooks headless with papermill, several at once, and read their results back.

Each notebook runs in its own process (``python -m dna_kit.regen.notebooks SPEC``) under a
wall-clock limit, so a kernel that hangs or dies is reported and never waited on; a cell
that runs past ``cell_timeout`` is stopped by papermill. A failure names the notebook, the
cell (its position and first line) and the error. Results a notebook publishes with
:func:`glue` are read back from the executed file with nbformat (scrapbook is unmaintained).

>>> runs = run_notebooks(["notebooks/05_regeneration_test.ipynb"], out_dir="out",
...                      parameters={"interactive": False})       # doctest: +SKIP
>>> runs[0].ok, sorted(runs[0].results)                           # doctest: +SKIP
(True, ['scorecard'])
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.errors import NotebookError

__all__ = ["NotebookRun", "glue", "read_results", "run_notebooks"]

RESULT_KEY = "dna_kit"


@dataclass
class NotebookRun:
    """What happened to one notebook: where its executed copy is, and any failure."""

    notebook: str
    output: str
    ok: bool
    duration: float = 0.0
    kind: str | None = None  # "error", "timeout", "dead_kernel", "killed", "setup"
    cell: int | None = None  # 1-based position of the failing cell
    cell_source: str | None = None
    error: str | None = None
    results: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """``notebooks/x.ipynb: cell 4 (`1/0`): ZeroDivisionError: division by zero``."""
        if self.ok:
            return f"{self.notebook}: ok in {self.duration:.1f} s"
        where = f"cell {self.cell}" if self.cell else "before any cell ran"
        if self.cell_source:
            where += f" (`{self.cell_source}`)"
        return f"{self.notebook}: {where}: {self.error}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __fspath__(self) -> str:
        """A run stands for its executed notebook: ``Path(run)`` is the output file."""
        return self.output


def glue(name: str, value: Any) -> None:
    """Publish ``value`` (JSON data) from inside a notebook under ``name``, so
    :func:`read_results` finds it in the executed file."""
    from IPython.display import display

    display({"application/json": value, "text/plain": f"{name} = {value!r}"[:500]},
            raw=True, metadata={RESULT_KEY: {"result": name}})


def read_results(path: str | Path) -> dict[str, Any]:
    """Every value an executed notebook published with :func:`glue`, by name."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(RESULT_KEY)
            if meta and "application/json" in output.get("data", {}):
                found[meta["result"]] = output["data"]["application/json"]
    return found


def _first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    return (lines[0][:80] if lines else "").strip()


def _running_cell(path: Path) -> tuple[int | None, str | None]:
    """The cell papermill stopped in: the failed one, else the last one it started (it
    saves the notebook as each cell starts). Numbered as in the source notebook, without
    the cells papermill adds (injected parameters, error banners)."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # a file cut short by a killed process tells nothing more
        return None, None
    own = [c for c in nb.cells if not {"injected-parameters", "papermill-error-cell-tag"}
           & set(c.get("metadata", {}).get("tags", []))]
    status = [c.get("metadata", {}).get("papermill", {}).get("status") for c in own]
    for wanted in ("failed", "running"):
        if wanted in status:
            i = status.index(wanted)
            return i + 1, _first_line(own[i].source)
    started = [i for i, s in enumerate(status) if s not in (None, "pending")]
    if started:
        return started[-1] + 1, _first_line(own[started[-1]].source)
    return None, None


def _execute(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook with papermill (in the child process)."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    src, out = Path(spec["notebook"]), Path(spec["output"])
    result: dict[str, Any] = {"ok": False}
    try:
        pm.execute_notebook(str(src), str(out), parameters=spec["parameters"],
                            kernel_name=spec.get("kernel_name"), cwd=spec.get("cwd"),
                            execution_timeout=spec["cell_timeout"], progress_bar=False,
                            log_output=False, start_timeout=spec.get("start_timeout", 60))
        result["ok"] = True
    except pm.PapermillExecutionError as exc:
        result.update(kind="error", error=f"{exc.ename}: {exc.evalue}")
        cell, source = _running_cell(out)
        result.update(cell=cell, cell_source=source)
    except CellTimeoutError:
        cell, source = _running_cell(out)
        result.update(kind="timeout", cell=cell, cell_source=source,
                      error=f"the cell ran past its time limit of {spec['cell_timeout']} s")
    except DeadKernelError as exc:
        cell, source = _running_cell(out)
        result.update(kind="dead_kernel", cell=cell, cell_source=source,
                      error=f"the kernel died: {exc}")
    except Exception as exc:  # reading, parameters, kernel start-up
        cell, source = _running_cell(out) if out.exists() else (None, None)
        if isinstance(exc, RuntimeError) and str(exc).startswith("Kernel died"):
            # A kernel killed in a cell can be restarted by jupyter_client and die again
            # before it answers: the same death, told by another exception.
            result.update(kind="dead_kernel", cell=cell, cell_source=source,
                          error=f"the kernel died: {exc}")
        else:
            result.update(kind="setup", cell=cell, cell_source=source,
                          error=f"{type(exc).__name__}: {exc}")
    return result


def _run_one(notebook: Path, output: Path, parameters: Mapping[str, Any],
             cell_timeout: float, wall_timeout: float, kernel_name: str | None,
             cwd: Path | None) -> NotebookRun:
    start = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dna-nb-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        result_path = Path(tmp) / "result.json"
        spec_path.write_text(json.dumps({
            "notebook": str(notebook), "output": str(output), "parameters": dict(parameters),
            "cell_timeout": cell_timeout, "kernel_name": kernel_name,
            "cwd": str(cwd) if cwd else None, "result": str(result_path)}), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "dna_kit.regen.notebooks",
                                 str(spec_path)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        data: dict[str, Any]
        try:
            _, err = proc.communicate(timeout=wall_timeout)
            data = json.loads(result_path.read_text(encoding="utf-8")) \
                if result_path.is_file() else {
                    "ok": False, "kind": "killed",
                    "error": f"the runner died (exit code {proc.returncode}): "
                             f"{err.decode('utf-8', 'replace').strip()[-300:]}"}
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            cell, source = _running_cell(output)
            data = {"ok": False, "kind": "killed", "cell": cell, "cell_source": source,
                    "error": f"the notebook ran past its overall limit of {wall_timeout:.0f} s "
                             "and was stopped (a hung kernel)"}
    run = NotebookRun(notebook=str(notebook), output=str(output), ok=bool(data["ok"]),
                      duration=round(time.perf_counter() - start, 3),
                      kind=data.get("kind"), cell=data.get("cell"),
                      cell_source=data.get("cell_source"), error=data.get("error"))
    if output.is_file():
        try:
            run.results = read_results(output)
        except Exception as exc:  # an unreadable output is itself a failure to report
            run.ok, run.kind = False, run.kind or "error"
            run.error = run.error or f"cannot read the executed notebook: {exc}"
    return run


def _check_notebook(path: Path) -> None:
    """A :class:`NotebookError` naming ``path`` unless it is a Jupyter notebook (JSON in
    nbformat's schema), so a stray file is one line, not a runner's traceback."""
    import nbformat

    from dna_kit.errors import clip

    try:
        nbformat.validate(nbformat.read(str(path), as_version=4))
    except Exception as exc:  # nbformat raises JSON, schema, type and key errors alike
        raise NotebookError(f"{path}: not a Jupyter notebook ({type(exc).__name__}: "
                            f"{clip(str(exc).splitlines()[0] if str(exc) else '', 120)})",
                            notebook=str(path)) from None


def run_notebooks(notebooks: Sequence[str | Path], *, out_dir: str | Path,
                  parallel: int = 1, parameters: Mapping[str, Any] | None = None,
                  cell_timeout: float = 600.0, wall_timeout: float | None = None,
                  kernel_name: str | None = None, cwd: str | Path | None = None,
                  progress: bool = False) -> list[NotebookRun]:
    """Execute ``notebooks`` into ``out_dir`` (same file names), ``parallel`` at a time.

    ``parameters`` go to every notebook (papermill injects them after the cell tagged
    ``parameters``). ``cell_timeout`` stops one cell; ``wall_timeout`` (default: enough
    for every cell to use its limit, plus start-up) stops a whole notebook. Returns one
    :class:`NotebookRun` per notebook, in the order given; raises
    :class:`~dna_kit.errors.NotebookError` only for a notebook that does not exist or is
    not a notebook.
    """
    paths = [Path(n) for n in notebooks]
    for path in paths:
        if not path.is_file():
            raise NotebookError(f"notebook {str(path)!r} does not exist", notebook=str(path))
        _check_notebook(path)
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise NotebookError("two notebooks share a file name; their outputs would collide: "
                            + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = dict(parameters or {})
    workdir = Path(cwd).resolve() if cwd else Path.cwd()

    def limit(path: Path) -> float:
        if wall_timeout:
            return wall_timeout
        import nbformat

        cells = len(nbformat.read(str(path), as_version=4).cells)
        return cell_timeout * (cells + 1) + 120

    runs: dict[Path, NotebookRun] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="notebook", file=sys.stderr)
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        futures = {pool.submit(_run_one, p.resolve(), (out / p.name).resolve(), params,
                               cell_timeout, limit(p), kernel_name, workdir): p
                   for p in paths}
        for future in as_completed(futures):
            path = futures[future]
            run = future.result()
            run.notebook = str(path)
            runs[path] = run
            if bar is not None:
                bar.set_postfix_str(path.name + (" ok" if run.ok else " FAILED"))
                bar.update(1)
    if bar is not None:
        bar.close()
    return [runs[p] for p in paths]


def _child(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = _execute(spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
