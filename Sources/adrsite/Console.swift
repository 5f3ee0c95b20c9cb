import ADRCore
import Foundation

/// Output to the terminal: diagnostics on stderr, results on stdout. Every line is printed as
/// `Diagnostic.printable` makes it: paths and quoted input never break a line in two or send
/// the terminal an escape.
enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((Diagnostic.printable(line) + "\n").utf8))
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((Diagnostic.printable(line) + "\n").utf8))
    }

    static func report(_ diagnostics: [Diagnostic], prefix: String) {
        guard !diagnostics.isEmpty else { return }
        var text = ""
        for d in diagnostics { text += d.formatted(under: prefix) + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func summary(_ log: DecisionLog, verb: String, directory: String) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(verb) \(count(log.decisions.count, "decision")) in \(directory): \(count(log.errorCount, "error")), \(count(log.warningCount, "warning"))"
    }

    /// The directory as shown in diagnostics: relative to the current directory when inside it.
    static func displayPath(_ directory: String) -> String {
        var d = directory
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        guard d.hasPrefix("/") else { return d.hasPrefix("./") ? String(d.dropFirst(2)) : d }
        let cwd = FileManager.default.currentDirectoryPath
        if d == cwd { return "." }
        if d.hasPrefix(cwd + "/") { return String(d.dropFirst(cwd.count + 1)) }
        return d
    }
}

/// Where adr-tools and other tools keep decisions when no directory is named.
enum DefaultDirectory {
    static let candidates = ["doc/adr", "docs/adr", "docs/decisions", "doc/decisions", "adr", "decisions"]

    static func find() -> String? {
        let fm = FileManager.default
        if let text = try? String(contentsOfFile: ".adr-dir", encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !path.isEmpty { return path }
        }
        for c in candidates {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: c, isDirectory: &isDir), isDir.boolValue { return c }
        }
        return nil
    }
}
