#!/usr/bin/env python3
"""Talks to a running llmpack runner with the official `openai` Python client.

Usage: openai_client.py BASE_URL   (e.g. http://127.0.0.1:8080)

Checks a chat completion, a streamed chat completion and a text completion, each short and
greedy. Prints one JSON object with what it saw; exits non-zero (with the reason on stderr) when
something is wrong. Used by Tests/CLITests/TalkServerTests.swift.
"""
import json
import sys

import openai


def fail(message):
    print(f"openai_client: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    base = sys.argv[1].rstrip("/")
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", timeout=120, max_retries=0)
    seen = {"openai_version": openai.__version__}

    models = client.models.list()
    ids = [m.id for m in models.data]
    if not ids:
        fail("GET /v1/models listed no model")
    seen["models"] = ids
    model = ids[0]

    messages = [{"role": "user", "content": "Name one colour."}]
    chat = client.chat.completions.create(model=model, messages=messages, max_tokens=8, temperature=0)
    choice = chat.choices[0]
    if choice.message.role != "assistant":
        fail(f"chat: role {choice.message.role!r}")
    if not choice.message.content:
        fail("chat: empty content")
    if choice.finish_reason not in ("stop", "length"):
        fail(f"chat: finish_reason {choice.finish_reason!r}")
    if chat.usage is None or chat.usage.completion_tokens < 1 or chat.usage.prompt_tokens < 5:
        fail(f"chat: usage {chat.usage!r}")
    seen["chat"] = {"content": choice.message.content, "finish_reason": choice.finish_reason,
                    "prompt_tokens": chat.usage.prompt_tokens, "completion_tokens": chat.usage.completion_tokens}

    stream = client.chat.completions.create(model=model, messages=messages, max_tokens=8, temperature=0, stream=True)
    pieces, finish = [], None
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            pieces.append(delta.content)
        if chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
    if len(pieces) < 2:
        fail(f"stream: {len(pieces)} content chunks, expected several")
    if finish not in ("stop", "length"):
        fail(f"stream: finish_reason {finish!r}")
    streamed = "".join(pieces)
    # Greedy both times, but the second request reuses the slot's KV cache, which rounds differently
    # from one batch; with this small base model a near-tie can flip, so only the start must agree.
    if not streamed or streamed[:8] != choice.message.content[:8]:
        fail(f"stream: {streamed!r} does not start like the non-streamed {choice.message.content!r}")
    seen["stream"] = {"chunks": len(pieces), "content": streamed, "finish_reason": finish}

    completion = client.completions.create(model=model, prompt="The capital of France is", max_tokens=6, temperature=0)
    text = completion.choices[0].text
    if not text:
        fail("completions: empty text")
    seen["completion"] = {"text": text, "finish_reason": completion.choices[0].finish_reason}

    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main()
    except openai.OpenAIError as error:
        fail(f"{type(error).__name__}: {error}")
