import SwitchboardCore
@testable import SwitchboardEdge
import Testing

@Suite struct OriginDirectoryTests {
    let urls = ["http://o1:8080", "http://o2:8080", "http://o3:8080"]
    let workspaces = (1...3_000).map { Snowflake(UInt64($0) * 7_919 + 4_194_304) }

    @Test func oneOriginServesEverything() {
        let directory = OriginDirectory(urls: ["http://only:8080"])
        #expect(workspaces.allSatisfy { directory.url(for: $0) == "http://only:8080" })
        #expect(directory.url(for: nil) == "http://only:8080")
    }

    @Test func workspacesSpreadOverTheProcessesTheSameWayEverywhere() {
        let directory = OriginDirectory(urls: urls)
        let again = OriginDirectory(urls: urls.reversed())   // the order of the list does not matter
        var counts: [String: Int] = [:]
        for workspace in workspaces {
            let chosen = directory.url(for: workspace)
            #expect(again.url(for: workspace) == chosen)
            counts[chosen, default: 0] += 1
        }
        #expect(counts.count == 3 && counts.values.allSatisfy { $0 > 800 })   // ~1,000 each
        #expect(directory.url(for: nil) == urls[0])
    }

    @Test func removingAProcessMovesOnlyItsWorkspaces() {
        let before = OriginDirectory(urls: urls)
        let after = OriginDirectory(urls: [urls[0], urls[2]])
        for workspace in workspaces where before.url(for: workspace) != urls[1] {
            #expect(after.url(for: workspace) == before.url(for: workspace))
        }
    }

    @Test func aDownProcessesWorkspacesGoToTheNextInTheirOrderAndNoOthersMove() {
        let directory = OriginDirectory(urls: urls)
        let up: Set = [urls[0], urls[2]]
        var moved: [String: Int] = [:]
        for workspace in workspaces {
            let first = directory.url(for: workspace)
            let now = try! #require(directory.url(for: workspace, among: up))
            if first != urls[1] { #expect(now == first) } else { moved[now, default: 0] += 1 }
            // The same answer as a directory that never had the down process.
            #expect(now == OriginDirectory(urls: [urls[0], urls[2]]).url(for: workspace))
        }
        // The down process's ~1,000 workspaces are shared by the other two, not all sent to one.
        #expect(moved.count == 2 && moved.values.allSatisfy { $0 > 300 })
        #expect(directory.url(for: workspaces[0], among: []) == nil)
        #expect(directory.url(for: nil, among: [urls[2]]) == urls[2])
    }
}

@Suite struct OriginHealthTests {
    @Test func twoFailuresInARowTakeAProcessDownAndThreeSuccessesBringItBack() {
        var health = OriginHealth(urls: ["a", "b"])
        #expect(health.up == ["a", "b"])
        // One lost probe moves nothing; two in a row take it down.
        var changes = [false, true, false, false].map { health.record("a", healthy: $0) }
        #expect(changes == [false, false, false, true])
        #expect(health.up == ["b"] && !health.isUp("a"))
        // A flap restarts the count; three good ones in a row bring it back.
        changes = [true, true, false, true, true, true].map { health.record("a", healthy: $0) }
        #expect(changes == [false, false, false, false, false, true])
        #expect(health.isUp("a"))
        let unknown = health.record("unknown", healthy: false)
        #expect(!unknown)
    }
}
