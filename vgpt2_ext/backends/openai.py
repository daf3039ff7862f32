"""Any OpenAI-compatible chat endpoint (`llamafactory-cli api`, vLLM, a hosted API): `/v1/chat/completions`.

Requests run `concurrency` at a time on threads; a failed request (a dropped connection, a timeout, HTTP 429
or 5xx) is retried `retries` times with exponential backoff, and one that still fails is an error naming the
endpoint and the last reason. Other HTTP errors (400, 401, 404) are not retried: asking again will not help.
Neither is an endpoint nobody listens at (connection refused, unknown host): that is said at once, with what
to do, and the first failure stops every request still waiting. Only the standard library is used (urllib).
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from vgpt2_ext.backends import Conversation
from vgpt2_ext.errors import ValidationError

RETRIED_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class OpenAIBackend:
    def __init__(self, endpoint: str, model: str, *, api_key: str | None = None, concurrency: int = 4,
                 timeout_s: float = 120.0, retries: int = 3, backoff_s: float = 1.0) -> None:
        self.url = endpoint.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.concurrency = max(1, concurrency)
        self.timeout_s = timeout_s
        self.retries = max(0, retries)
        self.backoff_s = backoff_s

    def generate(self, prompts: Sequence[Conversation], *, n: int = 1, temperature: float = 0.0,
                 max_new_tokens: int = 512, progress: Callable[[], None] | None = None) -> list[list[str]]:
        def answer(conversation: Conversation) -> list[str]:
            found = self._answers(conversation, n, temperature, max_new_tokens)
            if progress is not None:
                progress()
            return found

        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        try:
            return list(pool.map(answer, prompts))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after a failure, the queued prompts are not sent

    def _answers(self, conversation: Conversation, n: int, temperature: float, max_new_tokens: int) -> list[str]:
        """`n` answers; endpoints that ignore `n` (or cap it) are asked again for the rest."""
        answers: list[str] = []
        while len(answers) < n:
            body = {"model": self.model, "messages": conversation, "temperature": temperature,
                    "max_tokens": max_new_tokens, "n": n - len(answers)}
            choices = self._post(body).get("choices") or []
            if not choices:
                raise ValidationError(f"endpoint `{self.url}` returned no choices")
            answers += [str((choice.get("message") or {}).get("content") or "") for choice in choices]
        return answers[:n]

    def _post(self, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, json.dumps(body).encode(), headers, method="POST")
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                reason = f"HTTP {error.code} {error.reason}"
                if error.code not in RETRIED_STATUS:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = str(getattr(error, "reason", error))
                if _unreachable(error):
                    raise ValidationError(f"nothing answers at `{self.url}` ({reason}): start the server "
                                          "(`llamafactory-cli api`, vLLM) or set `vgpt2.validate.endpoint`") from None
            except ValueError as error:
                reason = f"not JSON: {error}"
        raise ValidationError(f"endpoint `{self.url}` failed after {attempt + 1} attempt(s): {reason}")


def _unreachable(error: Exception) -> bool:
    """No server at that address or no such host: retrying cannot help (a reset or a timeout may)."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))
