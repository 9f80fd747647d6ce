"""MQTT topic filters: validation and matching (`+` one level, `#` the rest)."""

from __future__ import annotations

from .. import i18n


class InvalidTopic(ValueError):
    pass


def check_filter(topic_filter: str) -> str:
    """Return the filter, or raise InvalidTopic saying what is wrong with it."""
    if not topic_filter:
        raise InvalidTopic(i18n.Text("mqtt.filter_empty"))
    if len(topic_filter.encode()) > 65535:
        raise InvalidTopic(i18n.Text("mqtt.filter_too_long"))
    levels = topic_filter.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise InvalidTopic(i18n.Text("mqtt.hash_level", topic=repr(topic_filter)))
        if "+" in level and level != "+":
            raise InvalidTopic(i18n.Text("mqtt.plus_level", topic=repr(topic_filter)))
    return topic_filter


def check_topic(topic: str) -> str:
    """A topic to publish to: no wildcards."""
    if not topic:
        raise InvalidTopic(i18n.Text("mqtt.topic_empty"))
    if "+" in topic or "#" in topic:
        raise InvalidTopic(i18n.Text("mqtt.wildcard_publish", topic=repr(topic)))
    return topic


def has_wildcard(topic_filter: str) -> bool:
    return "+" in topic_filter or "#" in topic_filter


def matches(topic_filter: str, topic: str) -> bool:
    """Does `topic` match `topic_filter`? Topics starting with `$` only match
    filters that name that first level (MQTT 3.1.1, 4.7.2)."""
    if topic_filter == topic:
        return True
    f_levels = topic_filter.split("/")
    t_levels = topic.split("/")
    if t_levels[0].startswith("$") and f_levels[0] in ("+", "#"):
        return False
    for i, f in enumerate(f_levels):
        if f == "#":
            return True
        if i >= len(t_levels):
            return False
        if f != "+" and f != t_levels[i]:
            return False
    return len(f_levels) == len(t_levels) or (
        len(f_levels) == len(t_levels) + 1 and f_levels[-1] == "#"
    )
