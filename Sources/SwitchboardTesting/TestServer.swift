import Hummingbird
import Logging
import ServiceLifecycle
#if canImport(Testing)
import Testing
#endif

/// Runs an application built by `build` (which receives the callback to call with the bound
/// port), hands the port to `body`, then shuts the application down. The server runs in its
/// own task: a test waits for its shutdown only so long, and a shutdown that does not complete
/// is reported instead of hanging the whole run.
func withTestServer<App: Service, T: Sendable>(
    name: String, logger: Logger,
    build: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
    let app = build { port in
        portContinuation.yield(port)
        portContinuation.finish()
    }
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    let runner = Task {
        defer { portContinuation.finish() }
        try await services.run()
    }
    var port = 0
    for await bound in ports { port = bound }
    guard port != 0 else {
        _ = try await runner.value
        throw TestServerError(description: "the \(name) did not start")
    }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(port))
    } catch {
        result = .failure(error)
    }
    await services.triggerGracefulShutdown()
    if !(await waitForCompletion(of: runner, seconds: 20)) {
        logger.error("the \(name) on port \(port) did not shut down within 20 s; carrying on",
                     metadata: ["test": "\(currentTestName)"])
    }
    return try result.get()
}

/// The running test's name, for diagnostics.
private var currentTestName: String {
    #if canImport(Testing)
    Test.current?.name ?? "?"
    #else
    "?"
    #endif
}
