import SwitchboardCore

/// One step of a random workspace's life. Channels are named by labels so that a step can be
/// dropped (while shrinking) without renumbering the rest: a step about a channel whose
/// creation was dropped is skipped.
enum AccessStep: Sendable, CustomStringConvertible {
    case createChannel(label: Int, by: Int, isPrivate: Bool)
    case openDM(label: Int, by: Int, with: [Int])
    case join(user: Int, label: Int)
    case leave(user: Int, label: Int)
    case add(by: Int, user: Int, label: Int)
    /// By the admin key.
    case remove(user: Int, label: Int)
    /// By the admin key.
    case deactivate(user: Int)

    var description: String {
        switch self {
        case .createChannel(let label, let by, let isPrivate): "u\(by) creates \(isPrivate ? "private" : "public") c\(label)"
        case .openDM(let label, let by, let with): "u\(by) opens DM c\(label) with \(with.map { "u\($0)" }.joined(separator: ","))"
        case .join(let user, let label): "u\(user) joins c\(label)"
        case .leave(let user, let label): "u\(user) leaves c\(label)"
        case .add(let by, let user, let label): "u\(by) adds u\(user) to c\(label)"
        case .remove(let user, let label): "admin removes u\(user) from c\(label)"
        case .deactivate(let user): "admin deactivates u\(user)"
        }
    }
}

/// What the servers must agree with: who is in which channel, who is active, and whether each
/// step is allowed. The rules are protocol.md's, written once more, independently of the servers.
struct AccessModel {
    static let userCount = 5
    /// u4 is a guest: sees and joins only the channels they are added to.
    static let guest = 4
    /// `#general`, which everyone is in and nobody leaves.
    static let general = 0

    enum Kind: Equatable { case general, `public`, `private`, direct }

    struct ChannelState {
        var kind: Kind
        var members: Set<Int>
        /// Everyone who was ever a member: their sessions may have heard of the channel.
        var everMembers: Set<Int>
    }

    /// What a step is expected to do.
    enum Outcome: Equatable { case allowed, refused, skipped }

    private(set) var channels: [Int: ChannelState] = [general: ChannelState(kind: .general, members: Set(0..<userCount),
                                                                             everMembers: Set(0..<userCount))]
    /// A DM label that names the same people as an earlier one is the same conversation.
    private(set) var aliases: [Int: Int] = [:]
    private(set) var deactivated: Set<Int> = []

    func isActive(_ user: Int) -> Bool { !deactivated.contains(user) }
    func channel(_ label: Int) -> ChannelState? { channels[aliases[label] ?? label] }
    func canonical(_ label: Int) -> Int { aliases[label] ?? label }
    var activeUsers: [Int] { (0..<Self.userCount).filter(isActive) }

    /// Decides the step's outcome and, if it is allowed, applies it.
    mutating func apply(_ step: AccessStep) -> Outcome {
        switch step {
        case .createChannel(let label, let by, let isPrivate):
            guard channels[label] == nil, isActive(by), by != Self.guest else { return .skipped }
            channels[label] = ChannelState(kind: isPrivate ? .private : .public, members: [by], everMembers: [by])
            return .allowed
        case .openDM(let label, let by, let with):
            let people = Set(with + [by])
            guard channels[label] == nil, people.count >= 2, people.count <= 9, people.allSatisfy(isActive) else { return .skipped }
            if let existing = channels.first(where: { $0.value.kind == .direct && $0.value.members == people })?.key {
                aliases[label] = existing
            } else {
                channels[label] = ChannelState(kind: .direct, members: people, everMembers: people)
            }
            return .allowed
        case .join(let user, let label):
            guard let state = channel(label), isActive(user), !state.members.contains(user) else { return .skipped }
            // Public channels take anyone but guests; private ones and DMs take nobody by joining.
            guard state.kind == .public, user != Self.guest else { return .refused }
            channels[canonical(label)]!.members.insert(user)
            channels[canonical(label)]!.everMembers.insert(user)
            return .allowed
        case .leave(let user, let label):
            guard let state = channel(label), isActive(user), state.members.contains(user),
                  state.kind == .public || state.kind == .private else { return .skipped }
            channels[canonical(label)]!.members.remove(user)
            return .allowed
        case .add(let by, let user, let label):
            guard let state = channel(label), isActive(by), isActive(user), by != Self.guest, state.members.contains(by),
                  !state.members.contains(user), state.kind == .public || state.kind == .private else { return .skipped }
            channels[canonical(label)]!.members.insert(user)
            channels[canonical(label)]!.everMembers.insert(user)
            return .allowed
        case .remove(let user, let label):
            guard let state = channel(label), state.members.contains(user),
                  state.kind == .public || state.kind == .private else { return .skipped }
            channels[canonical(label)]!.members.remove(user)
            return .allowed
        case .deactivate(let user):
            // u0 stays: someone must be able to post the checks' messages.
            guard user != 0, isActive(user) else { return .skipped }
            deactivated.insert(user)
            return .allowed
        }
    }
}

/// A reproducible stream of numbers (SplitMix64): the same seed makes the same workspace.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum AccessScenario {
    /// `count` random steps: mostly membership changes among a handful of channels and DMs.
    static func steps(seed: UInt64, count: Int = 28) -> [AccessStep] {
        var random = SeededGenerator(seed: seed)
        var labels: [Int] = [AccessModel.general]
        var next = 1
        func user() -> Int { Int.random(in: 0..<AccessModel.userCount, using: &random) }
        func label() -> Int { labels.randomElement(using: &random)! }
        var steps: [AccessStep] = []
        for _ in 0..<count {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<18:
                steps.append(.createChannel(label: next, by: user(), isPrivate: Bool.random(using: &random)))
                labels.append(next); next += 1
            case 18..<28:
                let others = (0..<Int.random(in: 1...3, using: &random)).map { _ in user() }
                steps.append(.openDM(label: next, by: user(), with: others))
                labels.append(next); next += 1
            case 28..<48: steps.append(.join(user: user(), label: label()))
            case 48..<63: steps.append(.leave(user: user(), label: label()))
            case 63..<83: steps.append(.add(by: user(), user: user(), label: label()))
            case 83..<95: steps.append(.remove(user: user(), label: label()))
            default: steps.append(.deactivate(user: user()))
            }
        }
        return steps
    }

    /// The smallest list of steps, found by dropping one step at a time, for which `fails` still
    /// holds (a greedy one-pass-until-stable shrink: each kept removal is tried again).
    static func shrink(_ steps: [AccessStep], fails: ([AccessStep]) async throws -> Bool) async throws -> [AccessStep] {
        var current = steps
        var changed = true
        while changed {
            changed = false
            var index = current.count - 1
            while index >= 0 {
                var candidate = current
                candidate.remove(at: index)
                if try await fails(candidate) {
                    current = candidate
                    changed = true
                }
                index -= 1
            }
        }
        return current
    }
}
