"""The import contract in .importlinter holds: layers point one way, calculations stay pure."""
from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from app import FEATURES

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def _layer_names() -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    names = set()
    for line in parser["importlinter:contract:layers"]["layers"].split("\n"):
        names |= {part.strip() for part in line.replace(":", "|").split("|") if part.strip()}
    return names


def test_every_feature_package_has_its_place_in_the_layers():
    assert set(FEATURES) <= _layer_names()


@pytest.mark.parametrize("contract", ["layers", "pure"])
def test_import_contract_is_kept(contract, monkeypatch, capsys):
    # import-linter reads the package from sys.path and the config relative to the project root.
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(CONFIG), limit_to_contracts=(contract,), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out
