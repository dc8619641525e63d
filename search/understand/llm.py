"""Language-model backends: one call, one JSON answer, within a deadline.

* :class:`OpenAIChatBackend` talks to any OpenAI-compatible ``/v1/chat/completions``
  server (vLLM, Ollama, llama.cpp server, hosted Qwen) over httpx. It asks for
  ``response_format: json_schema`` first and steps down, once per backend and only when
  the server rejects the format, to ``json_object`` with the schema (llama.cpp), to plain
  ``json_object``, and to plain text from which the JSON object is extracted.
* :class:`LocalBackend` runs a model in-process from a local path: a ``.gguf`` file with
  llama-cpp-python (output constrained by a grammar built from the schema) or a Hugging
  Face causal-LM folder with transformers. Both libraries are imported on first use; a
  missing one raises :class:`LLMUnavailable` with the install hint.

Backends raise :class:`LLMError` subclasses; :class:`~search.understand.hybrid.LanguageModelParser`
catches everything and falls back to the rules.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import httpx

from search.errors import SearchError
from search.understand.grounding import extract_json

__all__ = [
    "LLMBackend", "LLMError", "LLMResponseError", "LLMTimeout", "LLMUnavailable", "LocalBackend",
    "OpenAIChatBackend", "backend_from_settings",
]  # fmt: skip

log = logging.getLogger(__name__)

_FORMATS = ("json_schema", "json_object_schema", "json_object", "text")
_FORMAT_ERROR_WORDS = ("format", "schema", "guided", "grammar")


class LLMError(SearchError, RuntimeError):
    """A language-model call failed."""


class LLMTimeout(LLMError):
    """The call did not finish within its time budget."""


class LLMUnavailable(LLMError):
    """The backend cannot run: library missing, model file missing, server unreachable."""


class LLMResponseError(LLMError):
    """The server answered with an error status or a body that is not a chat completion."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMBackend(Protocol):
    """Something that answers one prompt with a JSON object.

    Implementations should also carry a ``model_id: str`` (used in the parse-cache key);
    the parser falls back to the class name when it is missing.
    """

    def complete_json(self, system: str, user: str, schema: dict, timeout_s: float) -> dict | str:
        """Answer ``user`` under ``system``; return the parsed object, or the raw text when it is not JSON.

        Raises:
            LLMError: on timeout, server error or missing library.
        """
        ...


def _as_answer(text: str) -> dict | str:
    data = extract_json(text)
    return data if data is not None else text


# ------------------------------------------------------------------------------------ HTTP
class OpenAIChatBackend:
    """An OpenAI-compatible chat-completions server.

    Args:
        base_url: Server root, with or without ``/v1`` (``http://127.0.0.1:8000``).
        model: Model name as the server knows it (``Qwen/Qwen2.5-7B-Instruct``).
        api_key: Sent as a bearer token when given.
        max_tokens: Cap on the answer's length.
        extra_body: Extra request fields, e.g. ``{"chat_template_kwargs": {"enable_thinking": False}}``.
        client: An httpx client to reuse (tests, connection pools); one is made otherwise.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        max_tokens: int = 256,
        extra_body: dict[str, Any] | None = None,
        client: httpx.Client | None = None,
        max_response_bytes: int = 1_000_000,
    ) -> None:
        root = base_url.rstrip("/")
        self.url = root + ("/chat/completions" if root.endswith("/v1") else "/v1/chat/completions")
        self.model = model
        self.model_id = f"openai:{model}"
        self.max_tokens = max_tokens
        self.extra_body = dict(extra_body or {})
        self.max_response_bytes = max_response_bytes
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client()
        self._format = 0  # index into _FORMATS; only ever moves down, and only on a format rejection

    @property
    def response_format(self) -> str:
        """The output mode in use: ``json_schema``, ``json_object_schema``, ``json_object`` or ``text``."""
        return _FORMATS[self._format]

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def complete_json(self, system: str, user: str, schema: dict, timeout_s: float) -> dict | str:
        """See :class:`LLMBackend`. The whole call, retries included, stays within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            index = self._format
            status, body = self._post(self._payload(system, user, schema, _FORMATS[index]), deadline)
            if index < len(_FORMATS) - 1 and _format_rejected(status, body):
                self._format = max(self._format, index + 1)
                log.info("llm server rejected response_format=%s; using %s", _FORMATS[index], self.response_format)
                continue
            if status >= 400:
                raise LLMResponseError(f"{self.url} answered {status}: {_snippet(body)}", status)
            return _as_answer(_content(body))

    def _payload(self, system: str, user: str, schema: dict, mode: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0,
            "max_tokens": self.max_tokens,
            **self.extra_body,
        }
        if mode == "json_schema":
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "parsed_query", "schema": schema, "strict": True},
            }
        elif mode == "json_object_schema":
            payload["response_format"] = {"type": "json_object", "schema": schema}
        elif mode == "json_object":
            payload["response_format"] = {"type": "json_object"}
        return payload

    def _post(self, payload: dict[str, Any], deadline: float) -> tuple[int, bytes]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LLMTimeout("time budget spent before the request")
        body = bytearray()
        try:
            with self._client.stream(
                "POST", self.url, json=payload, headers=self._headers, timeout=httpx.Timeout(remaining)
            ) as response:
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_response_bytes:
                        raise LLMResponseError(f"{self.url}: answer larger than {self.max_response_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise LLMTimeout(f"{self.url}: answer not complete within the time budget")
                return response.status_code, bytes(body)
        except httpx.TimeoutException as exc:
            raise LLMTimeout(f"{self.url}: no answer within the time budget ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"cannot reach {self.url}: {type(exc).__name__}: {exc}") from exc


def _format_rejected(status: int, body: bytes) -> bool:
    """Whether an error answer says the response_format is not supported.

    Servers reject it with 400/422 (vLLM, OpenAI) or, like llama-cpp-python's server, with
    a 500 that carries the request-validation error.
    """
    text = body[:4000].decode("utf-8", "replace").lower()
    if status in (400, 422):
        return any(word in text for word in _FORMAT_ERROR_WORDS)
    return status >= 500 and "response_format" in text


def _snippet(body: bytes) -> str:
    return body[:300].decode("utf-8", "replace").strip() or "(empty body)"


def _content(body: bytes) -> str:
    """The assistant message text of a chat-completion body."""
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMResponseError(f"not a chat completion: {_snippet(body)}") from None
    if not isinstance(content, str):
        raise LLMResponseError("the chat completion has no text content")
    return content


def backend_from_settings(settings: Any) -> OpenAIChatBackend | None:
    """The HTTP backend named by ``SEARCH_LLM_URL``/``SEARCH_LLM_MODEL``/``SEARCH_LLM_API_KEY``, or None."""
    url, model = getattr(settings, "llm_url", None), getattr(settings, "llm_model", None)
    if not url or not model:
        return None
    key: Any = getattr(settings, "llm_api_key", None)
    secret = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    return OpenAIChatBackend(url, model, secret or None)


# ------------------------------------------------------------------------------------ in-process
class LocalBackend:
    """A model run in this process from a local path (``.gguf`` file or Hugging Face folder).

    The model loads on the first call or on :meth:`load` (call it at start-up: loading
    inside a query's budget makes that query time out). Calls are serialised; a call
    that cannot get the model within its budget raises :class:`LLMTimeout`.

    Args:
        path: A ``.gguf`` file (llama-cpp-python) or a folder with ``config.json`` (transformers).
        n_ctx: Context length for llama.cpp.
        n_threads: CPU threads (llama.cpp and torch); library default when None.
        max_tokens: Cap on the answer's length.
    """

    def __init__(self, path: str | Path, *, n_ctx: int = 2048, n_threads: int | None = None, max_tokens: int = 256):
        self.path = Path(path)
        self.model_id = f"local:{self.path.name}"
        self.n_ctx, self.n_threads, self.max_tokens = n_ctx, n_threads, max_tokens
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def kind(self) -> str:
        """``gguf`` or ``transformers``."""
        return "gguf" if self.path.suffix.lower() == ".gguf" else "transformers"

    def load(self) -> None:
        """Load the model now (idempotent)."""
        with self._lock:
            self._load()

    def _load(self) -> None:
        if self._model is not None:
            return
        if not self.path.exists():
            raise LLMUnavailable(f"model path not found: {self.path}")
        if self.kind == "gguf":
            llama_cpp = _import("llama_cpp", "llama-cpp-python")
            self._model = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
            return
        transformers = _import("transformers", "transformers")
        if self.n_threads:
            _import("torch", "torch").set_num_threads(self.n_threads)
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = transformers.AutoModelForCausalLM.from_pretrained(self.path, local_files_only=True).eval()

    def complete_json(self, system: str, user: str, schema: dict, timeout_s: float) -> dict | str:
        """See :class:`LLMBackend`."""
        deadline = time.monotonic() + timeout_s
        if not self._lock.acquire(timeout=max(0.0, timeout_s)):
            raise LLMTimeout("the local model is busy")
        try:
            self._load()
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            text = self._gguf(messages, schema, deadline) if self.kind == "gguf" else self._hf(messages, deadline)
        finally:
            self._lock.release()
        if time.monotonic() > deadline:
            raise LLMTimeout("the local model did not finish within the time budget")
        return _as_answer(text)

    def _gguf(self, messages: list[dict[str, str]], schema: dict, deadline: float) -> str:
        # streamed so that generation stops at the deadline (closing the stream stops llama.cpp)
        stream = self._model.create_chat_completion(
            messages=messages,
            response_format={"type": "json_object", "schema": schema},
            temperature=0.0,
            max_tokens=self.max_tokens,
            stream=True,
        )
        parts: list[str] = []
        try:
            for chunk in stream:
                parts.append(chunk["choices"][0]["delta"].get("content") or "")
                if time.monotonic() > deadline:
                    break
        finally:
            stream.close()
        return "".join(parts)

    def _hf(self, messages: list[dict[str, str]], deadline: float) -> str:
        import torch
        import transformers

        class Deadline(transformers.StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return time.monotonic() > deadline

        tok = self._tokenizer
        if getattr(tok, "chat_template", None):
            ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
            ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        else:
            ids = tok("\n\n".join(m["content"] for m in messages) + "\n", return_tensors="pt")["input_ids"]
        with torch.no_grad():
            out = self._model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=self.max_tokens,
                do_sample=False,
                stopping_criteria=transformers.StoppingCriteriaList([Deadline()]),
                pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
            )
        return tok.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def _import(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise LLMUnavailable(
            f"{package} is not installed; install it to run local models (see docs/llm.md): {exc}"
        ) from exc
