#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Which URLs the unfurler may fetch: http(s) only, the host allow/deny lists, and — unless
/// private addresses are allowed — no name that resolves to loopback, private, link-local,
/// shared, multicast or reserved addresses (checked on every redirect too).
struct AddressPolicy: Sendable {
    let configuration: UnfurlConfiguration

    enum Refusal: Error, CustomStringConvertible {
        case scheme(String), host(String), address(String), unresolvable(String)
        var description: String {
            switch self {
            case .scheme(let s): "scheme \(s) is not fetched"
            case .host(let h): "host \(h) is not allowed"
            case .address(let h): "\(h) resolves to a private or reserved address"
            case .unresolvable(let h): "\(h) does not resolve"
            }
        }
    }

    /// The addresses `url` may be fetched from, or why not.
    func check(_ url: URL) throws -> [String] {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Refusal.scheme(url.scheme ?? "none")
        }
        guard let host = url.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[].")), !host.isEmpty else {
            throw Refusal.host("none")
        }
        if configuration.denyHosts.contains(where: { Self.matches(host, $0) }) { throw Refusal.host(host) }
        if !configuration.allowHosts.isEmpty, !configuration.allowHosts.contains(where: { Self.matches(host, $0) }) {
            throw Refusal.host(host)
        }
        let addresses = Self.resolve(host)
        guard !addresses.isEmpty else { throw Refusal.unresolvable(host) }
        if !configuration.allowPrivate, addresses.contains(where: { !Self.isPublic($0) }) { throw Refusal.address(host) }
        return addresses
    }

    /// `host` is `pattern` or a subdomain of it.
    static func matches(_ host: String, _ pattern: String) -> Bool {
        let pattern = pattern.lowercased()
        return host == pattern || host.hasSuffix("." + pattern)
    }

    /// Every address the name resolves to (numeric text), or itself when it is a literal.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &results) == 0, let first = results else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return Array(Set(addresses)).sorted()
    }

    /// Whether a numeric address is globally routable (not one the origin's own network uses).
    static func isPublic(_ address: String) -> Bool {
        if let v4 = ipv4(address) { return isPublicV4(v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return false }                  // :: and ::1
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {  // ::ffff:a.b.c.d
            return isPublicV4(Array(bytes[12..<16]))
        }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {      // 64:ff9b::/96 (NAT64)
            return isPublicV4(Array(bytes[12..<16]))
        }
        if bytes[0] & 0xFE == 0xFC { return false }                                  // fc00::/7 unique local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return false }                // fe80::/10 link-local
        if bytes[0] == 0xFF { return false }                                         // multicast
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }  // documentation
        return true
    }

    private static func ipv4(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        guard inet_pton(AF_INET, address, &v4) == 1 else { return nil }
        return withUnsafeBytes(of: v4) { Array($0) }
    }

    private static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false                        // this network, private, loopback
        case (100, 64...127, _): return false                                        // shared (carrier-grade NAT)
        case (169, 254, _): return false                                             // link-local, cloud metadata
        case (172, 16...31, _), (192, 168, _): return false                          // private
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113): return false   // protocol assignments, documentation
        case (198, 18...19, _): return false                                         // benchmarking
        case (224...255, _, _): return false                                         // multicast, reserved, broadcast
        default: return true
        }
    }
}
