"""The core: knows no vendor and no protocol."""
