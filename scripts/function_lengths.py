"""Function lengths in a source tree, longest first: `python scripts/function_lengths.py app 60`.

Counts every function's lines from its `def` to its last line (docstring included) with `ast`,
skipping Alembic migrations; prints how many exceed the limit and the longest few. Exits 1 when
any does, so it can hold the line in CI.
"""

import ast
import sys
from pathlib import Path


def lengths(root: Path) -> list[tuple[int, str]]:
    rows = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                rows.append(
                    (node.end_lineno - node.lineno + 1, f"{path}:{node.lineno} {node.name}")
                )
    return sorted(rows, reverse=True)


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "app")
    limit = int(argv[2]) if len(argv) > 2 else 60
    rows = lengths(root)
    over = [r for r in rows if r[0] > limit]
    print(f"{len(rows)} functions in {root}; {len(over)} over {limit} lines")
    for n, where in rows[:5]:
        print(f"{n:4d}  {where}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
