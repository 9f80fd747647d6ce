"""Typed keys for the hub's shared data (like aiohttp's AppKey): no untyped
dict shared between plugins."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class HubKey(Generic[T]):
    """A key into `hub.data` whose value has type T."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<HubKey {self.name}>"


def _check(key: object) -> None:
    if not isinstance(key, HubKey):
        raise TypeError(f"hub.data keys must be HubKey, not {type(key).__name__}")


class HubData(dict[HubKey[Any], Any]):
    """`hub.data`: a dict that only takes HubKeys, so every value is typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.update(*args, **kwargs)

    def __getitem__(self, key: HubKey[T]) -> T:
        return super().__getitem__(key)

    def __setitem__(self, key: HubKey[T], value: T) -> None:
        _check(key)
        super().__setitem__(key, value)

    # dict's own update, |= and constructor bypass __setitem__: check them too.
    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> HubData:  # type: ignore[override,misc]
        self.update(other)
        return self

    @overload
    def get(self, key: HubKey[T]) -> T | None: ...
    @overload
    def get(self, key: HubKey[T], default: T) -> T: ...
    def get(self, key: HubKey[T], default: Any = None) -> Any:
        return super().get(key, default)

    def setdefault(self, key: HubKey[T], default: T) -> T:  # type: ignore[override]
        _check(key)
        return super().setdefault(key, default)
