import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting

/// Plays one scenario on a fresh workspace of a live origin and edge, then asks both, as every
/// user, about every channel, and listens to every user's gateway sessions at both: whatever
/// reveals a channel to someone the model says is not in it is a violation.
struct AccessMatrixRun {
    let origin: TestOrigin
    let edge: TestEdge
    let seed: UInt64

    struct Session {
        let user: Int
        let tier: String
        let socket: GatewaySocket
        var frames: [ServerFrame] = []
        /// How many of `frames` arrived before the barrier (membership was still changing then).
        var beforeBarrier = 0
    }

    func violations(_ steps: [AccessStep]) async throws -> [String] {
        var found: [String] = []
        let admin = origin.admin
        let ws = try await TestWorkspace.make(on: origin, name: "Matrix \(seed)", handles: (0..<AccessModel.userCount).map { "u\($0)" },
                                              roles: ["u\(AccessModel.guest)": .guest])
        let users = (0..<AccessModel.userCount).map { ws.user("u\($0)") }
        let viaOrigin = (0..<AccessModel.userCount).map { ws.client("u\($0)") }
        let viaEdge = viaOrigin.map { $0.via(edge) }
        let general = try await viaOrigin[0].general()
        var ids: [Int: Snowflake] = [AccessModel.general: general.id]

        // Every user listens at both tiers from the start, looking at #general.
        var sessions: [Session] = []
        for user in 0..<AccessModel.userCount {
            for (tier, url) in [("origin", origin.gatewayURL), ("edge", edge.gatewayURL)] {
                let opened = try await GatewaySocket.identify(url, token: viaOrigin[user].token!, focus: general.id, mailboxCapacity: 4_096)
                sessions.append(Session(user: user, tier: tier, socket: opened.socket))
            }
        }
        defer { for session in sessions { Task { await session.socket.close() } } }

        // The steps, each checked against the model's expectation.
        var model = AccessModel()
        for step in steps {
            let expected = model.apply(step)
            guard expected != .skipped else { continue }
            do {
                switch step {
                case .createChannel(let label, let by, let isPrivate):
                    ids[label] = try await viaOrigin[by].createChannel(name: "c\(label)-\(seed % 100_000)", kind: isPrivate ? .private : .public).id
                case .openDM(let label, let by, let with):
                    ids[label] = try await viaOrigin[by].openDM(with: with.map { users[$0].id }).id
                case .join(let user, let label): _ = try await viaOrigin[user].join(ids[model.canonical(label)]!)
                case .leave(let user, let label): try await viaOrigin[user].leave(ids[model.canonical(label)]!)
                case .add(let by, let user, let label): try await viaOrigin[by].addMember(users[user].id, to: ids[model.canonical(label)]!)
                case .remove(let user, let label): try await admin.removeMember(users[user].id, from: ids[model.canonical(label)]!)
                case .deactivate(let user):
                    _ = try await admin.administerUser(workspaceID: ws.workspace.id, userID: users[user].id, AdminUserPatchRequest(active: false))
                }
                if expected == .refused { found.append("\(step): allowed, but the model refuses it") }
            } catch let error as APIError {
                if expected == .allowed { found.append("\(step): refused (\(error)), but the model allows it") }
                else if ![403, 404].contains(error.status) { found.append("\(step): refused with \(error.status), not 403/404") }
            }
        }
        let channels = model.channelLabels.compactMap { label in ids[label].map { (label: label, id: $0) } }
        let active = model.activeUsers

        // A barrier in #general: once a session has it, every membership change before it has reached it.
        let barrier = "barrier-\(seed)"
        _ = try await viaOrigin[0].post(barrier, to: general.id)
        for index in sessions.indices where model.isActive(sessions[index].user) {
            sessions[index].frames += try await sessions[index].socket.frames(until: { $0.contains(barrier) }, timeout: .seconds(20))
            sessions[index].beforeBarrier = sessions[index].frames.count
        }

        // A secret message (and, outside #general, a file) in every channel, by one of its active members.
        var secrets: [Int: String] = [:], files: [Int: String] = [:]
        for (label, id) in channels {
            guard let poster = model.channel(label)!.members.filter(model.isActive).min() else { continue }
            let secret = "secret\(label)x\(seed)"
            var attachments: [Snowflake] = []
            if label != AccessModel.general {
                attachments = [try await viaOrigin[poster].upload(bytes: Array(secret.utf8), contentType: "text/plain", filename: "\(secret).txt").id]
            }
            let message = try await viaOrigin[poster].post("the \(secret) word", to: id, attachmentIDs: attachments).message
            secrets[label] = secret
            files[label] = message.attachments.first?.url
        }
        let end = "end-\(seed)"
        _ = try await viaOrigin[0].post(end, to: general.id)
        for index in sessions.indices where model.isActive(sessions[index].user) {
            sessions[index].frames += try await sessions[index].socket.frames(until: { $0.contains(end) }, timeout: .seconds(20))
            // Badges are coalesced (250 ms) and may follow the last message.
            sessions[index].frames += try await sessions[index].socket.frames(for: .milliseconds(600))
        }

        // What each session heard.
        for session in sessions where model.isActive(session.user) {
            let who = "u\(session.user) at the \(session.tier)'s gateway"
            for (label, id) in channels {
                let state = model.channel(label)!
                let member = state.members.contains(session.user)
                // Checked from the barrier on for a channel the user is not in now, from the start
                // for one they were never in.
                let heard = state.everMembers.contains(session.user) ? session.frames[session.beforeBarrier...] : session.frames[...]
                if member {
                    if session.tier == "origin", let secret = secrets[label], !session.frames.contains(where: { $0.contains(secret) }) {
                        found.append("\(who) never heard c\(label)'s message, though a member")
                    }
                    continue
                }
                for frame in heard {
                    if let secret = secrets[label], frame.contains(secret) { found.append("\(who) heard c\(label)'s message: \(frame)") }
                    else if state.kind == .private || state.kind == .direct, frame.mentions(id) { found.append("\(who) heard of \(state.kind) c\(label): \(frame)") }
                    else if frame.isEvent(.unreadUpdated), frame.mentions(id) { found.append("\(who) got a badge for c\(label): \(frame)") }
                    else if frame.op == "event", frame.mentions(id), !(frame.isEvent(.channelCreated) || frame.isEvent(.channelUpdated)) {
                        found.append("\(who) got an event of c\(label), not a member: \(frame)")
                    }
                }
            }
        }

        // What each user can read, at both tiers.
        for user in 0..<AccessModel.userCount {
            for (tier, client) in [("origin", viaOrigin[user]), ("edge", viaEdge[user])] {
                let who = "u\(user) at the \(tier)"
                guard active.contains(user) else {
                    if let status = await status(of: { _ = try await client.channels() }), status != 401 {
                        found.append("\(who), deactivated, listed channels with \(status), not 401")
                    } else if await status(of: { _ = try await client.channels() }) == nil {
                        found.append("\(who), deactivated, still lists channels")
                    }
                    continue
                }
                let listed = Set(try await client.channels().map(\.id))
                let expected = Set(channels.filter { model.channel($0.label)!.members.contains(user) }.map(\.id))
                if listed != expected {
                    found.append("\(who) lists \(names(listed, channels)), the model says \(names(expected, channels))")
                }
                let browsable = Set(try await client.browseChannels().map(\.id))
                for (label, id) in channels {
                    let state = model.channel(label)!
                    let member = state.members.contains(user)
                    let history = await status(of: { _ = try await client.messages(in: id, limit: 50) })
                    if member, let secret = secrets[label] {
                        let page = try await client.messages(in: id, limit: 50).messages
                        if !page.contains(where: { $0.content.contains(secret) }) { found.append("\(who) misses c\(label)'s message in its history") }
                    }
                    if !member, history == nil { found.append("\(who) reads c\(label)'s history, not a member") }
                    if !member, let history, ![403, 404].contains(history) { found.append("\(who) reading c\(label)'s history: \(history)") }
                    if let secret = secrets[label] {
                        let hits = try await client.search(secret)
                        if member != !hits.isEmpty { found.append("\(who) searching c\(label)'s word: \(hits.count) hits as \(member ? "a member" : "no member")") }
                    }
                    if !member, state.kind == .private || state.kind == .direct {
                        if await status(of: { _ = try await client.channel(id) }) == nil { found.append("\(who) sees \(state.kind) c\(label)'s details") }
                        if await status(of: { _ = try await client.members(of: id) }) == nil { found.append("\(who) sees \(state.kind) c\(label)'s members") }
                        if browsable.contains(id) { found.append("\(who) finds \(state.kind) c\(label) in the channel browser") }
                    }
                    if let url = files[label] {
                        let download = await status(of: { _ = try await client.download(url) })
                        if member, let download { found.append("\(who) cannot download c\(label)'s file: \(download)") }
                        if !member, download != 403 { found.append("\(who) downloading c\(label)'s file: \(download.map(String.init) ?? "allowed")") }
                    }
                }
            }
        }
        return found
    }

    /// nil when the call succeeds, else the HTTP status it was refused with.
    private func status(of call: () async throws -> Void) async -> Int? {
        do {
            try await call()
            return nil
        } catch let error as APIError {
            return error.status
        } catch {
            return -1
        }
    }

    private func names(_ ids: Set<Snowflake>, _ channels: [(label: Int, id: Snowflake)]) -> String {
        channels.filter { ids.contains($0.id) }.map { "c\($0.label)" }.sorted().joined(separator: ",")
            + (ids.count > channels.filter { ids.contains($0.id) }.count ? " and unknown ones" : "")
    }
}

extension AccessModel {
    /// Every label that names a channel of its own (DM aliases left out).
    var channelLabels: [Int] { channels.keys.sorted() }
}

extension ServerFrame {
    func contains(_ text: String) -> Bool { String(decoding: raw, as: UTF8.self).contains(text) }
}
