import NIOCore

extension TimeAmount {
    /// How long a test's REST request may take. The SDK's default (30 s) is a user's patience;
    /// a test checks behaviour, and on a busy CI machine (two cores, dozens of suites and a
    /// PostgreSQL server at once) a large read such as a 2,050-user bootstrap has taken longer.
    /// A test fails on a wrong answer, not on a slow one.
    public static let testRequest = TimeAmount.seconds(180)
}
