/// The two directions of the origin ↔ edge feed. A feed message either decodes or throws (an
/// edge drops the feed and resumes; it never traps); an event's payload is kept byte for byte.
/// A feed command from an edge is a command or `bad_request`, and round-trips.
func fuzzFeedMessage(_ bytes: [UInt8]) {
    if let message = try? FeedMessage(decoding: bytes), case .event(let event) = message {
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n"))
        let payload = newline.map { Array(bytes[($0 + 1)...]) } ?? []
        require(event.payload == payload, "an event's payload is the bytes after the header")
    }

    let command: FeedCommand
    do {
        command = try FeedCommand.decode(bytes)
    } catch {
        require(error.code == .badRequest, "a refused feed command is bad_request, got \(error.code)")
        return
    }
    do {
        let again = try FeedCommand.decode(command.encoded())
        require(again == command, "round trip changed \(command) into \(again)")
    } catch {
        fatalError("property broken: \(command) re-encoded does not decode: \(error)")
    }
}
