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
        return Diagnostic.printable("\(path):\(line):\(column): \(severity.rawValue): \(message)")
    }

    /// `text` safe to print as one line of a terminal or CI log: control characters (C0, DEL,
    /// C1), line and paragraph separators and bidirectional overrides are written as escapes
    /// (`\n`, `\r`, `\t`, `\u{1B}`), so a file name can neither start a line of its own nor drive
    /// the terminal; and a line that would start with `::` (a GitHub Actions workflow command)
    /// starts with `./` instead. Backslashes are left as they are.
    public static func printable(_ text: String) -> String {
        var needsWork = text.hasPrefix("::")
        if !needsWork {
            for scalar in text.unicodeScalars where isUnprintable(scalar) { needsWork = true; break }
        }
        guard needsWork else { return text }
        var out = text.hasPrefix("::") ? "./" : ""
        for scalar in text.unicodeScalars {
            guard isUnprintable(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    static func isUnprintable(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029
            || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069) || v == 0x200E || v == 0x200F || v == 0x061C
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
