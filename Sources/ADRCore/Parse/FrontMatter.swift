import Yams

/// A YAML value from front matter, reduced to what adrsite reads: scalars stay strings (so
/// `2020-01-01` stays a calendar date and is never turned into an instant in some time zone).
public indirect enum YAMLValue: Sendable, Hashable {
    case null
    case scalar(String)
    case sequence([YAMLValue])
    case mapping([YAMLEntry])

    /// The scalar as text; nil for lists and maps.
    public var string: String? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    /// A scalar, or each scalar of a list.
    public var strings: [String] {
        switch self {
        case .scalar(let s): return s.isEmpty ? [] : [s]
        case .sequence(let items): return items.compactMap { $0.string }.filter { !$0.isEmpty }
        default: return []
        }
    }
}

public struct YAMLEntry: Sendable, Hashable {
    public var key: String
    public var value: YAMLValue
    /// Line of the key in the Markdown file.
    public var line: Int
}

/// The YAML block between `---` lines at the top of a file.
public struct FrontMatter: Sendable {
    public private(set) var entries: [YAMLEntry] = []
    /// The keys of `entries`, normalised once (see `normalizeKey`).
    private var keys: [String] = []

    public init(entries: [YAMLEntry] = []) {
        self.entries = entries
        self.keys = entries.map { FrontMatter.normalizeKey($0.key) }
    }

    /// The first entry whose key matches one of `keys`, ignoring case, `-`, `_` and spaces.
    public func entry(_ wanted: String...) -> YAMLEntry? {
        guard !entries.isEmpty else { return nil }
        let normalized = wanted.map(FrontMatter.normalizeKey)
        for (i, key) in keys.enumerated() where normalized.contains(key) { return entries[i] }
        return nil
    }

    /// The first entry whose key gives `field` (see `Conventions.metadataKeys`).
    public func entry(_ field: Conventions.Field) -> YAMLEntry? {
        guard let i = keys.firstIndex(where: { Conventions.metadataKeys[$0] == field }) else { return nil }
        return entries[i]
    }

    public subscript(_ key: String) -> YAMLValue? { entry(key)?.value }

    static func normalizeKey(_ key: String) -> String { Conventions.key(key) }

    /// Splits front matter from the text. The front matter lines are replaced by empty lines, so
    /// that cmark's line numbers stay those of the file.
    static func split(_ text: String, path: String) -> (FrontMatter?, String, [Diagnostic]) {
        guard text.utf8.starts(with: "---".utf8) else { return (nil, text, []) }
        // Lines by bytes: the front matter is short, but a file that only starts with a rule
        // would otherwise be read character by character to its end.
        let u = text.utf8
        func lineEnd(from i: String.Index) -> String.Index { u[i...].firstIndex(of: 0x0A) ?? u.endIndex }
        func content(_ a: String.Index, _ b: String.Index) -> Substring {
            var line = text[a..<b]
            if line.utf8.last == 0x0D { line = line.dropLast() }
            return line
        }
        let firstEnd = lineEnd(from: u.startIndex)
        guard firstEnd < u.endIndex, content(u.startIndex, firstEnd).trimmingTrailingSpaces() == "---" else {
            return (nil, text, [])
        }
        var lines: [Substring] = []
        var at = u.index(after: firstEnd)
        var lineNumber = 1
        var closingLine = -1
        var bodyStart = u.endIndex
        while at < u.endIndex {
            lineNumber += 1
            let end = lineEnd(from: at)
            let line = content(at, end)
            let trimmed = line.trimmingTrailingSpaces()
            if trimmed == "---" || trimmed == "..." {
                closingLine = lineNumber
                bodyStart = end < u.endIndex ? u.index(after: end) : u.endIndex
                break
            }
            lines.append(line)
            at = end < u.endIndex ? u.index(after: end) : u.endIndex
        }
        guard closingLine > 0 else {
            // No closing line: a leading thematic break, unless it plainly meant to be YAML.
            if let first = lines.first, first.contains(":") {
                return (nil, text, [.warning(path, line: 1, column: 1,
                                             "front matter starting here is never closed with `---`; read as Markdown")])
            }
            return (nil, text, [])
        }
        let yaml = lines.joined(separator: "\n")
        let blank = String(repeating: "\n", count: closingLine)
        let body = blank + text[bodyStart...]
        var diagnostics: [Diagnostic] = []
        let frontMatter = parseYAML(yaml, path: path, diagnostics: &diagnostics)
        return (frontMatter, body, diagnostics)
    }

    /// Reads the YAML of front matter; problems are warnings with the line in the Markdown file.
    static func parseYAML(_ yaml: String, path: String, diagnostics: inout [Diagnostic]) -> FrontMatter {
        if yaml.trimmingCharacters(in: " \t\n\r").isEmpty { return FrontMatter() }
        if let simple = parseSimple(yaml) { return simple }
        return parseWithYams(yaml, path: path, diagnostics: &diagnostics)
    }

    /// Front matter of `key: plain words` lines only, the common kind, read without Yams; nil
    /// when any line is anything else (indented, a list, quoted, a comment, a repeated key,
    /// characters YAML gives a meaning to), and Yams reads it. For the lines it accepts it gives
    /// what Yams gives (FrontMatterTests compares the two).
    static func parseSimple(_ yaml: String) -> FrontMatter? {
        var entries: [YAMLEntry] = []
        var keys: Set<String> = []
        var lineIndex = 0
        for line in yaml.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            defer { lineIndex += 1 }
            guard let first = line.first else { continue }
            guard Scan.isAsciiLetter(first) else { return nil }
            var i = line.startIndex
            while i < line.endIndex && (Scan.isAsciiLetter(line[i]) || Scan.isDigit(line[i])
                                         || line[i] == UInt8(ascii: "_") || line[i] == UInt8(ascii: "-")) {
                i = line.index(after: i)
            }
            guard i < line.endIndex, line[i] == UInt8(ascii: ":") else { return nil }
            let key = String(decoding: line[line.startIndex..<i], as: UTF8.self)
            guard keys.insert(key).inserted else { return nil }
            i = line.index(after: i)
            var value: YAMLValue = .null
            if i < line.endIndex {
                guard line[i] == 0x20 else { return nil }
                var rest = line[i...].drop { $0 == 0x20 }
                while rest.last == 0x20 { rest = rest.dropLast() }
                if let start = rest.first {
                    guard Scan.isAsciiLetter(start) || Scan.isDigit(start) || start >= 0x80,
                          plainWords(Array(rest)) else { return nil }
                    let text = String(decoding: rest, as: UTF8.self)
                    value = text == "null" || text == "Null" || text == "NULL" ? .null : .scalar(text)
                }
            }
            entries.append(YAMLEntry(key: key, value: value, line: lineIndex + 2))
        }
        return FrontMatter(entries: entries)
    }

    /// Letters, digits, spaces, `.,;'()/+-_` and printable non-ASCII: what a plain YAML scalar
    /// holds as it is written.
    private static func plainWords(_ b: [UInt8]) -> Bool {
        var k = 0
        while k < b.count {
            let c = b[k]
            if c >= 0x80 {
                let c1 = k + 1 < b.count ? b[k + 1] : 0, c2 = k + 2 < b.count ? b[k + 2] : 0
                // C1 controls and NEL; U+2028, U+2029; the byte order mark; U+FFFE, U+FFFF.
                if c == 0xC2 && c1 < 0xA0 { return false }
                if c == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9) { return false }
                if c == 0xEF && ((c1 == 0xBB && c2 == 0xBF) || (c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF))) { return false }
            } else if !(Scan.isAsciiLetter(c) || Scan.isDigit(c) || c == 0x20 || c == UInt8(ascii: ".")
                        || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "'")
                        || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "/")
                        || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")) {
                return false
            }
            k += 1
        }
        return true
    }

    /// Reads YAML with Yams; problems are warnings with the line in the Markdown file.
    static func parseWithYams(_ yaml: String, path: String, diagnostics: inout [Diagnostic]) -> FrontMatter {
        // Yams compares mapping keys by value, walking aliases as if expanded: a key that is an
        // alias of nested aliases would take hours. Front matter never needs many aliases.
        if aliasCount(yaml) > maxAliases {
            diagnostics.append(.warning(path, line: 2, column: 1,
                                        "front matter is too large once its aliases are expanded (more than \(maxAliases) aliases); its values are ignored"))
            return FrontMatter()
        }
        let node: Node?
        do {
            // The encoding is named: Yams' default reads the process environment on every call.
            node = try Yams.compose(yaml: yaml, Resolver.basic, Constructor.default, .utf8)
        } catch let error as YamlError {
            let (line, column, problem) = describe(error, yaml: yaml)
            diagnostics.append(.warning(path, line: line + 1, column: column,
                                        "front matter is not valid YAML (\(problem)); its values are ignored"))
            return FrontMatter()
        } catch {
            diagnostics.append(.warning(path, line: 2, column: 1, "front matter is not valid YAML; its values are ignored"))
            return FrontMatter()
        }
        guard let node else { return FrontMatter() }
        guard case .mapping(let mapping) = node else {
            diagnostics.append(.warning(path, line: 2, column: 1, "front matter is not a map of keys and values; ignored"))
            return FrontMatter()
        }
        var budget = 10_000
        var entries: [YAMLEntry] = []
        for (key, value) in mapping {
            guard let keyText = key.string else { continue }
            let converted = convert(value, budget: &budget)
            if budget < 0 {
                diagnostics.append(.warning(path, line: 2, column: 1,
                                            "front matter is too large once its aliases are expanded; its values are ignored"))
                return FrontMatter()
            }
            entries.append(YAMLEntry(key: keyText, value: converted, line: (key.mark?.line ?? 1) + 1))
        }
        return FrontMatter(entries: entries)
    }

    /// Converts a node, spending one unit of `budget` per node so that alias bombs stay cheap.
    private static func convert(_ node: Node, budget: inout Int) -> YAMLValue {
        budget -= 1
        if budget < 0 { return .null }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null }
            return .scalar(scalar.string)
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            for item in sequence {
                items.append(convert(item, budget: &budget))
                if budget < 0 { return .null }
            }
            return .sequence(items)
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            for (key, value) in mapping {
                entries.append(YAMLEntry(key: key.string ?? "", value: convert(value, budget: &budget),
                                         line: (key.mark?.line ?? 1) + 1))
                if budget < 0 { return .null }
            }
            return .mapping(entries)
        default:
            return .null
        }
    }

    private static func describe(_ error: YamlError, yaml: String) -> (Int, Int, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // "while parsing a flow sequence" names where the broken construct starts; a person
            // looks there, not where the parser gave up (often the closing `---`).
            if let context, context.mark.line >= 1 {
                return (context.mark.line, context.mark.column, "\(context.text): \(problem)")
            }
            return (mark.line, mark.column, problem)
        case .reader(let problem, _, _, _):
            return (1, 1, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let (line, column) = repeatedKey(duplicates.first ?? "", firstLine: context.mark.line, in: yaml)
                ?? (context.mark.line, context.mark.column)
            return (max(line, 1), max(column, 1), "duplicate key: \(duplicates.joined(separator: ", "))")
        default:
            return (1, 1, "\(error)")
        }
    }

    /// The line and column of the second `key:` at the indentation of the first one (on
    /// `firstLine`, 1-based), where a person looks for a duplicated key.
    private static func repeatedKey(_ key: String, firstLine: Int, in yaml: String) -> (Int, Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard !key.isEmpty, firstLine >= 1, firstLine <= lines.count else { return nil }
        func keyColumn(_ line: Substring) -> Int? {
            let indent = line.prefix { $0 == " " }.count
            var rest = line.dropFirst(indent)
            for quote in ["\"", "'"] where rest.hasPrefix(quote) && rest.dropFirst().hasPrefix(key + quote) {
                rest = rest.dropFirst(key.count + 2)
                return rest.drop { $0 == " " }.first == ":" ? indent + 1 : nil
            }
            guard rest.hasPrefix(key) else { return nil }
            rest = rest.dropFirst(key.count)
            return rest.drop { $0 == " " }.first == ":" ? indent + 1 : nil
        }
        guard let column = keyColumn(lines[firstLine - 1]) else { return nil }
        for index in firstLine..<lines.count where keyColumn(lines[index]) == column {
            return (index + 1, column)
        }
        return nil
    }

    /// Front matter with more aliases than this is refused before Yams reads it.
    static let maxAliases = 32

    /// How many `*alias` tokens the YAML text holds (outside quotes and comments); may count a
    /// `*` that starts a word in a plain value too, which only errs on the safe side.
    static func aliasCount(_ yaml: String) -> Int {
        var count = 0
        for line in yaml.split(separator: "\n") {
            var quote: UInt8? = nil
            var previous: UInt8 = 0x20
            let bytes = Array(line.utf8)
            var i = 0
            while i < bytes.count {
                let c = bytes[i]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    if previous == 0x20 || previous == 0x09 || "[{,:".utf8.contains(previous) { quote = c }
                } else if c == UInt8(ascii: "#") && (previous == 0x20 || previous == 0x09) {
                    break
                } else if c == UInt8(ascii: "*") && (previous == 0x20 || previous == 0x09 || "[{,?:-".utf8.contains(previous))
                            && i + 1 < bytes.count && (bytes[i + 1] | 0x20 >= 97 && bytes[i + 1] | 0x20 <= 122
                                                       || (bytes[i + 1] >= 48 && bytes[i + 1] <= 57)
                                                       || bytes[i + 1] == UInt8(ascii: "_") || bytes[i + 1] == UInt8(ascii: "-")) {
                    count += 1
                }
                previous = c
                i += 1
            }
        }
        return count
    }
}

extension StringProtocol {
    func trimmingTrailingSpaces() -> SubSequence {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            if self[before] == " " || self[before] == "\t" { end = before } else { break }
        }
        return self[startIndex..<end]
    }

    /// Trims the given ASCII characters (as bytes) from both ends: this runs for every heading,
    /// status line and table cell, and every set the rules trim is ASCII.
    func trimmingCharacters(in set: String) -> String {
        let setBytes = Array(set.utf8)
        assert(setBytes.allSatisfy({ $0 < 0x80 }), "trimmingCharacters(in:) trims ASCII characters only")
        let whole = String(self)
        let u = whole.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end && setBytes.contains(u[start]) { start = u.index(after: start) }
        while end > start && setBytes.contains(u[u.index(before: end)]) { end = u.index(before: end) }
        if start == u.startIndex && end == u.endIndex { return whole }
        return String(whole[start..<end])
    }
}
