"""YAML from users and operators (records mappings, scheme files, the business calendar file, rule
tables): PyYAML's safe loader, refusing anchors and aliases.

An alias repeats a node without repeating its text, so a few hundred bytes of nested aliases
("billion laughs") expand to billions of values once anything walks the result. The loader stops at
the first anchor or alias, before composing a node: nothing is built. None of our formats needs them.
"""

from __future__ import annotations

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from .problems import Problem, ProblemsError


class NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that raises ProblemsError(`yaml_alias`) at the first `&anchor` or `*alias`."""

    source = ""

    def compose_node(self, parent, index):  # PyYAML's hook, called before each node is built
        event = self.peek_event()
        anchored = isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None
        if isinstance(event, AliasEvent) or anchored:
            mark = event.start_mark
            params = {"line": mark.line + 1, "column": mark.column + 1}
            raise ProblemsError([Problem("yaml_alias", where=self.source, params=params)])
        return super().compose_node(parent, index)


def load_untrusted(text: str | bytes, *, source: str = "", loader: type[NoAliasLoader] = NoAliasLoader) -> object:
    """The YAML document in `text`; ProblemsError on an anchor or alias, yaml.YAMLError on bad YAML."""
    instance = loader(text)
    instance.source = source
    try:
        return instance.get_single_data()
    finally:
        instance.dispose()
