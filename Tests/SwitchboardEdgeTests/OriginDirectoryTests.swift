import SwitchboardCore
import SwitchboardEdge
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
}
