"""The OpenAI-compatible backend against a stub server on 127.0.0.1: concurrency, retries, timeouts, `n`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vgpt2_ext.backends.openai import OpenAIBackend
from vgpt2_ext.errors import ValidationError


class Stub:
    """What the server does: a queue of failures to serve first, a delay per request, `n` honoured up to a cap."""

    def __init__(self) -> None:
        self.failures: list[int | str] = []  # HTTP status, or "slow" (sleeps past the client's timeout)
        self.delay = 0.0
        self.max_n = 8
        self.requests: list[dict] = []
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()


def handler_for(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with stub.lock:
                stub.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                failure = stub.failures.pop(0) if stub.failures else None
                stub.in_flight += 1
                stub.peak = max(stub.peak, stub.in_flight)
            time.sleep(1.0 if failure == "slow" else stub.delay)
            with stub.lock:
                stub.in_flight -= 1
            if isinstance(failure, int):
                self.send_error(failure)
                return
            question = body["messages"][-1]["content"]
            count = min(body.get("n", 1), stub.max_n)
            choices = [{"message": {"role": "assistant", "content": f"{question}#{i}"}} for i in range(count)]
            reply = {"choices": choices}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[Stub, str]]:
    stub = Stub()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(stub))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield stub, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def prompts(count: int) -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": "sys"}, {"role": "user", "content": f"q{i}"}] for i in range(count)]


def test_answers_come_back_in_prompt_order_with_requests_in_parallel(server) -> None:
    stub, url = server
    stub.delay = 0.1
    ticks: list[int] = []
    backend = OpenAIBackend(url, "vgpt2", api_key="secret", concurrency=4)
    answers = backend.generate(prompts(8), max_new_tokens=64, progress=lambda: ticks.append(1))
    assert answers == [[f"q{i}#0"] for i in range(8)]
    assert stub.peak >= 3 and len(ticks) == 8
    sent = stub.requests[0]
    assert sent["auth"] == "Bearer secret"
    assert sent["body"]["model"] == "vgpt2" and sent["body"]["max_tokens"] == 64 and sent["body"]["temperature"] == 0.0


def test_a_server_error_is_retried_with_backoff_until_it_succeeds(server) -> None:
    stub, url = server
    stub.failures = [500, 503]
    backend = OpenAIBackend(url, "m", concurrency=1, retries=3, backoff_s=0.01)
    assert backend.generate(prompts(1)) == [["q0#0"]]
    assert len(stub.requests) == 3


def test_a_timeout_is_retried(server) -> None:
    stub, url = server
    stub.failures = ["slow"]
    backend = OpenAIBackend(url, "m", concurrency=1, timeout_s=0.3, retries=1, backoff_s=0.01)
    assert backend.generate(prompts(1)) == [["q0#0"]]
    assert len(stub.requests) == 2


def test_a_client_error_is_not_retried_and_names_the_endpoint(server) -> None:
    stub, url = server
    stub.failures = [400]
    backend = OpenAIBackend(url, "m", retries=3, backoff_s=0.01)
    with pytest.raises(ValidationError, match=r"`.*/v1/chat/completions` failed after 1 attempt\(s\): HTTP 400"):
        backend.generate(prompts(1))
    assert len(stub.requests) == 1


def test_retries_give_up_with_the_last_reason(server) -> None:
    stub, url = server
    stub.failures = [502, 502, 502]
    backend = OpenAIBackend(url, "m", retries=2, backoff_s=0.01)
    with pytest.raises(ValidationError, match=r"failed after 3 attempt\(s\): HTTP 502"):
        backend.generate(prompts(1))


def test_k_samples_per_prompt_even_from_an_endpoint_that_caps_n(server) -> None:
    stub, url = server
    stub.max_n = 2
    answers = OpenAIBackend(url, "m").generate(prompts(2), n=5, temperature=0.8)
    assert [len(found) for found in answers] == [5, 5]
    assert [r["body"]["n"] for r in stub.requests if r["body"]["messages"][-1]["content"] == "q0"] == [5, 3, 1]
    assert stub.requests[0]["body"]["temperature"] == 0.8


def test_an_endpoint_nobody_listens_at_fails_at_once_and_says_what_to_do() -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "m", concurrency=4, retries=3, backoff_s=1.0)
    started = time.perf_counter()
    with pytest.raises(ValidationError, match=r"nothing answers at `http://127.0.0.1:\d+/v1/chat/completions` "
                                              r"\(.*refused\): start the server"):
        backend.generate(prompts(40))
    assert time.perf_counter() - started < 2.0  # no backoff, and the 39 queued prompts are not sent
