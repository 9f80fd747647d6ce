"""Test helpers for Sigap and for vendors testing their plugins.

Installed as a pytest plugin (entry point `pytest11: sigap`), so a vendor's
test suite gets the `hub_factory` fixture by installing sigap-hub."""

from hub.core.clock import FakeClock

from .waiting import EventWaiter, wait_for_event, wait_for_state

__all__ = ["EventWaiter", "FakeClock", "wait_for_event", "wait_for_state"]
