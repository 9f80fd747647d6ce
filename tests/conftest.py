"""The project's tests. tests/fixtures holds packages the tests install or
run on their own (a vendor's plugin and its own tests): never collected here."""

collect_ignore = ["fixtures"]
