import Foundation

/// Which files of the ADR directory may be copied into the site. A page, script or SVG with a
/// script from the log would run on the site's own address when opened, so those are left out
/// (with a warning) unless raw HTML is allowed with `--unsafe-html`.
public enum AssetPolicy {
    /// File types a browser runs as documents or scripts.
    static let activeExtensions: Set<String> = ["html", "htm", "xhtml", "xht", "xml", "xsl", "xslt", "js", "mjs", "svgz"]

    /// Why `path` must not be copied, or nil when it is safe (images, PDFs, clean SVGs, …).
    public static func problem(_ path: String, root: String) -> String? {
        let ext = (path as NSString).pathExtension.lowercased()
        if activeExtensions.contains(ext) { return "a .\(ext) file can run scripts in the site" }
        guard ext == "svg" else { return nil }
        guard let data = FileManager.default.contents(atPath: Paths.join(root, path)) else { return nil }
        return svgProblem(Array(data))
    }

    /// Scripts, event handlers, `javascript:` addresses and embedded documents in an SVG.
    ///
    /// The text is first read as a browser reads an address: character references decoded
    /// (`javascript&#58;` is `javascript:`), tabs and line breaks inside it ignored.
    static func svgProblem(_ bytes: [UInt8]) -> String? {
        let lower = normalized(bytes)
        for (needle, what) in [("<script", "a <script> element"), ("javascript:", "a javascript: address"),
                               ("<foreignobject", "embedded HTML (<foreignObject>)"), ("<iframe", "an <iframe>"),
                               ("<embed", "an <embed>"), ("<object", "an <object>"), ("data:text/html", "a data:text/html address")]
        where lower.containsSequence(needle.utf8) {
            return "it contains \(what)"
        }
        // Event handler attributes: whitespace, `on` + letters, optional spaces, `=` (read on
        // the text as written, where the whitespace before an attribute is still there).
        let raw = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        var i = 1
        while i + 3 < raw.count {
            let before = raw[i - 1]
            if (before == 0x20 || before == 0x09 || before == 0x0A || before == 0x0D || before == 0x2F)
                && raw[i] == UInt8(ascii: "o") && raw[i + 1] == UInt8(ascii: "n") {
                var j = i + 2
                while j < raw.count && raw[j] >= 97 && raw[j] <= 122 { j += 1 }
                if j > i + 2 {
                    while j < raw.count && (raw[j] == 0x20 || raw[j] == 0x09) { j += 1 }
                    if j < raw.count && raw[j] == UInt8(ascii: "=") { return "it contains an event handler attribute" }
                }
            }
            i += 1
        }
        return nil
    }

    /// Lowercased, with character references decoded and tabs, line breaks and NULs removed.
    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "&"), let (decoded, length) = characterReference(bytes, at: i) {
                if decoded < 0x80 {
                    let c = UInt8(decoded)
                    if c != 0x09 && c != 0x0A && c != 0x0D && c != 0 { out.append(c >= 65 && c <= 90 ? c + 32 : c) }
                } else {
                    out.append(0x80)   // non-ASCII: never part of a scheme
                }
                i += length
                continue
            }
            if b != 0x09 && b != 0x0A && b != 0x0D && b != 0 { out.append(b >= 65 && b <= 90 ? b + 32 : b) }
            i += 1
        }
        return out
    }

    /// `&#58;`, `&#x3A;`, `&colon;`, `&Tab;`, `&NewLine;`… at `i`: the character and the length.
    static func characterReference(_ b: [UInt8], at i: Int) -> (UInt32, Int)? {
        var j = i + 1
        if j < b.count && b[j] == UInt8(ascii: "#") {
            j += 1
            var hex = false
            if j < b.count && (b[j] | 0x20) == UInt8(ascii: "x") { hex = true; j += 1 }
            var value: UInt32 = 0
            let start = j
            while j < b.count, j - start < 8 {
                let c = b[j] | 0x20
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { value = value * (hex ? 16 : 10) + UInt32(c - 48) }
                else if hex && c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") { value = value * 16 + UInt32(c - 87) }
                else { break }
                j += 1
            }
            guard j > start else { return nil }
            if j < b.count && b[j] == UInt8(ascii: ";") { j += 1 }
            return (value, j - i)
        }
        let names: [(String, UInt32)] = [("colon;", 58), ("tab;", 9), ("newline;", 10), ("lpar;", 40), ("rpar;", 41),
                                         ("sol;", 47), ("period;", 46), ("lt;", 60), ("gt;", 62), ("quot;", 34),
                                         ("apos;", 39), ("amp;", 38), ("equals;", 61)]
        for (name, value) in names {
            let n = Array(name.utf8)
            if i + 1 + n.count <= b.count && zip(b[(i + 1)..<(i + 1 + n.count)], n).allSatisfy({ ($0 | 0x20) == $1 }) {
                return (value, 1 + n.count)
            }
        }
        return nil
    }

}
