/// Compares an `X-Admin-Key` header with the configured key in constant time.
struct AdminKey: Sendable {
    let key: String

    func matches(_ candidate: String?) -> Bool {
        guard let candidate, !key.isEmpty else { return false }
        let a = Array(key.utf8), b = Array(candidate.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { difference |= a[i % a.count] ^ b[i] }
        return difference == 0
    }
}
