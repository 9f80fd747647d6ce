"""The ONVIF event message parser: every message of the fake camera reads
with onvif-parsers as a real camera's would, and whatever a camera sends,
the parser returns an event or None or says it is unreadable; nothing else
escapes it (hypothesis, bounded) (#9)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from xml.sax.saxutils import escape, quoteattr

import onvif_parsers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from onvif import ONVIFCamera
from onvif_parsers.errors import UnknownTopicError

from hub.plugins.onvif.camera import _PULLPOINT_NS
from hub.plugins.onvif.events import TOPIC_KINDS, CameraEvent, UnreadableEvent, parse
from hub.testing.cameras.onvif_device import _ENVELOPE, EVENT_KINDS, notification

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEV = "{http://www.onvif.org/ver10/events/wsdl}"


@pytest.fixture(scope="module")
def pull_response():
    """zeep's PullMessagesResponse element, as the hub's pull deserializes it."""

    async def load():
        device = ONVIFCamera("127.0.0.1", 1, "", "")  # never asked anything
        device.xaddrs[_PULLPOINT_NS] = "http://127.0.0.1:1/onvif/unused"
        try:
            service = await device.create_pullpoint_service()
        finally:
            await device.close()
        client = service.zeep_client
        return client.get_element(f"{TEV}PullMessagesResponse"), client.wsdl.types

    return asyncio.run(load())


def messages(pull_response, notifications: str) -> list:
    element, types = pull_response
    body = (
        "<tev:PullMessagesResponse><tev:CurrentTime>2026-12-01T00:00:00Z</tev:CurrentTime>"
        "<tev:TerminationTime>2026-12-01T00:01:00Z</tev:TerminationTime>"
        f"{notifications}</tev:PullMessagesResponse>"
    )
    envelope = etree.fromstring(_ENVELOPE.format(body=body).encode())
    result = element.parse(envelope.find(f".//{TEV}PullMessagesResponse"), types)
    return list(result.NotificationMessage or [])


@pytest.mark.parametrize("kind", sorted(EVENT_KINDS))
async def test_every_fake_event_reads_with_onvif_parsers(pull_response, kind):
    topic = EVENT_KINDS[kind][0]
    for active in (True, False):
        [message] = messages(pull_response, notification(kind, active, datetime.now(UTC)))
        try:
            entities = await onvif_parsers.parse(topic, "sim", message)
        except UnknownTopicError:
            assert kind == "video_loss"  # read by events.py itself, as documented there
        else:
            assert entities, kind
        event = await parse("sim", message)
        if topic not in TOPIC_KINDS:
            assert event is None
            continue
        assert event.kind == TOPIC_KINDS[topic]
        assert event.active is active
        assert event.camera_time is not None and not event.initialized


def check(result) -> None:
    assert result is None or isinstance(result, CameraEvent)
    if result is not None:
        assert isinstance(result.source, str) and len(result.source) < 400


def parse_now(message) -> None:
    async def run():
        try:
            check(await parse("fuzz", message))
        except UnreadableEvent as err:
            assert isinstance(err.args[0], str) and "\n" not in err.args[0]

    asyncio.run(run())


# -- XML as a camera could send it, through zeep as the hub reads it ---------------------

XML_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.sampled_from("\t\n"),
    max_size=30,
)
TOPICS = st.sampled_from([*TOPIC_KINDS, "tns1:Device/HardwareFailure/StorageFailure"]) | XML_TEXT
ITEMS = st.lists(st.tuples(XML_TEXT, XML_TEXT), max_size=4)
VALUES = st.sampled_from(["true", "false", "1", "0", "", "TRUE", "yes"]) | XML_TEXT


@st.composite
def notifications(draw) -> str:
    def items(pairs) -> str:
        return "".join(
            f"<tt:SimpleItem Name={quoteattr(n)} Value={quoteattr(v)}/>" for n, v in pairs
        )

    source = draw(st.none() | ITEMS)
    data = draw(st.none() | st.lists(st.tuples(XML_TEXT, VALUES), max_size=3))
    attrs = ""
    if draw(st.booleans()):
        when = draw(st.sampled_from(["2026-12-01T10:00:00.123Z", "2026-13-45T99:00:00Z", "x"]))
        attrs += f" UtcTime={quoteattr(when)}"
    if draw(st.booleans()):
        operation = draw(st.sampled_from(["Changed", "Initialized", "Deleted"]) | XML_TEXT)
        attrs += f" PropertyOperation={quoteattr(operation)}"
    inner = ""
    if source is not None:
        inner += f"<tt:Source>{items(source)}</tt:Source>"
    if data is not None:
        inner += f"<tt:Data>{items(data)}</tt:Data>"
    message = draw(
        st.sampled_from(
            [
                f"<wsnt:Message><tt:Message{attrs}>{inner}</tt:Message></wsnt:Message>",
                "<wsnt:Message/>",
                f"<wsnt:Message><tt:Other>{escape(draw(XML_TEXT))}</tt:Other></wsnt:Message>",
                "",
            ]
        )
    )
    return (
        "<wsnt:NotificationMessage>"
        f'<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
        f"{escape(draw(TOPICS))}</wsnt:Topic>{message}</wsnt:NotificationMessage>"
    )


@FUZZ
@given(xml=notifications())
def test_fuzz_event_messages_as_zeep_reads_them(pull_response, xml):
    try:
        read = messages(pull_response, xml)
    except Exception:
        return  # zeep refused the answer: the pull fails as a whole, before our parser
    for message in read:
        parse_now(message)


# -- any shape at all (what another zeep, or another camera's schema, could hand over) --

LEAVES = st.none() | st.booleans() | st.integers() | XML_TEXT | st.sampled_from(list(TOPIC_KINDS))
FIELDS = ["Topic", "_value_1", "Message", "Source", "Data", "SimpleItem", "Name", "Value",
          "PropertyOperation", "UtcTime"]  # fmt: skip
SHAPES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5).map(
            lambda d: SimpleNamespace(**d)
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(message=SHAPES)
def test_fuzz_any_shape(message):
    parse_now(message)
