import Foundation

// libFuzzer entry point for Switchboard's parsers of untrusted bytes. It is compiled together
// with SwitchboardCore's sources into one module (scripts/fuzz.sh), so internal parsers are
// reachable; the target is chosen by SWITCHBOARD_FUZZ_TARGET:
//   gateway   — a client's gateway frame (`GatewayCommand.decode`)
//   feed      — an origin → edge feed message (`FeedMessage`) and an edge → origin command (`FeedCommand`)
//   mentions  — message content (`Mentions`, `@handle` words and their resolution)
//   requests  — JSON request bodies of the REST API, decoded and validated, and search queries
// Each target checks properties, not just "no crash": what decodes re-encodes to the same value,
// and what a parser returns stays within what its contract promises.

private let target: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["SWITCHBOARD_FUZZ_TARGET"],
          let target = FuzzTarget(rawValue: name) else {
        fatalError("set SWITCHBOARD_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

enum FuzzTarget: String, CaseIterable {
    case gateway, feed, mentions, requests
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case .gateway: fuzzGatewayFrame(bytes)
    case .feed: fuzzFeedMessage(bytes)
    case .mentions: fuzzMentions(bytes)
    case .requests: fuzzRequestBodies(bytes)
    }
    return 0
}

/// A property the parser promised and broke: libFuzzer saves the input as a crash.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property broken: \(message())") }
}
