import Foundation

/// A result table printed for people, and the same rows as JSON for scripts (`--json FILE`).
public struct Table: Codable, Sendable {
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    /// Notes printed under the table (targets, comparisons).
    public var notes: [String] = []

    public init(title: String, columns: [String], rows: [[String]] = [], notes: [String] = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }

    public var text: String {
        let widths = columns.indices.map { index in
            ([columns[index]] + rows.map { index < $0.count ? $0[index] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, widths[index] - cell.count)) + cell
            }.joined(separator: "  ")
        }
        var lines = [title, line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        lines += notes.map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// 1234567 → "1,234,567".
    public static func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        formatter.usesGroupingSeparator = true
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    public static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
}
