import NIOCore
import NIOSSL

/// The certificate the client of a connection presented, verified against the server's
/// client CAs during the handshake (a certificate that did not verify failed the handshake).
/// Nil over plain HTTP or when the client presented none. An HTTP/2 stream asks its connection.
public func clientCertificate(of channel: any Channel) async -> NIOSSLCertificate? {
    for candidate in [channel, channel.parent].compactMap({ $0 }) {
        do {
            return try await candidate.nioSSL_peerCertificate().get()
        } catch {
            continue  // no TLS handler here: a plain connection, or a stream whose connection has it
        }
    }
    return nil
}
