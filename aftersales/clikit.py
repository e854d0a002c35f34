"""What every `aftersales` command shares: the consoles, the language option, Django set-up and
printing problems. Imports nothing of the apps, so each app's `cli.py` can use it while
aftersales/cli.py registers their commands."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.console import Console

from aftersales.core.problems import Problem
from aftersales.core.text import Text

out = Console(highlight=False, soft_wrap=True)  # paths and ids are never broken across lines
err = Console(stderr=True, highlight=False, soft_wrap=True)

Lang = Annotated[str, typer.Option("--lang", help="Language of the output: zh-Hans (default) or en.")]

PROBLEMS = {
    "invalid": Text("输入有 {n} 处问题，未做任何处理：", "{n} problems in the input, nothing was done:"),
    "invalid_one": Text("输入有 1 处问题，未做任何处理：", "1 problem in the input, nothing was done:"),
    "invalid_score": Text("文件有 {n} 处问题，未计分：", "{n} problems in the file, nothing was scored:"),
    "invalid_score_one": Text("文件有 1 处问题，未计分：", "1 problem in the file, nothing was scored:"),
}


def django_setup() -> None:
    """Commands that read or write the database call this first (settings from the environment)."""
    import django  # only the commands that need the database load Django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()


def fail(problems: list[Problem] | tuple[Problem, ...], lang: str, *, as_json: bool = False, key="invalid") -> None:
    """Print every problem and exit with status 2."""
    if as_json:
        out.print_json(json.dumps({"problems": [p.as_dict(lang) for p in problems]}, ensure_ascii=False))
    else:
        err.print(PROBLEMS[f"{key}_one" if len(problems) == 1 else key].get(lang).format(n=len(problems)))
        for p in problems:
            err.print(f"  - {p.located(lang)}", markup=False)
    raise typer.Exit(2)


def keys_from_json(data: str) -> dict[str, dict]:
    """{kid: key dict} from the published key list ({"keys": [...]} or a bare list). Raises ValueError."""
    doc = json.loads(data)
    keys = doc.get("keys") if isinstance(doc, dict) else doc
    if not isinstance(keys, list):
        raise ValueError('expected {"keys": [...]} or a list')
    found = {}
    for key in keys:
        if not (isinstance(key, dict) and isinstance(key.get("kid"), str) and isinstance(key.get("x"), str)):
            raise ValueError('every key needs "kid" and "x"')
        found[key["kid"]] = key
    return found
