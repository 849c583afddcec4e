"""The house's layers, read from the source with `ast` (nothing is imported or run).

- **Foundation**: the page tree and what everything stands on (`workshop_site.core`, `.users`,
  `.offices`, `.workshops`, `.home`, each built on the ones before it). It imports no app and
  nothing of the composition root, not even inside a function, and loads no module by name
  (`import_module`, `__import__`).
- **Apps**: `prototypes`, `ideas`, `feedback`, `plans`. An app imports another app only if that
  app is below it (`LOWER_APPS`), and then only its doors: `services` and `selectors`.
- **Composition root**: the rest of `workshop_site` (settings, urls, asgi, routing,
  `composition`): it may know every app. Nothing below imports it.
- No circle of imports between files, function-local imports included.

docs/architecture.md draws the same picture.
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Bottom first: each part of the foundation imports only the parts before it (a workshop serves
# offices; home lists both).
FOUNDATION = ("workshop_site.core", "workshop_site.users", "workshop_site.offices",
              "workshop_site.workshops", "workshop_site.home")
APPS = ("prototypes", "ideas", "feedback", "plans")
# Which apps each app stands on: feedback pins on prototype screens; plans link back to the
# ideas, feedback and prototype versions that produced their items.
LOWER_APPS = {
    "prototypes": set(),
    "ideas": set(),
    "feedback": {"prototypes"},
    "plans": {"ideas", "prototypes", "feedback"},
}
DOORS = ("services", "selectors")
PACKAGES = ("workshop_site", *APPS)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (a submodule when `from pkg import submodule`)
    line: int
    local: bool  # inside a function or class body

    def __str__(self):
        where = "inside a function" if self.local else "at module level"
        return f"{self.module}:{self.line} imports {self.target} ({where})"


def layer_of(module: str) -> str | None:
    """'foundation', 'root', an app's name, or None for third-party modules."""
    if module == "workshop_site" or module.startswith("workshop_site."):
        if any(module == f or module.startswith(f + ".") for f in FOUNDATION):
            return "foundation"
        return "root"
    top = module.split(".")[0]
    return top if top in APPS else None


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path):
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


class _Reader(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str]):
        self.module, self.is_package, self.known = module, is_package, known
        self.imports: list[Import] = []
        self.loads_by_name: list[int] = []
        self.depth = 0

    def _nested(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _nested

    def _add(self, target: str, node):
        found = Import(self.module, target, node.lineno, self.depth > 0)
        if found not in self.imports:  # `from pkg.mod import a, b` is one import of pkg.mod
            self.imports.append(found)

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node):
        if node.level:
            package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
            base = package[: len(package) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            candidate = f"{source}.{alias.name}"
            self._add(candidate if candidate in self.known else source, node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in {"import_module", "__import__"}:
            self.loads_by_name.append(node.lineno)
        self.generic_visit(node)


@dataclass
class House:
    imports: list[Import]
    loads_by_name: dict[str, list[int]]


def read_house(root: Path) -> House:
    paths = list(source_files(root))
    known = {module_name(root, path) for path in paths}
    imports, loads = [], {}
    for path in paths:
        module = module_name(root, path)
        reader = _Reader(module, path.name == "__init__.py", known)
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        imports += reader.imports
        if reader.loads_by_name:
            loads[module] = reader.loads_by_name
    return House(imports, loads)


def foundation_part(module: str) -> int | None:
    for position, part in enumerate(FOUNDATION):
        if module == part or module.startswith(part + "."):
            return position
    return None


def layer_violations(house: House) -> list[str]:
    """Every import that points the wrong way, as a sentence naming file and line."""
    found = []
    for imp in house.imports:
        source, target = layer_of(imp.module), layer_of(imp.target)
        if source == target == "foundation" and foundation_part(imp.target) > foundation_part(imp.module):
            found.append(f"{FOUNDATION[foundation_part(imp.module)]} is below "
                         f"{FOUNDATION[foundation_part(imp.target)]}: {imp}")
        if target is None or source == target:
            continue
        if source == "foundation":
            found.append(f"the foundation knows an upper layer ({target}): {imp}")
        elif source in APPS and target == "root":
            found.append(f"an app knows the composition root: {imp}")
        elif source in APPS and target in APPS:
            door = imp.target.split(".")[1] if "." in imp.target else ""
            if target not in LOWER_APPS[source]:
                found.append(f"{source} is not built on {target}: {imp}")
            elif door not in DOORS:
                found.append(
                    f"{source} reaches past the doors of {target} ({', '.join(DOORS)}) "
                    f"into {imp.target}: {imp}"
                )
    for module, lines in house.loads_by_name.items():
        if layer_of(module) == "foundation":
            found += [f"the foundation loads a module by name: {module}:{line}" for line in lines]
    return found


def import_circles(house: House) -> list[list[str]]:
    """Circles of files importing each other (function-local imports count), each listed once."""
    modules = {imp.module for imp in house.imports}
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in house.imports:
        target = imp.target
        while target and target not in modules:  # `from pkg.mod import name` → pkg.mod
            target = target.rpartition(".")[0]
        if target and target != imp.module:
            graph[imp.module].add(target)
    # Tarjan's strongly connected components, iteratively.
    index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles
