"""The program builds only the parser of the command it runs (its module alone imported),
and every command's parser when none is named."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.cli import COMMAND_MODULES, _command, build_parser

LOADED = (
    "import sys; {call}; "
    "print(sorted(m for m in sys.modules if m.startswith('pipeline.commands.')))"
)


def _modules_after(call: str) -> str:
    code = LOADED.format(call=f"from pipeline.cli import build_parser; {call}")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_named_command_imports_its_module_alone() -> None:
    assert _modules_after("build_parser('ingest')") == "['pipeline.commands.ingest']"
    assert _modules_after("build_parser('train-lm')") == "['pipeline.commands.train_lm']"
    everything = _modules_after("build_parser()")
    assert all(f"pipeline.commands.{name}" in everything for name in COMMAND_MODULES)


@pytest.mark.parametrize(
    ("argv", "command"),
    [(["-v", "ingest", "a.pdf"], "ingest"), (["--version"], None), (["show", "ab"], "show")],
)
def test_the_command_is_the_first_word_not_an_option(argv: list[str], command: str | None) -> None:
    assert _command(argv) == command


def test_each_command_parses_as_in_the_whole_parser() -> None:
    whole = build_parser()
    argv = ["-v", "ingest", "in", "--db", "a.sqlite", "-j", "3"]
    assert vars(build_parser(_command(argv)).parse_args(argv)) == vars(whole.parse_args(argv))
