"""The layers hold without back doors: a lower app never reaches a higher one by name.

import-linter checks the imports (`make lint`); this test catches what it cannot see: modules
loaded by name, settings that name app modules as hooks, and strings in a lower app that
name a higher app's models, permissions or URLs. The way up is a signal or a registry filled
from the higher app's `ready()` (docs/architecture.md).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _layers() -> list[list[str]]:
    """The app order of the import-linter contract, top first, so both tests read one list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [[name.strip() for name in layer.split("|")] for layer in layers]


LAYERS = _layers()
APPS = [app for layer in LAYERS for app in layer]


def _above(app: str) -> set[str]:
    """Every app on a higher layer than `app` (its siblings on the same layer too)."""
    index = next(i for i, layer in enumerate(LAYERS) if app in layer)
    higher = {name for layer in LAYERS[:index] for name in layer}
    return higher | {name for name in LAYERS[index] if name != app}


def _sources(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    ]


def test_every_app_of_the_project_is_in_the_layer_contract() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks", "deploy"}
    }
    assert packages == set(APPS)
    assert {app.split(".")[0] for app in settings.INSTALLED_APPS} >= set(APPS) - {"knutpunkt"}


@pytest.mark.parametrize("app", APPS)
def test_no_module_is_loaded_by_name(app: str) -> None:
    found = []
    for path in _sources(app):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = ""
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            elif isinstance(node, ast.ImportFrom | ast.Import):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                modules += [alias.name for alias in node.names]
                name = "importlib" if any(m.startswith("importlib") for m in modules) else ""
            if name in {"import_module", "__import__", "importlib", "import_string"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize("app", [app for app in APPS if app != "knutpunkt"])
def test_no_string_names_a_higher_app(app: str) -> None:
    """Permission names ("barriers.view_barrier"), URL names ("analytics:knots"), dotted
    paths and model labels of a higher app, written in a lower one, are back doors."""
    higher = _above(app)
    found = []
    for path in _sources(app):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                head = node.value.split(".")[0].split(":")[0]
                if head in higher and node.value[len(head) : len(head) + 1] in {".", ":"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


def test_settings_hold_no_hook_into_an_app() -> None:
    """Django's own hooks (apps, middleware, URLs, templates, the user model) are the only
    settings that name the project's modules; a setting that lists app modules for another
    app to load is a back door."""
    allowed = {
        "INSTALLED_APPS",
        "MIDDLEWARE",
        "ROOT_URLCONF",
        "WSGI_APPLICATION",
        "TEMPLATES",
        "AUTH_USER_MODEL",
        "AUTHENTICATION_BACKENDS",  # single sign-on's backends (deviations.sso)
        "REST_FRAMEWORK",
        "SPECTACULAR_SETTINGS",  # the API schema names enums of api's own layer and below
        "CACHES",  # Django's hook for a cache backend (core.cache: unreadable values are misses)
        "LOGGING",  # Django's hook for log filters and formatters (core.log_context, privacy.logs)
        "DATABASE_ROUTERS",  # Django's hook for routing reads (core.replica, with a replica)
    }
    own = tuple(f"{app}." for app in APPS)

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list | tuple | set):
            return [s for item in value for s in strings(item)]
        return []

    hooks = {
        name: [s for s in strings(getattr(settings, name)) if s.startswith(own)]
        for name in dir(settings)
        if name.isupper() and name not in allowed
    }
    assert {name: found for name, found in hooks.items() if found} == {}
