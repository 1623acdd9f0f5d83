"""pyproject.toml lists the packages by hand (frontend/ is mapped into the wheel as
`backend.frontend`): a package on disk that the list misses would be left out of it."""

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict[str, Any]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table = pyproject["tool"]["setuptools"]
    assert isinstance(table, dict)
    return table


def test_every_backend_package_is_listed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "backend").rglob("__init__.py")
    }
    assert set(_setuptools()["packages"]) == on_disk | {"backend.frontend"}


def test_the_frontend_package_is_the_frontend_folder() -> None:
    assert _setuptools()["package-dir"] == {"backend.frontend": "frontend"}
    assert (ROOT / "frontend" / "index.html").is_file()


def test_every_package_data_folder_exists() -> None:
    package_data = _setuptools()["package-data"]
    assert isinstance(package_data, dict)
    for pattern in package_data["backend"]:
        assert list((ROOT / "backend").glob(pattern)), pattern
