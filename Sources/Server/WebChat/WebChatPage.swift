// The chat page served at `/`: one self-contained HTML file (inline CSS and JavaScript, nothing
// fetched from elsewhere, works offline) that streams replies from /v1/chat/completions.

/// The `/` route.
enum WebChatRoutes {
    static let routes: [Route] = [
        Route(.GET, "/", .openAI, isPublic: true) { _, _ throws(APIError) in .response(.html(WebChatPage.html)) },
    ]
}

/// The chat page's HTML.
public enum WebChatPage {
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>llmpack chat</title>
<style>
  :root {
    --bg: #f6f7f9; --panel: #ffffff; --text: #1d2330; --muted: #667085; --border: #dde1e7;
    --accent: #2f6fed; --accent-text: #ffffff; --user: #e8efff; --code-bg: #0f172a; --code-text: #e2e8f0;
    --danger: #c2410c;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      --bg: #111418; --panel: #1a1e24; --text: #e6e8eb; --muted: #98a2b3; --border: #2c323b;
      --accent: #5b8cff; --accent-text: #0b0d10; --user: #1f2a44; --code-bg: #0b0f17; --code-text: #dbe4f0;
      --danger: #fb923c;
    }
  }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body {
    background: var(--bg); color: var(--text);
    font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
    display: flex; flex-direction: column;
  }
  header {
    display: flex; align-items: center; gap: 12px; padding: 10px 18px;
    background: var(--panel); border-bottom: 1px solid var(--border);
  }
  header h1 { font-size: 16px; margin: 0; font-weight: 650; }
  header .model { color: var(--muted); font-size: 13px; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  button {
    font: inherit; border: 1px solid var(--border); background: var(--panel); color: var(--text);
    border-radius: 8px; padding: 6px 12px; cursor: pointer;
  }
  button:hover { border-color: var(--accent); }
  button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
  button.stop { background: var(--danger); color: #fff; border-color: var(--danger); font-weight: 600; }
  main { flex: 1; display: flex; min-height: 0; }
  #settings {
    width: 280px; padding: 16px; border-right: 1px solid var(--border); background: var(--panel);
    display: flex; flex-direction: column; gap: 14px; overflow-y: auto;
  }
  #settings.hidden { display: none; }
  label { display: flex; flex-direction: column; gap: 6px; font-size: 13px; color: var(--muted); }
  label .row { display: flex; justify-content: space-between; }
  textarea, input[type=password], input[type=text] {
    font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border);
    border-radius: 8px; padding: 8px 10px; resize: vertical;
  }
  textarea:focus, input:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
  input[type=range] { accent-color: var(--accent); }
  #chat { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  #messages { flex: 1; overflow-y: auto; padding: 24px 18px; }
  .inner { max-width: 820px; margin: 0 auto; }
  .msg { margin: 0 0 18px; display: flex; }
  .msg.user { justify-content: flex-end; }
  .bubble { padding: 10px 14px; border-radius: 12px; max-width: 100%; overflow-wrap: anywhere; }
  .msg.user .bubble { background: var(--user); white-space: pre-wrap; max-width: 85%; }
  .msg.assistant .bubble { background: var(--panel); border: 1px solid var(--border); width: 100%; }
  .msg.error .bubble { color: var(--danger); border: 1px solid var(--danger); }
  .prose { white-space: pre-wrap; }
  .prose code { background: var(--bg); border: 1px solid var(--border); border-radius: 4px; padding: 0 4px; font-size: 0.92em; }
  pre { position: relative; background: var(--code-bg); color: var(--code-text); border-radius: 8px; padding: 12px 14px; overflow-x: auto; margin: 8px 0; }
  pre code { font: 13px/1.5 ui-monospace, "SF Mono", Menlo, Consolas, monospace; white-space: pre; }
  pre .lang { position: absolute; top: 4px; right: 52px; font-size: 11px; color: #94a3b8; }
  pre .copy { position: absolute; top: 4px; right: 6px; font-size: 11px; padding: 1px 6px; background: transparent; color: #94a3b8; border-color: #334155; }
  .note { color: var(--muted); font-size: 12px; margin-top: 6px; }
  .empty { color: var(--muted); text-align: center; margin-top: 18vh; }
  form { border-top: 1px solid var(--border); background: var(--panel); padding: 12px 18px; }
  form .inner { display: flex; gap: 10px; align-items: flex-end; }
  #input { flex: 1; min-height: 44px; max-height: 40vh; }
  @media (max-width: 720px) { #settings { position: absolute; z-index: 2; top: 52px; bottom: 0; box-shadow: 0 4px 24px #0004; } }
</style>
</head>
<body>
<header>
  <button id="toggle" title="Settings" aria-label="Settings">&#9776;</button>
  <h1>llmpack chat</h1>
  <span class="model" id="model"></span>
  <button id="clear" title="Clear the conversation">Clear</button>
</header>
<main>
  <aside id="settings" class="hidden">
    <label>System prompt
      <textarea id="system" rows="6" placeholder="You are a helpful assistant."></textarea>
    </label>
    <label><span class="row"><span>Temperature</span><span id="tempValue"></span></span>
      <input id="temperature" type="range" min="0" max="2" step="0.05">
    </label>
    <label><span class="row"><span>Max tokens</span><span class="note">empty: no limit</span></span>
      <input id="maxTokens" type="text" inputmode="numeric" placeholder="e.g. 512">
    </label>
    <label>API key (if the server has one)
      <input id="apiKey" type="password" autocomplete="off" placeholder="kept for this tab only">
    </label>
    <div class="note">The conversation is kept in this browser (localStorage) and sent to this server only.</div>
  </aside>
  <section id="chat">
    <div id="messages"><div class="inner" id="list"></div></div>
    <form id="form">
      <div class="inner">
        <textarea id="input" rows="1" placeholder="Message (Enter to send, Shift+Enter for a new line)"></textarea>
        <button id="send" class="primary" type="submit">Send</button>
      </div>
    </form>
  </section>
</main>
<script>
(function () {
  "use strict";
  var STORE = "llmpack.chat.v1";
  var $ = function (id) { return document.getElementById(id); };
  var state = load();
  var controller = null;

  function load() {
    var fallback = { messages: [], system: "", temperature: 0.7, maxTokens: "" };
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.messages)) {
        return Object.assign(fallback, saved);
      }
    } catch (e) {}
    return fallback;
  }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) {}
  }

  function escapeHTML(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function inline(escaped) {
    return escaped
      .replace(/`([^`\n]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>");
  }
  // ```fences``` become <pre><code>; everything is escaped first, so model output cannot inject HTML.
  function render(text) {
    var parts = text.split("```");
    var html = "";
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (i % 2 === 1) {
        var lang = "";
        var newline = part.indexOf("\n");
        if (newline >= 0 && /^[\w+#.-]*$/.test(part.slice(0, newline).trim())) {
          lang = part.slice(0, newline).trim();
          part = part.slice(newline + 1);
        }
        part = part.replace(/\n$/, "");
        html += "<pre>" + (lang ? '<span class="lang">' + escapeHTML(lang) + "</span>" : "") +
          '<button type="button" class="copy">copy</button><code>' + escapeHTML(part) + "</code></pre>";
      } else if (part.length) {
        html += '<div class="prose">' + inline(escapeHTML(part.replace(/^\n+|\n+$/g, ""))) + "</div>";
      }
    }
    return html;
  }

  function bubble(message) {
    var row = document.createElement("div");
    row.className = "msg " + message.role;
    var inner = document.createElement("div");
    inner.className = "bubble";
    row.appendChild(inner);
    fill(inner, message);
    return row;
  }
  function fill(inner, message) {
    if (message.role === "user") {
      inner.textContent = message.content;
    } else {
      inner.innerHTML = render(message.content || "") +
        (message.note ? '<div class="note">' + escapeHTML(message.note) + "</div>" : "");
    }
  }
  function redraw() {
    var list = $("list");
    list.innerHTML = "";
    if (!state.messages.length) {
      var empty = document.createElement("div");
      empty.className = "empty";
      empty.textContent = "Start a conversation below.";
      list.appendChild(empty);
    }
    state.messages.forEach(function (m) { list.appendChild(bubble(m)); });
    scrollDown();
  }
  function scrollDown() { var box = $("messages"); box.scrollTop = box.scrollHeight; }

  function setBusy(busy) {
    var button = $("send");
    button.textContent = busy ? "Stop" : "Send";
    button.className = busy ? "stop" : "primary";
  }

  function headers() {
    var h = { "Content-Type": "application/json" };
    var key = $("apiKey").value.trim();
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  async function send(text) {
    state.messages.push({ role: "user", content: text });
    var reply = { role: "assistant", content: "" };
    state.messages.push(reply);
    save();
    redraw();
    var target = $("list").lastChild.firstChild;

    var conversation = [];
    if (state.system.trim()) conversation.push({ role: "system", content: state.system });
    state.messages.forEach(function (m) {
      if ((m.role === "user" || m.role === "assistant") && m !== reply) conversation.push({ role: m.role, content: m.content });
    });
    var body = { messages: conversation, stream: true, temperature: Number(state.temperature) };
    var limit = parseInt(state.maxTokens, 10);
    if (limit > 0) body.max_tokens = limit;

    controller = new AbortController();
    setBusy(true);
    try {
      var response = await fetch("/v1/chat/completions", {
        method: "POST", headers: headers(), body: JSON.stringify(body), signal: controller.signal
      });
      if (!response.ok) {
        var detail = await response.text();
        try { detail = JSON.parse(detail).error.message; } catch (e) {}
        throw new Error(response.status + ": " + detail);
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var pending = "";
      var finished = false;
      while (!finished) {
        var chunk = await reader.read();
        if (chunk.done) break;
        pending += decoder.decode(chunk.value, { stream: true });
        var lines = pending.split("\n");
        pending = lines.pop();
        for (var i = 0; i < lines.length; i++) {
          var line = lines[i].trim();
          if (line.indexOf("data:") !== 0) continue;
          var data = line.slice(5).trim();
          if (data === "[DONE]") { finished = true; break; }
          var event = JSON.parse(data);
          if (event.error) throw new Error(event.error.message || "generation failed");
          var choice = event.choices && event.choices[0];
          if (choice && choice.delta && choice.delta.content) {
            reply.content += choice.delta.content;
            fill(target, reply);
            scrollDown();
          }
          if (choice && choice.finish_reason === "length") reply.note = "(stopped at the token limit)";
        }
      }
    } catch (error) {
      if (error.name === "AbortError") {
        reply.note = "(stopped)";
      } else {
        reply.note = "Error: " + error.message;
        target.parentNode.className = "msg assistant error";
      }
    } finally {
      controller = null;
      setBusy(false);
      fill(target, reply);
      save();
      scrollDown();
    }
  }

  $("form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (controller) { controller.abort(); return; }
    var text = $("input").value.trim();
    if (!text) return;
    $("input").value = "";
    send(text);
  });
  $("input").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("form").requestSubmit();
    }
  });
  $("clear").addEventListener("click", function () {
    if (controller) controller.abort();
    state.messages = [];
    save();
    redraw();
  });
  $("toggle").addEventListener("click", function () { $("settings").classList.toggle("hidden"); });
  $("system").value = state.system;
  $("system").addEventListener("input", function () { state.system = this.value; save(); });
  $("temperature").value = state.temperature;
  $("tempValue").textContent = Number(state.temperature).toFixed(2);
  $("temperature").addEventListener("input", function () {
    state.temperature = Number(this.value);
    $("tempValue").textContent = state.temperature.toFixed(2);
    save();
  });
  $("maxTokens").value = state.maxTokens;
  $("maxTokens").addEventListener("input", function () { state.maxTokens = this.value.trim(); save(); });
  $("apiKey").value = sessionStorage.getItem("llmpack.apiKey") || "";
  $("apiKey").addEventListener("input", function () { sessionStorage.setItem("llmpack.apiKey", this.value); });
  $("list").addEventListener("click", function (event) {
    if (event.target.className !== "copy") return;
    var code = event.target.parentNode.querySelector("code");
    if (navigator.clipboard) navigator.clipboard.writeText(code.textContent);
    event.target.textContent = "copied";
    setTimeout(function () { event.target.textContent = "copy"; }, 1200);
  });

  fetch("/v1/models", { headers: headers() }).then(function (r) { return r.ok ? r.json() : null; })
    .then(function (list) { if (list && list.data && list.data[0]) $("model").textContent = list.data[0].id; })
    .catch(function () {});
  redraw();
})();
</script>
</body>
</html>
"""#
}
