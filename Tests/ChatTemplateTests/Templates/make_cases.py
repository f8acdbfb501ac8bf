#!/usr/bin/env python3
# Regenerates cases.json: every template in this folder rendered by Jinja2 exactly the way Hugging Face
# transformers renders chat templates (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
# loopcontrols, its own tojson / raise_exception / strftime_now). The Swift tests compare against it.
# Run: python3 make_cases.py   (needs the jinja2 package)
import json, os, datetime
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = datetime.datetime(2025, 3, 14, 9, 26, 53)   # the tests pass the same date to strftime_now

def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

def strftime_now(fmt):
    return NOW.strftime(fmt)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

def msg(role, content, **extra):
    d = {"role": role, "content": content}
    d.update(extra)
    return d

BASIC = [msg("system", "You are a helpful assistant"), msg("user", "Hello"), msg("assistant", "Hi there"),
         msg("user", "Who are you"), msg("assistant", "   I am an assistant   "), msg("user", "Another question")]
NOSYS = [msg("user", "Hello"), msg("assistant", "Hi there"), msg("user", "Who are you?")]
SINGLE = [msg("user", "What is 2+2?")]
UNICODE = [msg("system", "Réponds en français 🇫🇷"), msg("user", "  Héllo wörld 👋 — “quotes” \\ back\tslash  "),
           msg("assistant", "Ça va ? ✓"), msg("user", "日本語で答えて")]
PARTS = [msg("system", [{"type": "text", "text": "Be brief."}]),
         msg("user", [{"type": "text", "text": "Describe "}, {"type": "image"}, {"type": "text", "text": " this picture. "}]),
         msg("assistant", [{"type": "text", "text": "A cat."}]), msg("user", "Thanks")]
THINK = [msg("user", "Hi"), msg("assistant", "<think>\nI should greet back.\n</think>\n\nHello! How can I help?"),
         msg("user", "Tell me a joke")]
THINK_LAST = [msg("user", "Hi"), msg("assistant", "<think>\nThinking hard.\n</think>\n\nDone.")]
REASONING = [msg("user", "Hi"), msg("assistant", "Hello!", reasoning_content="The user greets me."), msg("user", "Bye")]

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather",
          "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City, e.g. Paris"},
                                                           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                         "required": ["location"]}}}]
TOOL_CONV = [msg("system", "You can call tools."), msg("user", "What's the weather in Paris?"),
             {"role": "assistant", "content": "", "tool_calls": [{"id": "abc123xyz", "type": "function",
               "function": {"name": "get_weather", "arguments": {"location": "Paris", "unit": "celsius"}}}]},
             {"role": "tool", "tool_call_id": "abc123xyz", "content": "{\"temperature\": 21}"},
             msg("assistant", "It is 21 °C in Paris."), msg("user", "Thanks!")]
ALTERNATION_BROKEN = [msg("user", "a"), msg("user", "b")]

TOKENS = {
    "gemma3": ("<bos>", "<eos>"), "gemma2": ("<bos>", "<eos>"),
    "llama-3.1": ("<|begin_of_text|>", "<|eot_id|>"), "llama-3.2": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama2": ("<s>", "</s>"), "mistral-v0.3": ("<s>", "</s>"), "zephyr": ("<s>", "</s>"), "tinyllama": ("<s>", "</s>"),
    "qwen2.5": ("", "<|im_end|>"), "qwen3": ("", "<|im_end|>"), "qwen2-gguf": ("", "<|endoftext|>"),
    "phi-3-mini": ("<s>", "<|endoftext|>"), "phi-3.5-mini": ("<s>", "<|endoftext|>"),
    "smollm2": ("<|im_start|>", "<|im_end|>"),
    "llama-3": ("<|begin_of_text|>", "<|eot_id|>"), "chatml": ("", "<|im_end|>"),
}

def main():
    cases = []
    def add(name, template, messages, add_generation_prompt=True, **extra):
        bos, eos = TOKENS[template]
        context = {"messages": messages, "bos_token": bos, "eos_token": eos,
                   "add_generation_prompt": add_generation_prompt}
        if "tools" not in extra:
            context["tools"] = None      # transformers passes tools=None when there are none
        context.update(extra)
        source = open(os.path.join(HERE, template + ".jinja"), encoding="utf-8").read()
        case = {"name": name, "template": template, "context": context}
        try:
            case["expected"] = env.from_string(source).render(**context)
        except jinja2.exceptions.TemplateError as e:
            case["error"] = str(e)
        cases.append(case)

    everything = list(TOKENS)
    for t in everything:
        alternating = t not in ("gemma2",)   # gemma2 refuses a system message
        add(f"{t} basic", t, BASIC if alternating else BASIC[1:])
        add(f"{t} no system", t, NOSYS)
        add(f"{t} single turn, no generation prompt", t, SINGLE, add_generation_prompt=False)
        add(f"{t} unicode", t, UNICODE if alternating else UNICODE[1:])

    add("gemma2 system raises", "gemma2", BASIC)
    add("gemma3 content parts", "gemma3", PARTS)
    add("gemma3 alternation raises", "gemma3", ALTERNATION_BROKEN)
    add("llama2 alternation raises", "llama2", ALTERNATION_BROKEN)
    add("mistral-v0.3 alternation raises", "mistral-v0.3", ALTERNATION_BROKEN)
    add("qwen3 think stripped from history", "qwen3", THINK)
    add("qwen3 think kept on last assistant turn", "qwen3", THINK_LAST, add_generation_prompt=False)
    add("qwen3 enable_thinking false", "qwen3", NOSYS, enable_thinking=False)
    add("qwen3 reasoning_content", "qwen3", REASONING + [msg("assistant", "See you.", reasoning_content="\nThey leave.\n")],
        add_generation_prompt=False)
    for t in ("qwen2.5", "qwen3", "llama-3.1", "llama-3.2", "mistral-v0.3"):
        add(f"{t} tools", t, TOOL_CONV, tools=TOOLS)
    add("llama-3.1 tools in system message", "llama-3.1", TOOL_CONV, tools=TOOLS, tools_in_user_message=False)
    add("llama-3.1 builtin tools", "llama-3.1", BASIC, builtin_tools=["brave_search", "code_interpreter", "wolfram_alpha"])
    add("llama-3.2 custom date", "llama-3.2", NOSYS, date_string="01 Jan 2030")
    add("mistral-v0.3 bad tool id raises", "mistral-v0.3",
        [msg("user", "x"), {"role": "assistant", "content": "", "tool_calls": [{"id": "short", "type": "function",
          "function": {"name": "f", "arguments": {}}}]}], tools=TOOLS)

    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "make_cases.py with jinja2 " + jinja2.__version__,
                   "strftime_now": NOW.isoformat(), "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(cases), "cases;", sum("error" in c for c in cases), "expect an error")


if __name__ == "__main__":
    main()
