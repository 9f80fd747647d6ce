"""The vendor contract: the hooks a Sigap plugin may implement.

Hooks are synchronous and return things (platform classes, schemas, routes,
context managers); the asynchronous work lives in what they return, which the
hub awaits. Every hook takes the `hub` it is called for, so one process can
run several hubs (tests do). docs/plugin_hooks.md documents each hook with
its exact signature; tests/core/test_docs.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from aiohttp import web

    from .domains import EntityDomain
    from .hub import Hub
    from .platform import Camera, Device, Door, Notifier, Siren, TriggerPlatform

hookspec = pluggy.HookspecMarker("sigap")
hookimpl = pluggy.HookimplMarker("sigap")

# -- domains and platforms: what the hub drives, and the devices that do it ----


@hookspec
def sigap_entity_domains(hub: Hub) -> Iterable[EntityDomain]:
    """Return the entity domains this plugin adds (``binary_sensor``, ``lock``, ...).

    :param hub: the hub being set up.

    Each :class:`hub.EntityDomain` names its base class, what one of its
    things is called in English and Indonesian, whether its items need a
    ``site``, and its services, which reach entities by ``entity_id``,
    ``site`` or ``area`` like the core's. The domain's name becomes a
    top-level YAML key listing its devices. A name already taken is
    reported as this plugin's failure.
    """


@hookspec
def sigap_platforms(hub: Hub) -> Iterable[type[Device]]:
    """Return device platform classes of any domain this hub knows.

    :param hub: the hub being set up.

    Each class subclasses its domain's base class (its ``domain`` names the
    domain), names itself with ``platform`` and declares its extra keys in
    ``CONFIG_SCHEMA``. The per-domain hooks below do the same for the core's
    four domains.
    """


@hookspec
def sigap_camera_platforms(hub: Hub) -> Iterable[type[Camera]]:
    """Return the camera platform classes this plugin provides.

    :param hub: the hub being set up.

    Each class subclasses :class:`hub.Camera`, names itself with ``platform``
    (the value admins write as ``platform:`` under ``camera:``) and declares
    the extra keys it accepts in ``CONFIG_SCHEMA``.
    """


@hookspec
def sigap_door_platforms(hub: Hub) -> Iterable[type[Door]]:
    """Return the door / access-controller platform classes this plugin provides.

    :param hub: the hub being set up.

    Each class subclasses :class:`hub.Door` (``platform``, ``CONFIG_SCHEMA``).
    """


@hookspec
def sigap_siren_platforms(hub: Hub) -> Iterable[type[Siren]]:
    """Return the siren / relay platform classes this plugin provides.

    :param hub: the hub being set up.

    Each class subclasses :class:`hub.Siren` (``platform``, ``CONFIG_SCHEMA``).
    """


@hookspec
def sigap_notify_platforms(hub: Hub) -> Iterable[type[Notifier]]:
    """Return the messenger platform classes this plugin provides.

    :param hub: the hub being set up.

    Each class subclasses :class:`hub.Notifier` (``platform``, ``CONFIG_SCHEMA``).
    """


# -- automation -------------------------------------------------------------


@hookspec
def sigap_trigger_platforms(hub: Hub) -> Iterable[type[TriggerPlatform]]:
    """Return new automation trigger types.

    :param hub: the hub being set up.

    Each class subclasses :class:`hub.TriggerPlatform`: ``platform`` is the
    name used in YAML (``trigger: <platform>``), ``CONFIG_SCHEMA`` validates
    the trigger, and ``attach(...)`` returns the function that detaches it.
    """


# -- configuration, web, lifetime ------------------------------------------------


@hookspec
def sigap_config_schema(hub: Hub) -> Mapping[str, Any]:
    """Return the top-level YAML keys this plugin owns, each with its schema.

    :param hub: the hub being set up.

    A schema is a voluptuous schema, or a callable ``(node) -> (value,
    errors)`` returning :class:`hub.ConfigError` items. The validated value
    is available as ``hub.config[key]``.
    """


@hookspec
def sigap_http_routes(hub: Hub) -> Iterable[web.AbstractRouteDef]:
    """Return aiohttp route definitions for this plugin's webhooks.

    :param hub: the hub being set up.

    They are mounted under ``/api/plugins/<plugin name>/``.
    """


@hookspec
def sigap_http_root_routes(hub: Hub) -> Iterable[web.RouteDef]:
    """Return aiohttp route definitions served at the root of the hub's server.

    :param hub: the hub being set up.

    Only for a device protocol that fixes its paths (a door terminal calling
    ``/iclock/cdata``): paths under ``/api/`` are the hub's, and a method and
    path another plugin serves already are refused, each as this plugin's
    recorded failure.
    """


@hookspec
def sigap_lifespan(hub: Hub) -> AbstractAsyncContextManager[None] | None:
    """Return an async context manager that runs while the hub runs.

    :param hub: the hub being started.

    The hub enters it after the configuration is valid and before devices
    start, and exits it when the hub stops; its cleanup runs only if its setup
    finished. A setup that raises is reported and the rest of the hub starts.
    """
