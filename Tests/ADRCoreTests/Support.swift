import Foundation
import Testing
@_exported import TestSupport
@testable import ADRCore

/// The fixture folders of this test target (`Tests/ADRCoreTests/Fixtures/<case>`), found from
/// this file's path so tests run from any working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { root + "/" + name }

    /// The linked log of a fixture folder.
    static func log(_ name: String, options: Pipeline.Options = Pipeline.Options()) -> DecisionLog {
        Pipeline.decisionLog(path(name), options: options)
    }
}

/// Parses one Markdown text as the file `name`.
func parse(_ text: String, name: String = "0001-test.md") -> ParsedDecision {
    let outcome = ADRParser.parse(SourceFile(path: name, bytes: Array(text.utf8)))
    return outcome.decision!
}

/// Writes files into a new temporary folder and returns its path.
func temporaryLog(_ files: [String: String]) throws -> String { try makeFolder(files, label: "log") }

extension DecisionLog {
    /// The decision whose source is `source`.
    func decision(_ source: String) -> Decision {
        guard let d = decisions.first(where: { $0.source == source }) else {
            Issue.record("no decision for \(source); have \(decisions.map(\.source))")
            return decisions[0]
        }
        return d
    }

    /// Diagnostics as `file:line:col: severity: message` lines.
    var diagnosticLines: [String] { diagnostics.map { $0.description } }
}

/// Text with position markers `⟨1⟩`, `⟨2⟩`, … that say where a diagnostic is expected (the
/// habit of swift-format's MarkedText): the markers are removed and their 1-based line and
/// byte column recorded.
struct MarkedText {
    var text: String
    var markers: [String: (line: Int, column: Int)] = [:]

    init(_ marked: String) {
        var out = ""
        var line = 1, column = 1
        var rest = Substring(marked)
        while let c = rest.first {
            if c == "⟨", let close = rest.firstIndex(of: "⟩") {
                markers[String(rest[rest.index(after: rest.startIndex)..<close])] = (line, column)
                rest = rest[rest.index(after: close)...]
                continue
            }
            out.append(c)
            if c == "\n" { line += 1; column = 1 } else { column += c.utf8.count }
            rest = rest.dropFirst()
        }
        text = out
    }

    /// `file:line:col: warning: message` at marker `name`.
    func warning(_ file: String, at name: String, _ message: String) -> String {
        let m = markers[name]!
        return "\(file):\(m.line):\(m.column): warning: \(message)"
    }
}
