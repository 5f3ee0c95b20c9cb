/// HTML normalised for comparison as cmark-gfm's `test/normalize.py` does (our own code, written
/// from its documented behaviour): runs of whitespace outside `<pre>` become one space,
/// whitespace around block-level tags goes, self-closing tags become open tags, tag and
/// attribute names are lowercased and attributes sorted, attribute values re-escaped, and
/// numeric character references decoded except `<`, `>`, `&` and `"`.
enum HTMLNormalizer {
    static let blockTags: Set<String> = [
        "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map", "button",
        "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd", "progress", "div",
        "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea", "fieldset", "tfoot", "figcaption",
        "th", "figure", "thead", "footer", "tr", "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video",
        "script", "style",
    ]

    private enum Last { case startTag, endTag, data, other }

    static func normalize(_ html: String) -> String {
        var out = ""
        var last = Last.startTag
        var lastTag = ""
        var inPre = false
        let s = Array(html.unicodeScalars)
        var i = 0
        func rstripOutput() {
            while let c = out.unicodeScalars.last, isSpace(c) { out.unicodeScalars.removeLast() }
        }
        while i < s.count {
            if s[i] == "<", let close = s[i...].firstIndex(of: ">") {
                let inner = String(String.UnicodeScalarView(s[(i + 1)..<close]))
                i = close + 1
                if inner.hasPrefix("!--") && inner.hasSuffix("--") && inner.count >= 4 {
                    out += "<" + inner + ">"
                    last = .other
                } else if inner.hasPrefix("!") || inner.hasPrefix("?") {
                    out += "<" + inner + ">"
                    last = .other
                } else if inner.hasPrefix("/") {
                    let name = String(inner.dropFirst()).trimmingCharacters(in: .whitespaces).lowercased()
                    if name == "pre" { inPre = false } else if blockTags.contains(name) { rstripOutput() }
                    out += "</" + name + ">"
                    lastTag = name
                    last = .endTag
                } else if let (name, attributes, selfClosing) = parseTag(inner) {
                    if name == "pre" { inPre = true }
                    if blockTags.contains(name) { rstripOutput() }
                    out += "<" + name
                    for (k, v) in attributes.sorted(by: { ($0.0, $0.1 ?? "") < ($1.0, $1.1 ?? "") }) {
                        out += " " + k
                        if let v { out += "=\"" + escapeAttribute(v) + "\"" }
                    }
                    out += ">"
                    lastTag = name
                    last = selfClosing ? .endTag : .startTag
                } else {
                    out += handleData("<" + inner + ">", last: last, lastTag: lastTag, inPre: inPre)
                    last = .data
                }
                continue
            }
            var j = i + 1
            while j < s.count && s[j] != "<" { j += 1 }
            let data = decodeReferences(String(String.UnicodeScalarView(s[i..<j])))
            i = j
            out += handleData(data, last: last, lastTag: lastTag, inPre: inPre)
            last = .data
        }
        return out
    }

    private static func handleData(_ text: String, last: Last, lastTag: String, inPre: Bool) -> String {
        var data = text
        let afterTag = last == .endTag || last == .startTag
        let afterBlockTag = afterTag && blockTags.contains(lastTag)
        if afterTag && lastTag == "br" { data = String(data.drop { $0 == "\n" }) }
        if !inPre { data = collapse(data) }
        if afterBlockTag && !inPre {
            if last == .startTag { data = String(String.UnicodeScalarView(data.unicodeScalars.drop(while: isSpace))) }
            else { data = strip(data) }
        }
        return data
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (c.value >= 0x1C && c.value <= 0x1F)
    }

    private static func collapse(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var inSpace = false
        for c in s.unicodeScalars {
            if isSpace(c) {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(c)
                inSpace = false
            }
        }
        return String(out)
    }

    private static func strip(_ s: String) -> String {
        var v = Array(s.unicodeScalars)
        while let c = v.last, isSpace(c) { v.removeLast() }
        return String(String.UnicodeScalarView(v.drop(while: isSpace)))
    }

    /// `name`, attributes and whether it ends in `/`, of a start tag's inside; nil if it is not one.
    private static func parseTag(_ inner: String) -> (String, [(String, String?)], Bool)? {
        var s = Substring(inner)
        let selfClosing = s.hasSuffix("/")
        if selfClosing { s = s.dropLast() }
        let name = s.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        guard let first = name.first, first.isLetter else { return nil }
        s = s.dropFirst(name.count)
        var attributes: [(String, String?)] = []
        while true {
            s = s.drop { $0.isWhitespace }
            guard !s.isEmpty else { break }
            let key = s.prefix { !$0.isWhitespace && $0 != "=" }
            guard !key.isEmpty else { return nil }
            s = s.dropFirst(key.count).drop { $0.isWhitespace }
            var value: String?
            if s.first == "=" {
                s = s.dropFirst().drop { $0.isWhitespace }
                if let q = s.first, q == "\"" || q == "'" {
                    let body = s.dropFirst().prefix { $0 != q }
                    value = String(body)
                    s = s.dropFirst(body.count + 2)
                } else {
                    let body = s.prefix { !$0.isWhitespace }
                    value = String(body)
                    s = s.dropFirst(body.count)
                }
            }
            attributes.append((key.lowercased(), value.map(decodeAll)))
        }
        return (name.lowercased(), attributes, selfClosing)
    }

    private static func escapeAttribute(_ v: String) -> String {
        var out = ""
        for c in v {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Numeric references decoded, except those for `<`, `>`, `&` and `"`; named ones as
    /// written but for the four that stand for those characters.
    private static func decodeReferences(_ s: String) -> String {
        references(s) { c in
            switch c {
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "&": return "&amp;"
            case "\"": return "&quot;"
            default: return String(c)
            }
        }
    }

    private static func decodeAll(_ s: String) -> String { references(s) { String($0) } }

    private static func references(_ s: String, _ write: (Character) -> String) -> String {
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.prefix(34).firstIndex(of: ";") else { out += "&"; rest = rest.dropFirst(); continue }
            let body = rest[rest.index(after: rest.startIndex)..<semi]
            var scalar: Unicode.Scalar?
            if body.hasPrefix("#x") || body.hasPrefix("#X") { scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
            else if body.hasPrefix("#") { scalar = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init) }
            else { scalar = ["lt": "<", "gt": ">", "amp": "&", "quot": "\""][String(body)] }
            if let scalar {
                out += write(Character(scalar))
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }
}
