import Foundation

/// Checks of a theme's template text that run before any Mustache parser sees it: how deep
/// sections nest (both parsers recurse once per level, so 100,000 levels would overflow the
/// stack) and whether partials include each other in a cycle (rendering would never end).
/// All positions are 1-based lines and UTF-8 byte columns, as in every diagnostic of adrsite.
enum TemplateChecks {
    /// Deepest nesting of sections a template may have.
    static let maxNesting = 100

    /// One tag: its sigil (`#`, `^`, `/`, `>`, `<`, `$`, `=`, `!`, `&`, `{`, or nil for a
    /// variable), its name (trimmed) and where its opening delimiter is.
    struct Tag: Equatable {
        var sigil: Character?
        var name: String
        var line: Int
        var column: Int
    }

    private static let sigils: [UInt8] = Array("#^/><$=!&{".utf8)

    /// Every tag of `text`, reading set-delimiter tags (`{{=<% %>=}}`) as Mustache does.
    static func tags(in text: String) -> [Tag] { scan(text).tags }

    /// The tags, and whether the scan reached the end: it stops at a tag that is never closed
    /// or a set-delimiter tag it cannot read (the Mustache parser reports those).
    static func scan(_ text: String) -> (tags: [Tag], complete: Bool) {
        let b = Array(text.utf8)
        var open = Array("{{".utf8), close = Array("}}".utf8)
        var tags: [Tag] = []
        var line = 1, lineStart = 0
        var i = 0
        func matches(_ needle: [UInt8], at k: Int) -> Bool {
            k + needle.count <= b.count && needle.indices.allSatisfy { b[k + $0] == needle[$0] }
        }
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard !needle.isEmpty else { return nil }
            var k = start
            while k + needle.count <= b.count {
                if b[k] == needle[0] && matches(needle, at: k) { return k }
                k += 1
            }
            return nil
        }
        while i < b.count {
            if b[i] == 0x0A { line += 1; lineStart = i + 1; i += 1; continue }
            guard !open.isEmpty, b[i] == open[0], matches(open, at: i) else { i += 1; continue }
            let tagLine = line, tagColumn = i - lineStart + 1
            var k = i + open.count
            let sigilByte = k < b.count ? b[k] : 0
            let sigil: Character? = sigils.contains(sigilByte) ? Character(UnicodeScalar(sigilByte)) : nil
            if sigil != nil { k += 1 }
            // `{{{x}}}` ends with `}` before the closing delimiter, `{{=a b=}}` with `=`.
            var end = close
            if sigil == "{" { end = Array("}".utf8) + close }
            if sigil == "=" { end = Array("=".utf8) + close }
            guard let stop = find(end, from: k) ?? (sigil == "{" ? find(close, from: k) : nil) else { return (tags, false) }
            let inside = String(decoding: b[k..<stop], as: UTF8.self)
            for j in i..<stop where b[j] == 0x0A { line += 1; lineStart = j + 1 }
            i = stop + (stop + end.count <= b.count && matches(end, at: stop) ? end.count : close.count)
            let name = trimmingSpaces(inside)
            tags.append(Tag(sigil: sigil, name: name, line: tagLine, column: tagColumn))
            if sigil == "=" {
                let parts = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count == 2 else { return (tags, false) }
                open = Array(parts[0].utf8)
                close = Array(parts[1].utf8)
            }
        }
        return (tags, true)
    }

    /// `text` without the characters of Foundation's `CharacterSet.whitespaces` at its ends (tab,
    /// the space separators and the zero-width space); Foundation's own trim took most of the
    /// time of a theme's checks.
    static func trimmingSpaces(_ text: String) -> String {
        func isSpace(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
            default: return false
            }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }

    /// `{{> name}}` and `{{< name}}` tags, with their positions; `{{>*name}}` (a dynamic
    /// partial) included, with its `*`.
    static func partialReferences(_ tags: [Tag]) -> [(name: String, line: Int, column: Int)] {
        tags.filter { ($0.sigil == ">" || $0.sigil == "<") && !$0.name.isEmpty }
            .map { ($0.name.split(separator: " ").first.map(String.init) ?? $0.name, $0.line, $0.column) }
    }

    /// The first tag that opens a section deeper than `maxNesting`, as a message with its place.
    static func nestingProblem(_ tags: [Tag]) -> (line: Int, column: Int, message: String)? {
        var depth = 0
        for tag in tags {
            switch tag.sigil {
            case "#", "^", "$", "<":
                depth += 1
                if depth > maxNesting {
                    return (tag.line, tag.column, "sections are nested more than \(maxNesting) deep")
                }
            case "/":
                depth = max(0, depth - 1)
            default:
                break
            }
        }
        return nil
    }

    /// A partial that includes itself, directly or through others: the template (name without
    /// `.mustache`) and the tag that closes the cycle, with the cycle as a message. `texts`:
    /// every template's tags by name.
    static func cycleProblem(_ texts: [String: [Tag]]) -> (template: String, line: Int, column: Int, message: String)? {
        var edges: [String: [(name: String, line: Int, column: Int)]] = [:]
        for (name, tags) in texts { edges[name] = partialReferences(tags).filter { !$0.name.hasPrefix("*") } }
        // Depth-first, in name order, without recursion (a theme may have many partials).
        var state: [String: Int] = [:]   // 1: on the path, 2: done
        for start in texts.keys.sorted() where state[start] == nil {
            var path: [(name: String, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = path.last {
                let references = edges[top.name] ?? []
                guard top.next < references.count else {
                    state[top.name] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let reference = references[top.next]
                guard edges[reference.name] != nil else { continue }   // a missing partial: reported apart
                switch state[reference.name] {
                case 1?:
                    let names = path.map(\.name)
                    let cycle = names[(names.firstIndex(of: reference.name) ?? 0)...] + [reference.name]
                    let message = cycle.count == 2
                        ? "partial '\(reference.name)' includes itself"
                        : "partial '\(reference.name)' includes itself through \(cycle.joined(separator: " → "))"
                    return (top.name, reference.line, reference.column, message)
                case 2?:
                    continue
                default:
                    state[reference.name] = 1
                    path.append((reference.name, 0))
                }
            }
        }
        return nil
    }

    /// How deep sections and partials nest when `start` is rendered, counting each section and
    /// each partial as one level (as the compiled renderer does), if deeper than `limit`: the
    /// template and the tag where the deepest chain leaves it, and a message. Run after
    /// `cycleProblem`: with a cycle the depth has no bound.
    static func depthProblem(_ texts: [String: [Tag]], limit: Int) -> (template: String, line: Int, column: Int, message: String)? {
        // For each template: its deepest section, and each partial it names with the depth there.
        var deepest: [String: Int] = [:]
        var references: [String: [(name: String, depth: Int, line: Int, column: Int)]] = [:]
        for (name, tags) in texts {
            var depth = 0, most = 0
            var found: [(String, Int, Int, Int)] = []
            for tag in tags {
                switch tag.sigil {
                case "#", "^", "$":
                    depth += 1
                    most = max(most, depth)
                case "<":
                    found.append((String(tag.name.split(separator: " ").first ?? ""), depth, tag.line, tag.column))
                    depth += 1
                    most = max(most, depth)
                case "/":
                    depth = max(0, depth - 1)
                case ">":
                    found.append((String(tag.name.split(separator: " ").first ?? ""), depth, tag.line, tag.column))
                default:
                    break
                }
            }
            deepest[name] = most
            references[name] = found.filter { texts[$0.0] != nil }
        }
        // The depth of each template with what it includes; the partial graph has no cycle.
        var memo: [String: (depth: Int, via: [String])] = [:]
        func depth(_ name: String) -> (depth: Int, via: [String]) {
            if let known = memo[name] { return known }
            var best = (depth: deepest[name] ?? 0, via: [name])
            for reference in references[name] ?? [] {
                let inner = depth(reference.name)
                let total = reference.depth + 1 + inner.depth
                if total > best.depth { best = (total, [name] + inner.via) }
            }
            memo[name] = best
            return best
        }
        for name in texts.keys.sorted() {
            let found = depth(name)
            guard found.depth > limit else { continue }
            let place = found.via.count > 1
                ? (references[name] ?? []).first { $0.name == found.via[1] }.map { ($0.line, $0.column) } ?? (1, 1)
                : (1, 1)
            return (name, place.0, place.1,
                    "sections and partials nest \(found.depth) deep (\(found.via.joined(separator: " → "))); at most \(limit)")
        }
        return nil
    }

    /// The first section that is closed with the wrong name, else the innermost one never
    /// closed, with the position of its tag. Nil when the template changes its delimiters (the
    /// parser's own position is used then) or every section is closed.
    static func sectionProblem(in text: String) -> (line: Int, column: Int, message: String)? {
        var open: [Tag] = []
        let scanned = scan(text)
        guard scanned.complete else { return nil }
        for tag in scanned.tags {
            switch tag.sigil {
            case "=":
                return nil
            case "#", "^", "$", "<":
                open.append(tag)
            case "/":
                guard let top = open.last else {
                    return (tag.line, tag.column, "section closed with the wrong name: {{/\(tag.name)}} closes no open section")
                }
                if top.name != tag.name {
                    return (tag.line, tag.column, "section closed with the wrong name: {{/\(tag.name)}} closes '\(top.name)', opened at \(top.line):\(top.column)")
                }
                open.removeLast()
            default:
                continue
            }
        }
        if let top = open.last {
            return (top.line, top.column, "section '\(top.name)' is never closed (no {{/\(top.name)}})")
        }
        return nil
    }
}
