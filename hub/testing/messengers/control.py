"""A small HTTP control surface for a fake messenger running on its own
(`python -m hub.testing.messengers`, the demo): play the people with curl
instead of Python. Only when the fake is made with `control=True`, and
only under `/fake/`, a path neither real service has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .telegram import FakeTelegram
    from .whatsapp import FakeWhatsApp


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="a JSON object is expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object is expected")
    return body


def _field(body: dict[str, Any], key: str) -> Any:
    if key not in body:
        raise web.HTTPBadRequest(text=f"{key!r} is missing")
    return body[key]


def _calls(fake: Any) -> list[dict[str, Any]]:
    return [
        {"method": c.method, "status": c.status, "params": c.params, "files": sorted(c.files)}
        for c in fake.requests
    ]


def telegram_routes(tg: FakeTelegram) -> list[web.RouteDef]:
    """POST /fake/users {id, first_name, language_code}; POST /fake/send_text
    {user_id, text, chat_id?}; POST /fake/tap {chat_id, message_id, user_id,
    data?}; GET /fake/messages?chat_id=; GET /fake/calls."""

    async def users(request: web.Request) -> web.Response:
        body = await _body(request)
        user = tg.add_user(
            int(_field(body, "id")),
            str(body.get("first_name", "Petugas")),
            language_code=str(body.get("language_code", "id")),
        )
        return web.json_response(user)

    async def send_text(request: web.Request) -> web.Response:
        body = await _body(request)
        chat = body.get("chat_id")
        update = tg.send_text(
            int(_field(body, "user_id")),
            str(_field(body, "text")),
            chat_id=None if chat is None else int(chat),
        )
        return web.json_response(update)

    async def tap(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            update = tg.tap(
                int(_field(body, "chat_id")),
                int(_field(body, "message_id")),
                user_id=int(_field(body, "user_id")),
                data=body.get("data"),
            )
        except (KeyError, ValueError) as error:
            raise web.HTTPNotFound(text=str(error)) from None
        return web.json_response(update)

    async def messages(request: web.Request) -> web.Response:
        try:
            return web.json_response(tg.messages(int(request.query["chat_id"])))
        except (KeyError, ValueError):
            raise web.HTTPNotFound(text="no such chat") from None

    async def calls(request: web.Request) -> web.Response:
        return web.json_response(_calls(tg))

    return [
        web.post("/fake/users", users),
        web.post("/fake/send_text", send_text),
        web.post("/fake/tap", tap),
        web.get("/fake/messages", messages),
        web.get("/fake/calls", calls),
    ]


def whatsapp_routes(wa: FakeWhatsApp) -> list[web.RouteDef]:
    """POST /fake/subscribe {url}; POST /fake/contacts {phone, name};
    POST /fake/send_text {from, text}; POST /fake/tap {from, message_id,
    button_id?} (a reply button, or a template's quick reply);
    POST /fake/statuses {message_id, statuses: [...]}; GET /fake/sent; GET /fake/calls."""

    async def subscribe(request: web.Request) -> web.Response:
        body = await _body(request)
        await wa.subscribe(str(_field(body, "url")))
        return web.json_response({"subscribed": wa.webhook_url})

    async def contacts(request: web.Request) -> web.Response:
        body = await _body(request)
        contact = wa.add_contact(str(_field(body, "phone")), str(body.get("name", "Petugas")))
        return web.json_response({"wa_id": contact.wa_id, "name": contact.name})

    async def send_text(request: web.Request) -> web.Response:
        body = await _body(request)
        status = await wa.user_sends_text(str(_field(body, "from")), str(_field(body, "text")))
        return web.json_response({"webhook_status": status})

    async def tap(request: web.Request) -> web.Response:
        body = await _body(request)
        phone, message_id = str(_field(body, "from")), str(_field(body, "message_id"))
        try:
            sent = wa.message(message_id)
            if sent.type == "template":
                status = await wa.user_taps_quick_reply(phone, message_id)
            else:
                status = await wa.user_taps_button(phone, message_id, body.get("button_id"))
        except (StopIteration, KeyError, ValueError) as error:
            raise web.HTTPNotFound(text=f"no such message or button: {error}") from None
        return web.json_response({"webhook_status": status})

    async def statuses(request: web.Request) -> web.Response:
        body = await _body(request)
        codes = await wa.send_statuses(
            str(_field(body, "message_id")), *map(str, _field(body, "statuses"))
        )
        return web.json_response({"webhook_statuses": codes})

    async def sent(request: web.Request) -> web.Response:
        return web.json_response(
            [{"id": s.id, "to": s.to, "type": s.type, "body": s.body} for s in wa.sent]
        )

    async def calls(request: web.Request) -> web.Response:
        return web.json_response(_calls(wa))

    return [
        web.post("/fake/subscribe", subscribe),
        web.post("/fake/contacts", contacts),
        web.post("/fake/send_text", send_text),
        web.post("/fake/tap", tap),
        web.post("/fake/statuses", statuses),
        web.get("/fake/sent", sent),
        web.get("/fake/calls", calls),
    ]
