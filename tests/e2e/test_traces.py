"""One approval is one trace: gateway -> contributions -> outbox -> RabbitMQ -> ledger booking, exported over
OTLP/HTTP by every process to a receiver the test runs."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan

from .conftest import eventually, started_habitat

# about 60 s here, most of it starting the stack; the cap leaves room for a loaded machine
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SERVER, CLIENT, PRODUCER, CONSUMER = (ProtoSpan.SPAN_KIND_SERVER, ProtoSpan.SPAN_KIND_CLIENT,
                                      ProtoSpan.SPAN_KIND_PRODUCER, ProtoSpan.SPAN_KIND_CONSUMER)


@dataclass(frozen=True)
class Exported:
    service: str
    span: ProtoSpan

    @property
    def id(self) -> bytes:
        return self.span.span_id

    @property
    def parent(self) -> bytes:
        return self.span.parent_span_id

    def attribute(self, *keys: str) -> str:
        """The first of keys the span has, as text ("" when none)."""
        values = {a.key: a.value for a in self.span.attributes}
        for key in keys:
            if key in values:
                value = values[key]
                return value.string_value or str(value.int_value)
        return ""


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, list[Exported]]]:
    """An OTLP/HTTP endpoint on loopback keeping every span it is sent, with its process's service.name."""
    spans: list[Exported] = []
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = ExportTraceServiceRequest.FromString(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                for resource_spans in request.resource_spans:
                    service = next(a.value.string_value for a in resource_spans.resource.attributes
                                   if a.key == "service.name")
                    spans.extend(Exported(service, s) for scope in resource_spans.scope_spans for s in scope.spans)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", spans
    finally:
        server.shutdown()
        server.server_close()


class Trace:
    """The spans of one trace, walked by parent links."""

    def __init__(self, spans: list[Exported]) -> None:
        self.spans = spans
        self.by_id = {s.id: s for s in spans}

    def ancestors(self, span: Exported) -> list[Exported]:
        chain = []
        while span.parent in self.by_id:
            span = self.by_id[span.parent]
            chain.append(span)
        return chain

    def find(self, service: str, kind: int, test=lambda span: True) -> list[Exported]:
        return [s for s in self.spans if s.service == service and s.span.kind == kind and test(s)]

    def one_under(self, ancestor: Exported, service: str, kind: int, test=lambda span: True) -> Exported | None:
        found = [s for s in self.find(service, kind, test) if ancestor in self.ancestors(s)]
        return found[0] if found else None


def statement(span: Exported) -> str:
    return span.attribute("db.statement", "db.query.text")


class TestOneApprovalIsOneTrace:
    def test_spans_link_gateway_contributions_outbox_rabbitmq_and_the_ledger_booking(self) -> None:
        tracing = {
            "OTEL_TRACES_SAMPLER": "parentbased_always_on",
            "OTEL_BSP_SCHEDULE_DELAY": "200",  # ms: the batch leaves each process quickly
        }
        with otlp_receiver() as (endpoint, spans), started_habitat(
            "habitat_traces", extra_env={**tracing, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
        ) as habitat:
            member_id, member = habitat.active_member()
            _, steward = habitat.active_member("steward")
            contribution = habitat.submit(member, {"type": "capital", "contributed_on": "2026-03-03",
                                                   "amount": "7.00", "description": "Traced capital"})
            correlation_id = f"traces-{uuid.uuid4()}"
            with habitat.client() as client:
                response = client.post(
                    f"/api/v1/contributions/{contribution['id']}/approve", json={},
                    headers={"Authorization": f"Bearer {steward}", "X-Correlation-ID": correlation_id},
                )
            assert response.status_code == 200, response.text
            eventually(lambda: habitat.capital(member, member_id) == ("7.00", "7.00"), timeout=15)

            def approval_root() -> Exported | None:
                found = [s for s in list(spans) if s.service == "gateway" and s.span.kind == SERVER
                         and contribution["id"] in s.attribute("url.path", "http.target", "http.url")
                         and s.span.name.startswith("POST")]
                return found[0] if found else None

            gateway_server = eventually(approval_root, timeout=10)

            def whole_trace() -> Trace | None:
                trace = Trace([s for s in list(spans) if s.span.trace_id == gateway_server.span.trace_id])
                booking = trace.find("ledger", CONSUMER)
                ledger_sql = booking and trace.one_under(booking[0], "ledger", CLIENT, lambda s: "ledger." in statement(s))
                # the relay's span ends after it marked the row published, so its batch may leave the worker
                # after the ledger's spans: the trace is whole only when both have arrived
                relayed = any(s.span.name.startswith("outbox relay") for s in trace.spans)
                return trace if ledger_sql and relayed else None

            trace = eventually(whole_trace, timeout=15)

        # the gateway's client span is the server span's child, and the contributions service's server span is
        # its child across the process boundary; each server span is named after its route
        [gateway_client] = [s for s in trace.find("gateway", CLIENT) if s.parent == gateway_server.id]
        [contributions_server] = trace.find("contributions", SERVER, lambda s: s.parent == gateway_client.id)
        assert "/approve" in contributions_server.attribute("url.path", "http.target", "http.url")
        assert gateway_server.span.name == "POST /api/v1/contributions/{contribution_id}/approve"
        assert contributions_server.span.name == "POST /contributions/{contribution_id}/approve"
        # the approval's statements, the outbox row among them, run inside that request
        outbox_insert = trace.one_under(contributions_server, "contributions", CLIENT,
                                        lambda s: "INSERT INTO contributions.outbox" in statement(s))
        assert outbox_insert is not None, [statement(s) for s in trace.find("contributions", CLIENT)]
        # the worker's relay continues the trace the outbox row carried in its headers
        [relay] = [s for s in trace.spans if s.span.name.startswith("outbox relay")]
        assert (relay.service, relay.parent) == ("contributions", contributions_server.id)
        publish = trace.one_under(relay, "contributions", PRODUCER, lambda s: s.span.name.endswith("publish"))
        assert publish is not None
        # RabbitMQ carried the context: the ledger's consumer span hangs under the relay's producer spans
        [consumer] = trace.find("ledger", CONSUMER)
        assert trace.by_id[consumer.parent].service == "contributions"
        assert relay in trace.ancestors(consumer)
        # and the booking's statements are the consumer's children
        booking_sql = trace.one_under(consumer, "ledger", CLIENT, lambda s: "INSERT INTO ledger." in statement(s))
        assert booking_sql is not None, [statement(s) for s in trace.find("ledger", CLIENT)]
        assert len({s.span.trace_id for s in trace.spans}) == 1
