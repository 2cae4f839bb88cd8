/// A gateway frame from a client: either a command or a `bad_request` saying why not; a command
/// re-encodes to a frame that decodes to the same command.
func fuzzGatewayFrame(_ bytes: [UInt8]) {
    let command: GatewayCommand
    do {
        command = try GatewayCommand.decode(bytes)
    } catch {
        require(error.code == .badRequest, "a refused frame is bad_request, got \(error.code)")
        return
    }
    let again: GatewayCommand
    do {
        again = try GatewayCommand.decode(command.encoded())
    } catch {
        fatalError("property broken: \(command) re-encoded does not decode: \(error)")
    }
    require(again == command, "round trip changed \(command) into \(again)")
}
