/// Which build this is: the version in the repository's `VERSION` file and the git commit it
/// was built from, stamped at build time by the BuildInfoPlugin (never a literal in the code).
public enum BuildInfo {
    /// `0.5.0`.
    public static var version: String { stamp.version }
    /// The abbreviated commit, or `unknown` when built outside a git checkout.
    public static var commit: String { stamp.commit }
    /// `0.5.0+3f2a9c1d0e4b`.
    public static var description: String { "\(version)+\(commit)" }
}
