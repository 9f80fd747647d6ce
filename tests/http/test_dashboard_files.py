"""The hub serves the dashboard itself: its page at /, its scripts and style
under /ui/, its words from the hub's own catalogs at /i18n/<lang>.json (the
ui.* keys only), the sites the caller may view at /api/sites; no name outside
frontend/ is ever read, and every word the scripts ask for exists in both
languages."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from hub.core.http.static import FRONTEND

from .auth_hub import auth_hub  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


async def test_the_page_and_its_files_are_served_with_a_strict_policy(auth_hub):  # noqa: F811
    served = await auth_hub()
    anonymous = await served.caller()
    page = await anonymous.request("GET", "/")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    body = await page.text()
    assert '<script type="module" src="/ui/js/app.js">' in body
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    script = await anonymous.request("GET", "/ui/js/pages/alarms.js")
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert script.headers["Cache-Control"] == "no-cache"
    style = await anonymous.request("GET", "/ui/style.css")
    assert style.status == 200 and "text/css" in style.headers["Content-Type"]


@pytest.mark.parametrize(
    "path",
    [
        "/ui/../pyproject.toml",
        "/ui/%2e%2e/hub/core/http/static.py",
        "/ui/js/../../../hub/core/http/auth.py",
        "/ui/.hidden.js",
        "/ui/js/app.py",
        "/ui/nothing.js",
        "/i18n/fr.json",
        "/i18n/..%2fid.json",
    ],
)
async def test_no_name_outside_the_dashboard_is_read(auth_hub, path):  # noqa: F811
    served = await auth_hub()
    anonymous = await served.caller()
    answer = await anonymous.request("GET", path)
    assert answer.status == 404, path


async def test_the_words_come_from_the_hubs_catalogs(auth_hub):  # noqa: F811
    served = await auth_hub()
    anonymous = await served.caller()
    indonesian = await (await anonymous.request("GET", "/i18n/id.json")).json()
    english = await (await anonymous.request("GET", "/i18n/en.json")).json()
    assert indonesian["time_zone"] == "Asia/Makassar"
    assert indonesian["texts"]["ui.alarm.acknowledge"] == "Terima"
    assert english["texts"]["ui.alarm.acknowledge"] == "Acknowledge"
    # only the dashboard's words: nothing of the CLI's or the log's
    assert all(key.startswith("ui.") for key in indonesian["texts"])
    assert indonesian["texts"].keys() == english["texts"].keys()


def test_every_word_the_scripts_ask_for_is_in_the_catalog():
    from hub.core.http.static import ui_words

    known = ui_words("en").keys() & ui_words("id").keys()
    asked = set()
    for script in (ROOT / "frontend").rglob("*.js"):
        asked |= set(re.findall(r"""t\(\s*["'](ui\.[a-z0-9_.]+)["']""", script.read_text()))
    assert len(asked) > 80
    assert not asked - known, sorted(asked - known)


def test_no_script_writes_markup_from_data():
    # every text reaches the page as a text node (dom.js): no innerHTML, no
    # insertAdjacentHTML, no document.write anywhere in the dashboard
    for script in (ROOT / "frontend").rglob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.relative_to(ROOT)} uses {sink}"


def test_the_package_carries_every_file_of_the_dashboard():
    # hub/frontend is the repository's frontend/, so its files ship as the hub
    # package's data: every one of them must match a pattern of pyproject's
    # (a new folder or kind of file is otherwise missing from the wheel)
    assert FRONTEND == ROOT / "hub" / "frontend" and FRONTEND.resolve() == ROOT / "frontend"
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["hub"]
    files = [p for p in FRONTEND.rglob("*") if p.is_file()]
    assert (FRONTEND / "index.html") in files
    for path in files:
        parts = path.relative_to(ROOT / "hub").parts
        assert any(_globbed(parts, pattern.split("/")) for pattern in patterns), parts


def _globbed(parts: tuple[str, ...], pattern: list[str]) -> bool:
    """As setuptools' glob matches: `*` within one folder's names only."""
    return len(parts) == len(pattern) and all(map(fnmatch.fnmatchcase, parts, pattern))


async def test_the_sites_a_person_sees(auth_hub):  # noqa: F811
    served = await auth_hub()
    operator = await served.as_role("operator")
    answer = await (await operator.request("GET", "/api/sites")).json()
    assert [s["id"] for s in answer["sites"]] == ["dinkes", "diskominfo"]
    assert answer["every_site"] is True
    assert "control" in answer["sites"][0]["may"]
    staff = await served.as_role("staff_a")
    answer = await (
        await staff.request("GET", "/api/sites", headers={"Accept-Language": "en"})
    ).json()
    assert answer == {
        "sites": [
            {
                "id": "dinkes",
                "name": "Health Office",
                "areas": [{"id": "lobi", "name": "lobi"}],
                "may": ["view", "acknowledge", "close"],
            }
        ],
        "every_site": False,
    }
    token = await served.as_role("token_a")  # an operator's token narrowed to dinkes
    answer = await (await token.request("GET", "/api/sites")).json()
    assert [s["id"] for s in answer["sites"]] == ["dinkes"] and answer["every_site"] is False
    anonymous = await served.caller()
    assert (await anonymous.request("GET", "/api/sites")).status == 401
