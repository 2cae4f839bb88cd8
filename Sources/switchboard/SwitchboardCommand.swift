import ArgumentParser

/// `switchboard`: a command-line client of the origin or of the nearest edge.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Chat from the terminal: channels, history, search, send, react, edit, DMs, threads, notifications, and a live tail.",
        discussion: """
            Log in once with `switchboard login --origin URL --token TOKEN` (or set SWITCHBOARD_ORIGIN and
            SWITCHBOARD_TOKEN). `--edge auto` talks to the nearest edge the origin lists, `--edge URL` to that
            edge; without it, to the origin. `--json` prints machine-readable output.
            """,
        subcommands: [Login.self, Logout.self, Channels.self, Send.self, Upload.self, Tail.self, History.self, Search.self, Users.self, Edges.self,
                      React.self, Edit.self, Delete.self, DM.self, Join.self, Leave.self, MarkRead.self, Presence.self,
                      Notifications.self, Threads.self])
}
