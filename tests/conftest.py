"""The project's tests. tests/fixtures holds packages the tests install or
run on their own (a vendor's plugin and its own tests): never collected here."""

import os

collect_ignore = ["fixtures"]

# The suite asserts the English wording of what the hub and `sigap` print;
# the default is Indonesian. Tests of the Indonesian texts set SIGAP_LANG
# (or hub.language) themselves.
os.environ["SIGAP_LANG"] = "en"
