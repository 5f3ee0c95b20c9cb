import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Which files of the ADR directory may be copied into the site. A page, script or SVG with a
/// script from the log would run on the site's own address when opened, so only passive file
/// types are copied (`FileRules.passiveTypeProblem`), and an SVG only when it parses as XML and
/// holds nothing that runs or loads anything (`svgProblem`). The rest is left out, with a
/// warning, unless raw HTML is allowed with `--unsafe-html`.
public enum AssetPolicy {
    /// Why the file at `path` (relative to the ADR directory) with content `bytes` must not be
    /// copied, or nil when it may. `bytes` are looked at for SVG files only.
    public static func problem(path: String, bytes: [UInt8]) -> String? {
        if let problem = FileRules.passiveTypeProblem(path) { return problem }
        guard path.lowercased().hasSuffix(".svg") else { return nil }
        return svgProblem(bytes)
    }

    /// `problem(path:bytes:)` for a file of the ADR directory `root`, read by `FileRules`.
    public static func problem(_ path: String, root: String) -> String? {
        if let problem = FileRules.passiveTypeProblem(path) { return problem }
        guard path.lowercased().hasSuffix(".svg") else { return nil }
        switch FileRules.read(path, in: FileRules.Tree(root, name: "the ADR directory"), limit: FileRules.attachmentLimit) {
        case .success(let file): return svgProblem(file.bytes)
        case .failure(let problem): return problem.message
        }
    }

    /// Why an SVG file could run a script or load something from elsewhere when opened, or nil
    /// when it cannot. The file is parsed as XML (ill-formed XML is refused: a browser would
    /// read it otherwise than this check does) and refused for:
    /// - a DOCTYPE or ENTITY declaration, a processing instruction (`<?xml-stylesheet?>`), an
    ///   encoding other than UTF-8;
    /// - an element named `script`, `handler`, `foreignObject`, `iframe`, `embed` or `object`
    ///   under any prefix, or any element in the XHTML namespace;
    /// - an attribute named `on…` (event handler) under any prefix, `xml:base`, an animation of
    ///   `href` or of an event handler;
    /// - a `javascript:` address anywhere in an attribute (entities decoded, whitespace and
    ///   control characters ignored, as a browser reads it);
    /// - an `href` that leaves the file (`<use>` of another file; any address with a scheme or
    ///   a host, except `data:` images in `<image>`), and the same in CSS `url(…)` and
    ///   `@import`; CSS escapes, which could spell either.
    public static func svgProblem(_ bytes: [UInt8]) -> String? {
        if let problem = prologProblem(bytes) { return problem }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let checker = SVGChecker()
        parser.delegate = checker
        let finished = parser.parse()
        if let problem = checker.problem { return problem }
        // FoundationXML on Linux lets libxml2 recover from some errors and still returns true:
        // every reported error counts.
        guard finished, checker.errors == 0, parser.parserError == nil, checker.elements > 0 else {
            return "it is not well-formed XML (line \(parser.lineNumber))"
        }
        return nil
    }

    /// What a byte scan can refuse before parsing: declarations the parser would act on, and
    /// encodings in which that scan could not see them.
    static func prologProblem(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.contains(0) {
            return "it is not encoded in UTF-8"
        }
        let lower = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if lower.containsSequence("<!doctype".utf8) { return "it has a DOCTYPE declaration (remove the <!DOCTYPE …> line)" }
        if lower.containsSequence("<!entity".utf8) { return "it declares an entity" }
        // `<?xml version="1.0" encoding="…"?>`: only UTF-8 (and its subset ASCII).
        if lower.starts(with: "<?xml".utf8) || lower.starts(with: [0xEF, 0xBB, 0xBF] + Array("<?xml".utf8)),
           let end = lower.firstRange(of: Array("?>".utf8)) {
            let declaration = String(decoding: lower[..<end.lowerBound], as: UTF8.self)
            if let range = declaration.range(of: "encoding") {
                let value = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" || $0 == "\t" }
                    .prefix { $0 != "\"" && $0 != "'" }
                if value != "utf-8" && value != "utf8" && value != "us-ascii" && value != "ascii" {
                    return "it is not encoded in UTF-8 (encoding=\"\(value)\")"
                }
            }
        }
        return nil
    }

    /// The element, attribute and text checks of `svgProblem`, as the parser reports them.
    private final class SVGChecker: NSObject, XMLParserDelegate {
        var problem: String?
        var errors = 0
        var elements = 0
        /// Depth of `<style>` elements open, whose text is CSS.
        var inStyle = 0

        static let forbiddenElements: Set<String> = ["script", "handler", "foreignobject", "iframe", "embed", "object"]
        static let xhtml = "http://www.w3.org/1999/xhtml"

        func fail(_ parser: XMLParser, _ message: String) {
            if problem == nil { problem = message }
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            elements += 1
            let local = AssetPolicy.localName(elementName).lowercased()
            if Self.forbiddenElements.contains(local) { return fail(parser, "it contains a <\(qName ?? elementName)> element") }
            if namespaceURI == Self.xhtml { return fail(parser, "it contains an XHTML element <\(qName ?? elementName)>") }
            if local == "style" { inStyle += 1 }
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                if let problem = AssetPolicy.attributeProblem(element: local, name: name, value: value) {
                    return fail(parser, problem)
                }
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if AssetPolicy.localName(elementName).lowercased() == "style" { inStyle -= 1 }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inStyle > 0, let problem = AssetPolicy.cssProblem(string) { fail(parser, problem) }
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            if inStyle > 0, let problem = AssetPolicy.cssProblem(String(decoding: block, as: UTF8.self)) { fail(parser, problem) }
        }

        func parser(_ parser: XMLParser, foundProcessingInstructionWithTarget target: String, data: String?) {
            fail(parser, "it contains a processing instruction <?\(target)?>")
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { errors += 1 }
        func parser(_ parser: XMLParser, validationErrorOccurred validationError: Error) { errors += 1 }
    }

    /// `svg:script` → `script`.
    static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// Why an attribute of an element (local name, lowercased) is refused, or nil.
    static func attributeProblem(element: String, name: String, value: String) -> String? {
        let local = localName(name).lowercased()
        if local.hasPrefix("on") { return "it contains an event handler attribute (\(name))" }
        if name.lowercased() == "xml:base" || local == "base" && name.contains(":") { return "it sets xml:base" }
        let address = urlForm(value)
        if address.contains("javascript:") || address.contains("vbscript:") { return "it contains a javascript: address" }
        if local == "attributename" {
            let target = localName(value.trimmingCharacters(in: .whitespacesAndNewlines)).lowercased()
            if target == "href" || target.hasPrefix("on") { return "it animates the attribute \(value)" }
        }
        if local == "href" || local == "src" {
            if element == "use" && !address.hasPrefix("#") { return "a <use> element refers to another file (\(value))" }
            if let problem = addressProblem(address, element: element, original: value) { return problem }
        }
        if local == "style", let problem = cssProblem(value) { return problem }
        if address.contains("url(") { return cssProblem(value) }
        return nil
    }

    /// Why an address leaves the file, or nil for `#id` and relative paths (and `data:` images
    /// in `<image>`).
    static func addressProblem(_ address: String, element: String, original: String) -> String? {
        if address.isEmpty || address.hasPrefix("#") { return nil }
        if address.hasPrefix("//") { return "it refers to another host (\(original))" }
        // A scheme: letters, digits, `+`, `-`, `.` before the first `:`, ahead of any `/`, `?`, `#`.
        if let colon = address.firstIndex(of: ":"),
           !address[..<colon].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            let scheme = address[..<colon]
            if scheme == "data" && element == "image" {
                for type in ["image/png", "image/jpeg", "image/gif", "image/webp"] where address.hasPrefix("data:\(type)") {
                    return nil
                }
            }
            return "it refers to an address outside the file (\(original.prefix(80)))"
        }
        return nil
    }

    /// Why CSS (a `style` attribute or element) could load something from elsewhere, or nil.
    static func cssProblem(_ css: String) -> String? {
        if css.contains("\\") { return "its CSS contains escapes" }
        let lower = css.lowercased()
        if lower.contains("@import") { return "its CSS imports another file" }
        if lower.contains("javascript:") || lower.contains("expression(") { return "its CSS contains a script" }
        var rest = Substring(lower)
        while let found = rest.range(of: "url(") {
            var target = rest[found.upperBound...].prefix { $0 != ")" }
            target = target.drop { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\t" || $0 == "\n" }
            let address = urlForm(String(target))
            if address.hasPrefix("//") || (address.contains(":") && !address.hasPrefix("#")) {
                if !address.hasPrefix("data:image/png") && !address.hasPrefix("data:image/jpeg") {
                    return "its CSS refers to an address outside the file"
                }
            }
            rest = rest[found.upperBound...]
        }
        return nil
    }

    /// An address as a browser reads it: lowercased, without whitespace and control characters.
    /// (The XML parser has already decoded character references.)
    static func urlForm(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })).lowercased()
    }
}
