#!/usr/bin/env python3
"""Many clients at once against a runner started with --parallel 2 --queue 6.

Usage: concurrency.py BASE_URL

1. Eight distinct prompts (counting from different numbers), one after another, greedy: the
   reference answers; each goes on counting from its own prompt.
2. The same eight at once from eight threads: every answer is complete (HTTP 200, a finish
   reason) and equal to its reference, so no reply was mixed with another's.
3. Eight longer streamed requests fill both slots and the queue of six; a ninth gets 503 with a
   "busy" message while /health shows both slots working; then the eight still finish.
Prints one JSON object with what it saw; exits non-zero with the reason on stderr.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

# Counting from a different number each: the continuation is clear (no near ties for greedy
# decoding to flip on; the model's logits for a token computed in a batch and alone differ in the
# last bits), and an answer given to the wrong client would show at once.
STARTS = [10 * i + 3 for i in range(1, 9)]
PROMPTS = [", ".join(str(n) for n in range(start, start + 6)) + "," for start in STARTS]


def post(base, path, body, timeout=300):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.loads(response.read())


def complete(base, prompt, max_tokens=12):
    status, text = post(base, "/v1/completions", {"prompt": prompt, "max_tokens": max_tokens, "temperature": 0})
    if status != 200:
        return status, text, None
    choice = json.loads(text)["choices"][0]
    return status, choice["text"], choice["finish_reason"]


def fail(message):
    print(f"concurrency: {message}", file=sys.stderr)
    sys.exit(1)


def at_once(count, work):
    """Runs work(i) for i in 0..<count on threads released together; returns their results."""
    results = [None] * count
    gate = threading.Barrier(count)

    def run(i):
        gate.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return results


def main():
    base = sys.argv[1].rstrip("/")
    seen = {}
    health = get(base, "/health")
    if health.get("slots_idle") != 2:
        fail(f"expected 2 idle slots (--parallel 2), /health says {health}")

    reference = [complete(base, p) for p in PROMPTS]
    for i, (status, text, finish) in enumerate(reference):
        if status != 200 or not text or finish not in ("stop", "length"):
            fail(f"sequential request {i}: {status} {text!r} {finish!r}")
        # The count goes on from where its own prompt stopped.
        if not text.lstrip().startswith(str(STARTS[i] + 6)):
            fail(f"sequential request {i}: {PROMPTS[i]!r} continued with {text!r}")

    concurrent = at_once(len(PROMPTS), lambda i: complete(base, PROMPTS[i]))
    for i, (got, want) in enumerate(zip(concurrent, reference)):
        if got[0] != 200 or got[2] not in ("stop", "length"):
            fail(f"concurrent request {i}: {got!r}")
        if got[1] != want[1]:
            fail(f"concurrent request {i} answered {got[1]!r}; alone it answered {want[1]!r}")
    seen["answers"] = [r[1] for r in reference]

    # Overflow: eight long streamed requests hold 2 slots + 6 queue places.
    long_results = [None] * 8

    def long_request(i):
        long_results[i] = post(base, "/completion", {"prompt": PROMPTS[i], "n_predict": 64,
                                                     "temperature": 0, "stream": True})

    threads = [threading.Thread(target=long_request, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    # Wait until both slots work (the queue then holds the other six).
    deadline = time.monotonic() + 60
    while get(base, "/health").get("slots_processing") != 2:
        if time.monotonic() > deadline:
            fail("the slots never both got busy")
        time.sleep(0.05)
    time.sleep(1.0)  # let the other six reach the queue (each long request takes seconds)
    status, body = post(base, "/v1/completions", {"prompt": "one more", "max_tokens": 4})
    seen["overflow"] = {"status": status, "body": body[:300]}
    for t in threads:
        t.join(600)
    if status != 503:
        fail(f"a ninth request while 2 slots and 6 queue places were taken got {status}: {body[:300]}")
    if "busy" not in body:
        fail(f"the 503 does not say the server is busy: {body[:300]}")
    for i, result in enumerate(long_results):
        if result is None or result[0] != 200 or '"stop":true' not in result[1].replace(" ", ""):
            fail(f"long request {i} did not complete: {result!r}"[:500])
    seen["long_completed"] = len(long_results)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
