import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Finds what a browser would execute in a file of the site: it reads HTML the way the HTML
/// tokenizer does (tags, attributes quoted or not, comments, raw-text elements such as `<script>`
/// and `<title>`), and SVG and XML with an XML parser, and reports every element, attribute or
/// address that could run code. Each finding is one line: `file: what`.
enum MarkupScanner {
    struct Tag {
        var name: String
        var isEnd: Bool
        /// Name, value as written (nil without `=`), and value with character references decoded.
        var attributes: [(name: String, raw: String?, value: String)]
        /// Text up to the closing tag of a raw-text or escapable raw-text element (`script`, `title`…).
        var content: String?
        var line: Int
    }

    /// Elements the default theme and the Markdown renderer produce; anything else came from input.
    static let htmlElements: Set<String> = [
        "html", "head", "meta", "title", "link", "script", "body", "header", "nav", "div", "label", "input",
        "ul", "ol", "li", "main", "article", "section", "aside", "footer", "p", "span", "a", "h1", "h2", "h3",
        "h4", "h5", "h6", "dl", "dt", "dd", "time", "strong", "em", "code", "pre", "img", "table", "thead",
        "tbody", "tr", "th", "td", "caption", "blockquote", "hr", "br", "mark", "b", "i", "del",
        "details", "summary", "kbd", "button",
    ]
    static let htmlAttributes: Set<String> = [
        "lang", "charset", "name", "content", "rel", "href", "src", "type", "title", "defer", "class", "id",
        "hidden", "for", "placeholder", "autocomplete", "role", "alt", "datetime", "scope", "value", "start",
        "align", "colspan", "rowspan", "open", "spellcheck",
    ]
    static let urlAttributes: Set<String> = [
        "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "cite",
        "longdesc", "ping", "manifest", "codebase", "lowsrc", "dynsrc", "srcdoc",
    ]
    static let rawTextElements: Set<String> = ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"]

    // MARK: - HTML

    static func tags(inHTML text: String) -> [Tag] {
        let b = Array(text.utf8)
        var tags: [Tag] = []
        var i = 0
        var line = 1
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }
        func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        func lower(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self).lowercased() }
        func starts(_ s: String, at j: Int, caseInsensitive: Bool = false) -> Bool {
            let p = Array(s.utf8)
            guard j + p.count <= b.count else { return false }
            for k in 0..<p.count {
                let x = caseInsensitive ? (b[j + k] | 0x20) : b[j + k]
                let y = caseInsensitive ? (p[k] | 0x20) : p[k]
                if x != y { return false }
            }
            return true
        }
        func advance(to j: Int) {
            while i < j && i < b.count { if b[i] == 0x0A { line += 1 }; i += 1 }
        }
        func find(_ s: String, from j: Int) -> Int? {
            var k = j
            while k < b.count { if starts(s, at: k) { return k }; k += 1 }
            return nil
        }

        while i < b.count {
            guard b[i] == UInt8(ascii: "<") else { advance(to: i + 1); continue }
            let tagLine = line
            if starts("<!--", at: i) {
                var j = i + 4
                if j < b.count && b[j] == UInt8(ascii: ">") { advance(to: j + 1); continue }
                if starts("->", at: j) { advance(to: j + 2); continue }
                while j < b.count && !starts("-->", at: j) && !starts("--!>", at: j) { j += 1 }
                advance(to: j >= b.count ? b.count : j + (starts("-->", at: j) ? 3 : 4))
                continue
            }
            if starts("<!", at: i) || starts("<?", at: i) || (starts("</", at: i) && i + 2 < b.count && !isAlpha(b[i + 2])) {
                advance(to: (find(">", from: i) ?? b.count - 1) + 1)
                continue
            }
            let isEnd = starts("</", at: i)
            let nameStart = i + (isEnd ? 2 : 1)
            guard nameStart < b.count, isAlpha(b[nameStart]) else { advance(to: i + 1); continue }
            var j = nameStart
            while j < b.count && !isSpace(b[j]) && b[j] != UInt8(ascii: "/") && b[j] != UInt8(ascii: ">") { j += 1 }
            var tag = Tag(name: lower(b[nameStart..<j]), isEnd: isEnd, attributes: [], content: nil, line: tagLine)
            // Attributes, as the tokenizer's attribute states read them.
            while j < b.count {
                while j < b.count && (isSpace(b[j]) || b[j] == UInt8(ascii: "/")) { j += 1 }
                if j >= b.count || b[j] == UInt8(ascii: ">") { break }
                let attributeStart = j
                j += 1   // the first character may be `=`
                while j < b.count && !isSpace(b[j]) && b[j] != UInt8(ascii: "/") && b[j] != UInt8(ascii: ">") && b[j] != UInt8(ascii: "=") { j += 1 }
                let name = lower(b[attributeStart..<j])
                var k = j
                while k < b.count && isSpace(b[k]) { k += 1 }
                var raw: String?
                if k < b.count && b[k] == UInt8(ascii: "=") {
                    k += 1
                    while k < b.count && isSpace(b[k]) { k += 1 }
                    if k < b.count && (b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'")) {
                        let quote = b[k]
                        var e = k + 1
                        while e < b.count && b[e] != quote { e += 1 }
                        raw = String(decoding: b[(k + 1)..<min(e, b.count)], as: UTF8.self)
                        j = min(e + 1, b.count)
                    } else {
                        var e = k
                        while e < b.count && !isSpace(b[e]) && b[e] != UInt8(ascii: ">") { e += 1 }
                        raw = String(decoding: b[k..<e], as: UTF8.self)
                        j = e
                    }
                }
                tag.attributes.append((name, raw, decodeReferences(raw ?? "")))
            }
            advance(to: min(j + 1, b.count))
            if !isEnd && rawTextElements.contains(tag.name) {
                // Everything up to `</name` followed by a space, `/` or `>` is text.
                var e = i
                while e < b.count {
                    if starts("</" + tag.name, at: e, caseInsensitive: true) {
                        let after = e + 2 + tag.name.utf8.count
                        if after >= b.count || isSpace(b[after]) || b[after] == UInt8(ascii: "/") || b[after] == UInt8(ascii: ">") { break }
                    }
                    e += 1
                }
                tag.content = String(decoding: b[i..<e], as: UTF8.self)
                advance(to: e)
            }
            tags.append(tag)
        }
        return tags
    }

    /// Character references as a browser decodes them in attribute values (the few named ones
    /// that matter for addresses, and every numeric one).
    static func decodeReferences(_ s: String) -> String {
        let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "colon": ":", "tab": "\t", "newline": "\n",
            "lpar": "(", "rpar": ")", "sol": "/", "period": ".", "comma": ",", "num": "#", "percnt": "%",
        ]
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[rest.index(after: amp)...]
            if rest.first == "#" {
                var digits = rest.dropFirst()
                let hex = digits.first == "x" || digits.first == "X"
                if hex { digits = digits.dropFirst() }
                let number = digits.prefix { hex ? $0.isHexDigit : $0.isASCII && $0.isNumber }
                if !number.isEmpty, let code = UInt32(number, radix: hex ? 16 : 10), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                    rest = digits[number.endIndex...]
                    if rest.first == ";" { rest = rest.dropFirst() }
                    continue
                }
                out += "&"
                continue
            }
            let name = rest.prefix { $0.isLetter || $0.isNumber }
            if let value = named[name.lowercased()] {
                out += value
                rest = rest[name.endIndex...]
                if rest.first == ";" { rest = rest.dropFirst() }
            } else {
                out += "&"
            }
        }
        return out + rest
    }

    /// An address as a browser reads its scheme: references decoded, tabs and line breaks removed,
    /// leading spaces and control characters trimmed, lower-cased.
    static func normalizedAddress(_ value: String) -> String {
        var s = value.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }.map(String.init).joined()
        while let first = s.unicodeScalars.first, first.value <= 0x20 { s.removeFirst() }
        return s.lowercased()
    }

    /// The scheme of a script address, read as the URL parser reads one (an ASCII letter, then
    /// letters, digits, `+`, `-` or `.`, up to the first `:`): `x/javascript:…` and
    /// `https://host/javascript:….md` are not scripts, `JaVa\tScRiPt:` is.
    static func dangerousAddress(_ value: String) -> String? {
        let address = normalizedAddress(value)
        guard let colon = address.firstIndex(of: ":") else { return nil }
        let scheme = address[..<colon]
        guard let first = scheme.unicodeScalars.first, ("a"..."z").contains(first),
              scheme.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        let rest = address[address.index(after: colon)...]
        switch scheme {
        case "javascript", "vbscript": return scheme + ":"
        case "data":
            for type in ["text", "application", "image/svg"] where rest.hasPrefix(type) { return "data:" + type }
            return nil
        default: return nil
        }
    }

    /// The script the theme's templates/not-found.mustache writes into 404.html, as written there.
    static let notFoundScript: String = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates/not-found.mustache")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        guard let start = text.range(of: "<script>"), let end = text.range(of: "</script>", range: start.upperBound..<text.endIndex) else {
            return "no script in not-found.mustache"
        }
        return String(text[start.upperBound..<end.lowerBound])
    }()

    /// What in an HTML page could run code or did not come from the theme.
    static func findings(inHTML text: String, file: String, baseURL: String? = nil) -> [String] {
        var out: [String] = []
        var themeScripts = 0
        for tag in tags(inHTML: text) where !tag.isEnd {
            let place = "\(file):\(tag.line)"
            if tag.name == "script" {
                let src = tag.attributes.first { $0.name == "src" }?.value ?? ""
                // Relative, or under the site's address on 404.html (which is served at any path).
                let isTheme = (src.range(of: #"^(\.\./)*assets/site\.js$"#, options: .regularExpression) != nil
                               || baseURL.map { src == $0 + "assets/site.js" } == true)
                    && tag.attributes.count == 2 && tag.attributes.contains { $0.name == "defer" }
                    && (tag.content ?? "").isEmpty
                // 404.html finds the site's root with the script written in the theme's not-found.mustache.
                let isNotFoundScript = file.hasSuffix("404.html") && tag.attributes.isEmpty
                    && tag.content == notFoundScript
                if isNotFoundScript { continue }
                if isTheme { themeScripts += 1 } else {
                    out.append("\(place): <script> element that is not the theme's: \(tag.attributes.map(\.name)) \((tag.content ?? "").prefix(60))")
                }
            } else if !htmlElements.contains(tag.name) {
                out.append("\(place): element <\(tag.name)> that neither the theme nor Markdown makes")
            }
            for attribute in tag.attributes {
                if attribute.name.hasPrefix("on") {
                    out.append("\(place): event handler attribute \(attribute.name)=\"\(attribute.value)\" on <\(tag.name)>")
                } else if !htmlAttributes.contains(attribute.name) && !attribute.name.hasPrefix("aria-") && !attribute.name.hasPrefix("data-") {
                    out.append("\(place): attribute \(attribute.name) on <\(tag.name)> that neither the theme nor Markdown makes")
                }
                if urlAttributes.contains(attribute.name), let scheme = dangerousAddress(attribute.value) {
                    out.append("\(place): \(scheme) address in \(attribute.name) of <\(tag.name)>: \(attribute.value)")
                }
                if attribute.raw?.contains("<") == true {
                    out.append("\(place): unescaped < in attribute \(attribute.name) of <\(tag.name)>: \(attribute.raw!)")
                }
            }
            if tag.name == "meta" && tag.attributes.contains(where: { $0.name == "http-equiv" }) {
                out.append("\(place): <meta http-equiv>")
            }
        }
        if themeScripts > 1 { out.append("\(file): the theme's script appears \(themeScripts) times") }
        return out
    }

    // MARK: - XML and SVG

    #if canImport(FoundationXML) || canImport(Darwin)
    final class XMLCollector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], line: Int)] = []
        var errors: [String] = []
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            errors.append("\(parseError) at line \(parser.lineNumber)")
        }
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append((elementName, attributeDict, parser.lineNumber))
        }
    }
    #endif

    static let svgElements: Set<String> = ["svg", "title", "clipPath", "rect", "g", "text"]
    static let feedElements: Set<String> = ["feed", "title", "id", "updated", "link", "generator", "author", "name", "entry", "category", "summary",
                                            "urlset", "url", "loc"]

    /// What in an SVG or XML file could run code: it must be well-formed (so no `<` from input
    /// got into an attribute or element unescaped), with only the elements the theme's template
    /// makes and no event handlers or script addresses.
    static func findings(inXML data: [UInt8], file: String, allowed: Set<String>) -> [String] {
        let parser = XMLParser(data: Data(data))
        let collector = XMLCollector()
        parser.delegate = collector
        var out: [String] = []
        // On Linux, parse() can return true after a well-formedness error; the errors tell.
        if !parser.parse() || parser.parserError != nil || !collector.errors.isEmpty {
            out.append("\(file): not well-formed XML: \(collector.errors.first ?? parser.parserError.map { "\($0)" } ?? "?")")
        }
        for element in collector.elements {
            let place = "\(file):\(element.line)"
            if !allowed.contains(element.name) {
                out.append("\(place): element <\(element.name)> that the theme does not make")
            }
            for (name, value) in element.attributes.sorted(by: { $0.key < $1.key }) {
                if name.lowercased().hasPrefix("on") { out.append("\(place): event handler attribute \(name) on <\(element.name)>") }
                if (name == "href" || name.hasSuffix(":href") || name == "src"), let scheme = dangerousAddress(value) {
                    out.append("\(place): \(scheme) address in \(name) of <\(element.name)>")
                }
            }
        }
        return out
    }

    /// Findings for any file of a site, by its extension.
    static func findings(inFile path: String, bytes: [UInt8], baseURL: String? = nil) -> [String] {
        let lower = path.lowercased()
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") {
            return findings(inHTML: String(decoding: bytes, as: UTF8.self), file: path, baseURL: baseURL)
        }
        if lower.hasSuffix(".svg") { return findings(inXML: bytes, file: path, allowed: svgElements) }
        if lower.hasSuffix(".xml") { return findings(inXML: bytes, file: path, allowed: feedElements) }
        if lower.hasSuffix(".json") || lower.hasSuffix(".js") {
            var out: [String] = []
            let text = String(decoding: bytes, as: UTF8.self)
            // The theme's scripts are code; everything else is data.
            if !lower.hasSuffix("site.js") && !lower.hasSuffix("assets/search.js") {
                // Data that is also safe inside an inline <script>: no `<` (so no `</script` or
                // `<!--`) and no line or paragraph separator.
                if text.contains("<") { out.append("\(path): unescaped < in JSON data") }
                if text.unicodeScalars.contains(where: { $0 == "\u{2028}" || $0 == "\u{2029}" }) {
                    out.append("\(path): unescaped U+2028/U+2029 in JSON data")
                }
            }
            return out
        }
        return []
    }
}
