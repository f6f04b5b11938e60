"""The package's layout, read from its imports (parsed with ``ast``, nothing imported): no
import circle, domain packages never import the stage runners (``her2resist.run``), and each
rule script's imports stay inside the packages of the rule's conda env."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

PACKAGE = Path(__file__).parents[1] / "src" / "her2resist"
# import name -> conda package name, where they differ (lxml comes with python-docx)
CONDA_NAMES = {
    "yaml": "pyyaml",
    "docx": "python-docx",
    "sklearn": "scikit-learn",
    "lxml": "python-docx",
}


def module_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imports(tree: ast.AST, top_level_only: bool = False) -> set[str]:
    """Modules an ``ast`` tree imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def import_graph(top_level_only: bool = False) -> dict[str, set[str]]:
    files = module_files()
    return {
        name: {m for m in imports(ast.parse(path.read_text()), top_level_only) if m in files}
        - {name}
        for name, path in files.items()
    }


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (as the path that closes it), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target] if target in path else [node, target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_cycle_finds_a_circle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circle() -> None:
    """Imports inside functions count too: a circle hidden in a function is still one."""
    assert cycle(import_graph()) is None


def test_domain_packages_never_import_the_runners() -> None:
    offenders = {
        name: sorted(m for m in targets if m.startswith("her2resist.run"))
        for name, targets in import_graph().items()
        if not name.startswith("her2resist.run") and name not in ("her2resist.cli",)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def third_party(modules: set[str]) -> set[str]:
    """Distribution names (conda spelling) of the modules' top-level imports, recursively
    through the package's own modules."""
    files, seen, todo, found = module_files(), set(), list(modules), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        todo += [p for p in parents if p in files]
        if name in files:
            todo += list(imports(ast.parse(files[name].read_text()), top_level_only=True))
            continue
        root = name.split(".")[0]
        if root != "her2resist" and root not in sys.stdlib_module_names:
            found.add(CONDA_NAMES.get(root, root))
    return found


def rule_scripts(project_root: Path) -> list[tuple[str, Path, Path]]:
    """(rule, script, conda env file) of every rule with a script."""
    found = []
    for smk in sorted((project_root / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"^\s*rule ", text, flags=re.M)[1:]:
            env = re.search(r'conda:\s*"([^"]+)"', block)
            script = re.search(r'script:\s*"([^"]+)"', block)
            if env and script:
                rule = block.split(":", 1)[0].strip()
                found.append((rule, smk.parent / script.group(1), smk.parent / env.group(1)))
    return found


def test_rule_scripts_import_only_what_their_env_has(project_root: Path) -> None:
    scripts = rule_scripts(project_root)
    assert len(scripts) >= 15, scripts  # every rule with a script (16: report figures are one)
    for rule, script, env in scripts:
        wanted = third_party(imports(ast.parse(script.read_text()), top_level_only=True))
        deps = yaml.safe_load(env.read_text())["dependencies"]
        have = {re.split(r"[ =<>]", d, maxsplit=1)[0] for d in deps if isinstance(d, str)}
        assert wanted - {"snakemake"} <= have, (rule, env.name, sorted(wanted - have))


@pytest.mark.parametrize("env", ["core.yaml", "stats.yaml"])
def test_env_check_sees_a_missing_package(project_root: Path, env: str) -> None:
    """The check above can fail: the report runner needs matplotlib, which these envs lack."""
    deps = yaml.safe_load((project_root / "workflow" / "envs" / env).read_text())["dependencies"]
    assert "matplotlib" in third_party({"her2resist.run.figures"})
    assert not any(str(d).startswith("matplotlib") for d in deps)


def test_rule_scripts_find_the_package_without_an_install(project_root: Path) -> None:
    """A conda env has no her2resist installed: each script's first lines put the package on
    sys.path from ``snakemake.scriptdir``, which Snakemake passes unresolved, relative to the
    rule file (``workflow/rules/../scripts``), so only a resolved path finds ``src/``."""
    for rule, script, _ in rule_scripts(project_root):
        preamble = script.read_text().split("\nfrom her2resist", 1)[0]
        scriptdir = str(project_root / "workflow" / "rules" / ".." / "scripts")
        namespace = {"snakemake": type("Snakemake", (), {"scriptdir": scriptdir})}
        saved = list(sys.path)
        try:
            exec(compile(preamble, str(script), "exec"), namespace)
            added = Path(sys.path[0])
        finally:
            sys.path[:] = saved
        assert (added / "her2resist" / "__init__.py").is_file(), (rule, added)


def test_a_vcf_variants_job_imports_no_pandas() -> None:
    """The variants job runs once per sample of a cohort: its runner streams the VCF reader's
    table to the file and does not pay for pandas (0.2 s and 50 MB a job). Checked in a fresh
    interpreter: the import walk above does not follow relative imports."""
    import subprocess

    code = (
        "import sys, her2resist.run.variants; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
