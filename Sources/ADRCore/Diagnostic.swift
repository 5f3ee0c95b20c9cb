/// A finding about the input, with its place: printed as `path:line:col: severity: message`.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    /// Path relative to the ADR directory, `/`-separated; empty for the directory itself.
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(_ severity: Severity, _ file: String, line: Int = 1, column: Int = 1, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = max(line, 1)
        self.column = max(column, 1)
        self.message = message
    }

    public static func warning(_ file: String, line: Int = 1, column: Int = 1, _ message: String) -> Diagnostic {
        Diagnostic(.warning, file, line: line, column: column, message)
    }

    public static func error(_ file: String, line: Int = 1, column: Int = 1, _ message: String) -> Diagnostic {
        Diagnostic(.error, file, line: line, column: column, message)
    }

    /// `path:line:col: severity: message`, with `path` shown under `prefix` (the ADR directory
    /// as the user named it).
    public func formatted(under prefix: String) -> String {
        let path: String
        if file.isEmpty {
            path = prefix.isEmpty ? "." : prefix
        } else if prefix.isEmpty || prefix == "." {
            path = file
        } else {
            path = prefix.hasSuffix("/") ? prefix + file : prefix + "/" + file
        }
        return "\(path):\(line):\(column): \(severity.rawValue): \(message)"
    }

    public var description: String { formatted(under: "") }

    /// Ordered by file, then position, so output is the same on every run.
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        if a.severity != b.severity { return a.severity == .error }
        return a.message < b.message
    }
}
