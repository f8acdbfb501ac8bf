// The chat page at `/`: served as HTML, self-contained (nothing loaded from elsewhere), and
// carrying the features the page promises.

import Server
import Testing

@Suite struct WebChatTests {
    @Test func pageIsServedAsSelfContainedHTML() throws {
        try withServer { server in
            let reply = try request(port: server.port, "GET", "/")
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("text/html") == true)
            #expect(reply.text == WebChatPage.html)
        }
    }

    @Test func pageLoadsNothingFromElsewhere() {
        let html = WebChatPage.html
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<script src") && !html.contains("<link"))
        #expect(!html.contains("@import"))
    }

    @Test func pageHasTheChatFeatures() {
        let html = WebChatPage.html
        #expect(html.contains("\"/v1/chat/completions\""))
        #expect(html.contains("stream: true"))
        #expect(html.contains("AbortController") && html.contains("controller.abort()"))  // stop button
        #expect(html.contains("id=\"system\"") && html.contains("id=\"temperature\""))
        #expect(html.contains("localStorage.setItem") && html.contains("localStorage.getItem"))
        #expect(html.contains("id=\"clear\""))
        #expect(html.contains("split(\"```\")") && html.contains("<pre>") && html.contains("<code>"))
        #expect(html.contains("&lt;") && html.contains("&amp;"))  // HTML is escaped before rendering
        #expect(html.contains("[DONE]"))
    }
}
