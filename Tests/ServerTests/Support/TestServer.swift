// Starts a server with a fake backend on an ephemeral loopback port for one test.

import Server

/// A running server and its backend.
struct TestServer {
    let application: ServerApplication
    let backend: FakeBackend
    var port: Int { application.address!.port }
}

/// Runs `body` against a fresh server on 127.0.0.1:0, stopping it afterwards.
func withServer<T>(
    backend: FakeBackend = FakeBackend(),
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) throws -> T
) throws -> T {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.log = { _ in }
    configure(&configuration)
    let application = try buildApplication(configuration: configuration, backend: backend)
    try application.start()
    defer { try? application.stop() }
    return try body(TestServer(application: application, backend: backend))
}
