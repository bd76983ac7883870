"""``backoffice/`` is the base package: the apps depend on it, never the other way round.

No module under backoffice/ imports an app, statically or through ``import_module``/``import_string`` on
a literal name. Where backoffice needs an app's behaviour, the app registers it (its AppConfig names its
demo module, for instance). The composition roots name the apps as configuration only: INSTALLED_APPS and
the other settings, and ``include("<app>.urls")`` in the root URLconfs.
"""

import ast
from pathlib import Path

import backoffice

APPS = {"players", "cashier", "games", "bonuses", "sportsbook", "reports"}
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__"}


def _imported(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, [node.module]
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in DYNAMIC_IMPORTS and node.args and isinstance(node.args[0], ast.Constant):
                yield node.lineno, [str(node.args[0].value)]


def test_backoffice_imports_no_app():
    root = Path(backoffice.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 30  # the walk really covers the package
    offending = []
    for path in files:
        for lineno, modules in _imported(ast.parse(path.read_text(), filename=str(path))):
            offending += [f"{path.relative_to(root.parent)}:{lineno} imports {m}" for m in modules
                          if m.split(".")[0] in APPS]
    assert not offending, "\n".join(offending)


def test_the_check_sees_every_kind_of_import():
    source = ("import players.models\nfrom cashier import services\nimport_module('games.demo')\n"
              "from backoffice import money\nfrom . import sibling\n")
    found = [m for _, modules in _imported(ast.parse(source)) for m in modules]
    assert sorted(found) == ["backoffice", "cashier", "games.demo", "players.models"]
