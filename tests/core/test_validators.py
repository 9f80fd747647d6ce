"""The kit's validators: one wording for a bad port, host or duration,
whichever plugin's YAML it is in."""

import pytest
import voluptuous as vol

from hub.kit import any_port, host, port, seconds


@pytest.mark.parametrize("good", [1, 80, "554", 65535])
def test_a_port(good):
    assert port(good) == int(good)


@pytest.mark.parametrize("bad", [0, 65536, -1, "http", 8.5, True, None])
def test_not_a_port(bad):
    with pytest.raises(vol.Invalid, match="expected a port number from 1 to 65535"):
        port(bad)


def test_port_zero_where_the_system_picks():
    assert any_port(0) == 0


@pytest.mark.parametrize(
    "good", ["10.20.0.5", "kamera-lobi.local", "::1", "nvr.dinkes.bontang.go.id"]
)
def test_a_host(good):
    assert host(good) == good


@pytest.mark.parametrize(
    "bad", ["", "http://10.0.0.5", "10.0.0.5/ISAPI", "kamera lobi", "-bad-.local", 42, None]
)
def test_not_a_host(bad):
    with pytest.raises(vol.Invalid) as refused:
        host(bad)
    assert refused.value.msg.render("id").startswith("seharusnya nama host atau alamat IP")


def test_seconds_within_bounds():
    assert seconds(0.1)(" 2.5 ") == 2.5
    with pytest.raises(vol.Invalid, match=r"at least 0\.1"):
        seconds(0.1)(0)
    with pytest.raises(vol.Invalid, match="from 1 to 120"):
        seconds(1, 120)(121)
    with pytest.raises(vol.Invalid):
        seconds()(float("nan"))
