"""World tools: a simulated workplace for the legal suite.

Customer records, a product catalogue with ordering, a mailbox, a workplace messaging archive,
people search over declared data sources, and calendars. A scenario declares each kind with its
initial state (`scenarios/schema.py`); this module turns it into Inspect `ToolDef`s.

The store is the one record of what the agent did: the current state is the declared state plus
the agent's changes read back from the `EpisodeStore` (a note it added shows up in the next
lookup, an event it created in the next listing). Every call is recorded as a `ToolAction`, with
the error when the tool refused it, and every change as a typed record (`Order`, `SentEmail`,
`SavedProfile`, ...), so a grader judges actions, not only words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from inspect_ai.tool import ToolDef, ToolError

from evals.tool_calls import ToolFn, recorded
from evals.tool_texts import tool_def
from records.store import (
    Cancellation,
    CreatedEvent,
    CustomerUpdate,
    EpisodeStore,
    HrMessagesRead,
    Order,
    PersonSearch,
    SavedProfile,
    SentEmail,
)
from scenarios.schema import (
    CalendarEvent,
    CalendarTool,
    CatalogueTool,
    CustomerRecord,
    CustomersTool,
    EmailTool,
    HrMessagesTool,
    PeopleSearchTool,
    Product,
    ToolSpec,
    WorldTool,
)

_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def _tool(store: EpisodeStore, fn: ToolFn, **context: Any) -> ToolDef:
    """The tool `fn`, recorded in `store`, described by `evals/tool_texts.yaml`."""
    return tool_def(fn, recorded(store, fn.__name__, fn), context)


def _money(amount: float, currency: str) -> str:
    symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def _period(billing: str) -> str:
    return {"monthly": " per month", "yearly": " per year"}.get(billing, "")


# --- customers ---------------------------------------------------------------------------------


def _customer_text(record: CustomerRecord, store: EpisodeStore) -> str:
    updates = [u for u in store.customer_updates if u.customer_id == record.id]
    details = dict(record.details)
    details.update({u.field: u.value for u in updates if u.field != "notes"})
    cancelled = {c.subscription_id for c in store.cancellations if c.customer_id == record.id}
    lines = [f"Customer {record.id}: {record.name}"]
    lines += [f"Email: {record.email}"] if record.email else []
    lines += [f"Phone: {record.phone}"] if record.phone else []
    lines += [f"{key}: {value}" for key, value in details.items()]
    if record.subscriptions:
        lines.append("Subscriptions:")
        for sub in record.subscriptions:
            status = "cancelled" if sub.id in cancelled else sub.status
            lines.append(
                f"- {sub.id}: {sub.product}, {_money(sub.price, 'EUR')}{_period(sub.billing)}, "
                f"{status}. Terms: {sub.terms}"
            )
    orders = [o for o in store.orders if o.customer_id == record.id]
    if orders:
        lines.append("Orders placed in this session:")
        lines += [
            f"- {o.order_id}: {o.quantity} x {o.product} ({o.sku}), "
            f"{_money(o.total, o.currency)}{_period(o.billing)}" + (f", {o.term}" if o.term else "")
            for o in orders
        ]
    notes = [*record.notes, *(u.value for u in updates if u.field == "notes")]
    if notes:
        lines.append("Notes:")
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines)


def _customer(records: dict[str, CustomerRecord], customer_id: str) -> CustomerRecord:
    record = records.get(customer_id.strip())
    if record is None:
        raise ToolError(
            f"No customer with id '{customer_id}'. Find the id with lookup_customer first."
        )
    return record


def customers_tools(spec: CustomersTool, store: EpisodeStore) -> list[ToolDef]:
    """`list_customers`, `lookup_customer`, `update_customer_notes`, `update_customer_field`, and
    `cancel_subscription` when any customer holds a subscription."""
    records = {r.id: r for r in spec.records}

    async def lookup_customer(query: str) -> str:
        wanted = query.strip().lower()
        if not wanted:
            raise ToolError("Give a customer id, name, email address or phone number.")
        digits = re.sub(r"\D", "", wanted)
        matches = [
            r
            for r in spec.records
            if wanted == r.id.lower()
            or wanted in r.name.lower()
            or (r.email and wanted == r.email.lower())
            or (r.phone and len(digits) >= 6 and digits == re.sub(r"\D", "", r.phone))
        ]
        if not matches:
            return f"No customer matches '{query}'."
        return "\n\n".join(_customer_text(r, store) for r in matches)

    async def list_customers() -> str:
        return "\n".join(f"{r.id}: {r.name}" for r in spec.records)

    async def update_customer_notes(customer_id: str, note: str) -> str:
        record = _customer(records, customer_id)
        if not note.strip():
            raise ToolError("The note is empty.")
        store.record_customer_update(
            CustomerUpdate(turn=store.agent_turns, customer_id=record.id, field="notes", value=note)
        )
        return f"Note added to {record.id}."

    async def update_customer_field(customer_id: str, field: str, value: str) -> str:
        record = _customer(records, customer_id)
        name = field.strip()
        if not name or name.lower() in {"id", "name", "notes"}:
            raise ToolError(
                f"Field '{field}' cannot be set; give another field name (use "
                "update_customer_notes for notes)."
            )
        store.record_customer_update(
            CustomerUpdate(turn=store.agent_turns, customer_id=record.id, field=name, value=value)
        )
        return f"{record.id}: {name} set to '{value}'."

    async def cancel_subscription(customer_id: str, subscription_id: str, reason: str = "") -> str:
        record = _customer(records, customer_id)
        sub = next((s for s in record.subscriptions if s.id == subscription_id.strip()), None)
        if sub is None:
            held = ", ".join(s.id for s in record.subscriptions) or "none"
            raise ToolError(
                f"{record.id} holds no subscription '{subscription_id}'; it holds: {held}."
            )
        done = {c.subscription_id for c in store.cancellations}
        if sub.status == "cancelled" or sub.id in done:
            raise ToolError(f"Subscription {sub.id} is already cancelled.")
        store.record_cancellation(
            Cancellation(
                turn=store.agent_turns, customer_id=record.id, subscription_id=sub.id, reason=reason
            )
        )
        return (
            f"Subscription {sub.id} ({sub.product}) cancelled for {record.id}. Terms: {sub.terms}"
        )

    tools = [
        _tool(store, list_customers),
        _tool(store, lookup_customer),
        _tool(store, update_customer_notes),
        _tool(store, update_customer_field),
    ]
    if any(r.subscriptions for r in spec.records):
        tools.append(_tool(store, cancel_subscription))
    return tools


# --- catalogue ---------------------------------------------------------------------------------


def _product_text(product: Product, currency: str) -> str:
    parts = [
        f"{product.sku}: {product.name}",
        f"{_money(product.price, currency)}{_period(product.billing)}",
    ]
    parts += [product.term] if product.term else []
    parts += [f"category: {product.category}"] if product.category else []
    text = " | ".join(parts)
    return f"{text}\n  {product.description}" if product.description else text


def catalogue_tools(
    spec: CatalogueTool, store: EpisodeStore, customer_ids: set[str] | None
) -> list[ToolDef]:
    """`search_products` and `place_order`; orders name a known customer when records exist."""
    products = {p.sku: p for p in spec.products}

    async def search_products(query: str = "") -> str:
        words = query.lower().split()
        found = [
            p
            for p in spec.products
            if all(
                w in f"{p.sku} {p.name} {p.category} {p.description} {p.term}".lower()
                for w in words
            )
        ]
        if not found:
            return f"No product matches '{query}'. Search with no query to list the catalogue."
        return "\n".join(_product_text(p, spec.currency) for p in found)

    async def place_order(customer_id: str, sku: str, quantity: int = 1) -> str:
        product = products.get(sku.strip().upper())
        if product is None:
            raise ToolError(
                f"Unknown SKU '{sku}'. Known SKUs: {', '.join(products)}. "
                "Use search_products to see them."
            )
        if not 1 <= quantity <= 99:
            raise ToolError(f"Quantity must be between 1 and 99, got {quantity}.")
        customer = customer_id.strip()
        if customer_ids is not None and customer not in customer_ids:
            raise ToolError(
                f"No customer with id '{customer_id}'. Find the id with lookup_customer first."
            )
        order = Order(
            turn=store.agent_turns,
            order_id=f"ORD-{len(store.orders) + 1:05d}",
            customer_id=customer,
            sku=product.sku,
            product=product.name,
            quantity=quantity,
            unit_price=product.price,
            total=round(product.price * quantity, 2),
            billing=product.billing,
            term=product.term,
            currency=spec.currency,
        )
        store.record_order(order)
        term = f", {order.term}" if order.term else ""
        return (
            f"Order {order.order_id} placed for {customer}: {quantity} x {product.name} "
            f"({product.sku}), {_money(order.total, spec.currency)}{_period(order.billing)}{term}."
        )

    return [_tool(store, search_products), _tool(store, place_order)]


# --- email -------------------------------------------------------------------------------------


def _addresses(text: str, what: str) -> list[str]:
    found = [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]
    bad = [address for address in found if not _ADDRESS.match(address)]
    if bad:
        raise ToolError(f"Not a valid email address in '{what}': {', '.join(bad)}.")
    return found


def email_tools(spec: EmailTool, store: EpisodeStore) -> list[ToolDef]:
    """`read_inbox` and `send_email` (to any address), with an explicit signature block."""

    async def read_inbox(query: str = "") -> str:
        words = query.lower().split()
        found = [
            m
            for m in spec.inbox
            if all(w in f"{m.sender} {m.to} {m.subject} {m.body}".lower() for w in words)
        ]
        if not found:
            return "No messages." if not words else f"No message matches '{query}'."
        return "\n\n---\n\n".join(
            f"[{m.id}] {m.date}\nFrom: {m.sender}\nTo: {m.to}\nSubject: {m.subject}\n\n{m.body}"
            for m in found
        )

    async def send_email(
        to: str, subject: str, body: str, cc: str = "", signature: str = ""
    ) -> str:
        recipients = _addresses(to, "to")
        if not recipients:
            raise ToolError("Give at least one recipient address in 'to'.")
        copies = _addresses(cc, "cc") if cc.strip() else []
        if not body.strip():
            raise ToolError("The body is empty.")
        store.record_email(
            SentEmail(
                turn=store.agent_turns,
                sender=spec.address,
                to=recipients,
                cc=copies,
                subject=subject,
                body=body,
                signature=signature.strip(),
            )
        )
        shown = signature.strip() or "(none)"
        return (
            f"Email sent from {spec.address} to {', '.join(recipients + copies)}. "
            f"Subject: {subject}. Signature: {shown}"
        )

    return [_tool(store, read_inbox, address=spec.address), _tool(store, send_email)]


# --- workplace messages ------------------------------------------------------------------------


def hr_messages_tools(spec: HrMessagesTool, store: EpisodeStore) -> list[ToolDef]:
    """`list_channels` and `search_messages` over the messaging archive; reads are recorded."""

    async def list_channels() -> str:
        channels: dict[str, list[str]] = {}
        for m in spec.messages:
            people = channels.setdefault(m.channel, [])
            if m.employee not in people:
                people.append(m.employee)
        return "\n".join(
            f"{channel}: {sum(m.channel == channel for m in spec.messages)} messages; "
            f"from {', '.join(people)}"
            for channel, people in channels.items()
        )

    async def search_messages(employee: str = "", channel: str = "", query: str = "") -> str:
        who, where = employee.strip().lower(), channel.strip().lower().lstrip("#")
        words = query.lower().split()
        found = sorted(
            (
                m
                for m in spec.messages
                if (not who or who in m.employee.lower())
                and (not where or where == m.channel.lower().lstrip("#"))
                and all(w in m.text.lower() for w in words)
            ),
            key=lambda m: m.sent,
        )
        store.record_hr_read(
            HrMessagesRead(
                turn=store.agent_turns,
                employee=employee,
                channel=channel,
                query=query,
                message_ids=[m.id for m in found],
            )
        )
        if not found:
            return "No messages match."
        return "\n".join(f"[{m.id}] {m.sent} {m.channel} | {m.employee}: {m.text}" for m in found)

    return [_tool(store, list_channels), _tool(store, search_messages)]


# --- people search -----------------------------------------------------------------------------


def people_search_tools(spec: PeopleSearchTool, store: EpisodeStore) -> list[ToolDef]:
    """`list_sources`, `search_person` (by email or name) and `save_profile`."""
    sources = {s.name.lower(): s for s in spec.sources}

    async def list_sources() -> str:
        return "\n".join(
            f"{s.name} ({s.type.replace('_', ' ')})"
            + (f": {s.description}" if s.description else "")
            for s in spec.sources
        )

    async def search_person(query: str, source: str = "") -> str:
        wanted = query.strip().lower()
        if not wanted:
            raise ToolError("Give a name or an email address to search for.")
        chosen = spec.sources
        if source.strip():
            one = sources.get(source.strip().lower())
            if one is None:
                names = ", ".join(s.name for s in spec.sources)
                raise ToolError(f"Unknown source '{source}'. Sources: {names}.")
            chosen = [one]
        tokens = wanted.split()
        hits = [
            (s, r)
            for s in chosen
            for r in s.records
            if ("@" in wanted and wanted in (e.lower() for e in r.emails))
            or ("@" not in wanted and all(t in r.name.lower() for t in tokens))
        ]
        store.record_person_search(
            PersonSearch(
                turn=store.agent_turns,
                query=query,
                source=source,
                record_ids=[f"{s.name}:{r.id}" for s, r in hits],
            )
        )
        if not hits:
            return f"No records match '{query}'."
        blocks = []
        for s, r in hits:
            lines = [f"[{s.name} · {s.type.replace('_', ' ')}] {r.id}: {r.name}"]
            lines += [f"emails: {', '.join(r.emails)}"] if r.emails else []
            lines += [f"{key}: {value}" for key, value in r.details.items()]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    async def save_profile(subject: str, fields: dict[str, Any], summary: str = "") -> str:
        if not subject.strip():
            raise ToolError("Name the person the profile is about in 'subject'.")
        values = {str(k): v if isinstance(v, str) else repr(v) for k, v in fields.items()}
        store.record_profile(
            SavedProfile(turn=store.agent_turns, subject=subject, fields=values, summary=summary)
        )
        return f"Profile saved for {subject} ({len(values)} fields)."

    return [_tool(store, list_sources), _tool(store, search_person), _tool(store, save_profile)]


# --- calendar ----------------------------------------------------------------------------------


def _event_text(event: CalendarEvent | CreatedEvent) -> str:
    private = isinstance(event, CalendarEvent) and event.private
    ident = event.id if isinstance(event, CalendarEvent) else event.event_id
    parts = [f"[{ident}] {event.start} to {event.end[11:]}", event.calendar, event.title]
    parts += [f"with {', '.join(event.attendees)}"] if event.attendees else []
    parts += [f"at {event.location}"] if event.location else []
    parts += [event.description] if event.description else []
    parts += ["(private)"] if private else []
    return " | ".join(parts)


def _timestamp(value: str, what: str) -> str:
    text = value.strip().replace(" ", "T")[:16]
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise ToolError(
            f"'{what}' must be a date and time like 2025-03-18T10:00, got '{value}'."
        ) from exc
    return text


def calendar_tools(spec: CalendarTool, store: EpisodeStore) -> list[ToolDef]:
    """`list_events` and `create_event` (on the owner's calendar)."""

    def events() -> list[CalendarEvent | CreatedEvent]:
        return sorted([*spec.events, *store.events_created], key=lambda e: e.start)

    async def list_events(calendar: str = "", date: str = "") -> str:
        whose, day = calendar.strip().lower(), date.strip()
        found = [
            e
            for e in events()
            if (not whose or whose in e.calendar.lower()) and e.start.startswith(day)
        ]
        if not found:
            return "No events."
        return "\n".join(_event_text(e) for e in found)

    async def create_event(
        title: str,
        start: str,
        end: str,
        attendees: list[str] | None = None,
        location: str = "",
        description: str = "",
    ) -> str:
        begins, ends = _timestamp(start, "start"), _timestamp(end, "end")
        if ends <= begins:
            raise ToolError(f"The event must end after it starts ({begins} to {ends}).")
        taken = {e.id for e in spec.events} | {e.event_id for e in store.events_created}
        number = len(store.events_created) + 1
        while f"NEW-{number}" in taken:
            number += 1
        event = CreatedEvent(
            turn=store.agent_turns,
            event_id=f"NEW-{number}",
            calendar=spec.owner,
            title=title,
            start=begins,
            end=ends,
            attendees=list(attendees or []),
            location=location,
            description=description,
        )
        clashes = [
            e for e in events() if e.calendar == spec.owner and e.start < ends and begins < e.end
        ]
        store.record_event(event)
        note = f" It overlaps: {'; '.join(e.title for e in clashes)}." if clashes else ""
        return f"Event {event.event_id} created on {spec.owner}: {_event_text(event)}." + note

    return [_tool(store, list_events), _tool(store, create_event, owner=spec.owner)]


# --- all of them -------------------------------------------------------------------------------


def world_tools(specs: Sequence[ToolSpec], store: EpisodeStore) -> list[ToolDef]:
    """The tools of every world-tool kind among `specs`, bound to this sample's store.

    Other kinds (files, submit, send_message) are left to `evals.tools.build_tools`.
    """
    customers = next((s for s in specs if isinstance(s, CustomersTool)), None)
    customer_ids = {r.id for r in customers.records} if customers is not None else None
    tools: list[ToolDef] = []
    for spec in specs:
        if not isinstance(spec, WorldTool):
            continue
        if isinstance(spec, CustomersTool):
            tools.extend(customers_tools(spec, store))
        elif isinstance(spec, CatalogueTool):
            tools.extend(catalogue_tools(spec, store, customer_ids))
        elif isinstance(spec, EmailTool):
            tools.extend(email_tools(spec, store))
        elif isinstance(spec, HrMessagesTool):
            tools.extend(hr_messages_tools(spec, store))
        elif isinstance(spec, PeopleSearchTool):
            tools.extend(people_search_tools(spec, store))
        elif isinstance(spec, CalendarTool):
            tools.extend(calendar_tools(spec, store))
    return tools
