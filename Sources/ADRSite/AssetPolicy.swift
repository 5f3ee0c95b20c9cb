import ADRCore
import Foundation

/// Which files of the ADR directory may be copied into the site. A page, script or SVG with a
/// script from the log would run on the site's own address when opened, so those are left out
/// (with a warning) unless raw HTML is allowed with `--unsafe-html`.
enum AssetPolicy {
    /// File types a browser runs as documents or scripts.
    static let activeExtensions: Set<String> = ["html", "htm", "xhtml", "xht", "xml", "xsl", "xslt", "js", "mjs", "svgz"]

    /// Why `path` must not be copied, or nil when it is safe (images, PDFs, clean SVGs, …).
    static func problem(_ path: String, root: String) -> String? {
        let ext = (path as NSString).pathExtension.lowercased()
        if activeExtensions.contains(ext) { return "a .\(ext) file can run scripts in the site" }
        guard ext == "svg" else { return nil }
        guard let data = FileManager.default.contents(atPath: joinPath(root, path)) else { return nil }
        return svgProblem(Array(data))
    }

    /// Scripts, event handlers, `javascript:` addresses and embedded documents in an SVG.
    static func svgProblem(_ bytes: [UInt8]) -> String? {
        let lower = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        func contains(_ needle: String) -> Bool {
            let n = Array(needle.utf8)
            guard n.count <= lower.count else { return false }
            var i = 0
            while i + n.count <= lower.count {
                if lower[i] == n[0] && Array(lower[i..<(i + n.count)]) == n { return true }
                i += 1
            }
            return false
        }
        for (needle, what) in [("<script", "a <script> element"), ("javascript:", "a javascript: address"),
                               ("<foreignobject", "embedded HTML (<foreignObject>)"), ("<iframe", "an <iframe>"),
                               ("<embed", "an <embed>"), ("<object", "an <object>"), ("data:text/html", "a data:text/html address")]
        where contains(needle) {
            return "it contains \(what)"
        }
        // Event handler attributes: whitespace, `on` + letters, optional spaces, `=`.
        var i = 1
        while i + 3 < lower.count {
            let before = lower[i - 1]
            if (before == 0x20 || before == 0x09 || before == 0x0A || before == 0x0D || before == 0x2F)
                && lower[i] == UInt8(ascii: "o") && lower[i + 1] == UInt8(ascii: "n") {
                var j = i + 2
                while j < lower.count && lower[j] >= 97 && lower[j] <= 122 { j += 1 }
                if j > i + 2 {
                    while j < lower.count && (lower[j] == 0x20 || lower[j] == 0x09) { j += 1 }
                    if j < lower.count && lower[j] == UInt8(ascii: "=") { return "it contains an event handler attribute" }
                }
            }
            i += 1
        }
        return nil
    }
}
