"""YAML as Candor's data files are read: a key given twice in one mapping is an error, and
libyaml parses where PyYAML has it.

PyYAML keeps the last of two equal keys silently, so a file edited by hand could lose a party's
text, a factor or a dimension without a word. Light on purpose (PyYAML alone): the report reads
the dimension declaration with it without loading the scenario machinery.
"""

from __future__ import annotations

import yaml


def _check_unique_keys(
    loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode, deep: bool
) -> None:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<`: the base loader merges it (a merged key may be overridden)
        key = loader.construct_object(key_node, deep=deep)
        try:
            again = key in seen
        except TypeError:
            continue  # an unhashable key is the base loader's error to report
        if again:
            written = key_node.value if isinstance(key_node, yaml.ScalarNode) else key
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{written}' is given twice in one mapping", key_node.start_mark
            )
        seen.add(key)


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        _check_unique_keys(self, node, deep)
        return super().construct_mapping(node, deep=deep)


class FastUniqueKeyLoader(yaml.CSafeLoader):
    """The same loader over libyaml's parser (ten times faster; its errors carry no snippet, so
    a file it refuses is parsed again by `UniqueKeyLoader` for the message)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        _check_unique_keys(self, node, deep)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str) -> object:
    """`text` as YAML: libyaml's parse where PyYAML has it, the pure-Python loader's error (with
    the line and a snippet) where it refuses.

    Raises:
        yaml.YAMLError: the text is not YAML, or a mapping gives a key twice.
    """
    if yaml.__with_libyaml__:
        try:
            return yaml.load(text, Loader=FastUniqueKeyLoader)
        except yaml.YAMLError:
            pass  # the pure-Python loader raises it again, showing the line
    return yaml.load(text, Loader=UniqueKeyLoader)
