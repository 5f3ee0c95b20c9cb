import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths inside an ADR directory: relative, `/`-separated. One helper for the whole package.
public enum Paths {
    /// `a` and `b` joined by one `/`.
    public static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    /// The folder part of a path; empty at the top.
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last part of a path.
    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Whether a file name ends in one of the Markdown extensions, in any case.
    public static func isMarkdown(_ name: String) -> Bool { markdownExtensionLength(name) != nil }

    /// A file name without its Markdown extension (other names as they are).
    public static func stripExtension(_ name: String) -> String {
        guard let length = markdownExtensionLength(name) else { return name }
        return String(name.utf8.dropLast(length + 1)) ?? name
    }

    private static func markdownExtensionLength(_ name: String) -> Int? {
        for ext in Conventions.markdownExtensions where name.utf8.count > ext.utf8.count {
            let tail = name.utf8.suffix(ext.utf8.count + 1)
            if tail.first == UInt8(ascii: "."), zip(tail.dropFirst(), ext.utf8).allSatisfy({ Scan.lower($0) == $1 }) {
                return ext.utf8.count
            }
        }
        return nil
    }

    /// Whether a file name is a folder's index (`README.md`, `index.md`, `_index.markdown`).
    public static func isFolderIndex(_ name: String) -> Bool {
        isMarkdown(name) && Conventions.folderIndexStems.contains(stripExtension(name).lowercased())
    }

    /// The path of the decision a Markdown file stands for: without its extension, and the
    /// folder for a folder's index (`slug/README.md` → `slug`).
    public static func decisionPath(_ source: String) -> String {
        let parent = parent(source), name = lastComponent(source)
        if !parent.isEmpty && isFolderIndex(name) { return parent }
        return join(parent, stripExtension(name))
    }

    /// The id of a decision: its `decisionPath`, each part reduced to letters, digits, `-`, `_`
    /// and `.`.
    public static func id(_ source: String) -> String {
        decisionPath(source).split(separator: "/").map { idPart(String($0)) }.joined(separator: "/")
    }

    /// One part of a path, reduced to letters, digits, `-`, `_` and `.`; accents are dropped and
    /// everything else becomes one `-`; never `-` or `.` at the ends.
    static func idPart(_ part: String) -> String {
        var out = ""
        var lastDash = false
        for scalar in folded(part) {
            let ok = (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 65 && scalar.value <= 90)
                || (scalar.value >= 97 && scalar.value <= 122) || scalar == "_" || scalar == "." || scalar == "-"
            if ok && scalar != "-" {
                out.unicodeScalars.append(scalar)
                lastDash = false
            } else if !lastDash {
                out.append("-")
                lastDash = true
            }
        }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return trimmed.isEmpty ? "decision" : trimmed
    }

    /// The scalars of `text` with accents dropped and full-width forms made plain (Foundation's
    /// diacritic- and width-insensitive folding), applied to each character that is not ASCII:
    /// an ASCII character is its own folding, and most names are ASCII.
    private static func folded(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if let ascii = character.asciiValue, character.unicodeScalars.count == 1 {
                out.append(Unicode.Scalar(ascii))
            } else {
                out += String(character).folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil).unicodeScalars
            }
        }
        return out
    }

    /// Resolves `.` and `..` and drops empty parts; nil if a relative path leaves the top (an
    /// absolute one stays at `/` with `allowAbove`).
    public static func normalize(_ path: String, allowAbove: Bool = false) -> String? {
        var out: [Substring] = []
        let absolute = path.hasPrefix("/")
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if out.isEmpty { if allowAbove && absolute { continue } else { return nil } }
                out.removeLast()
                continue
            }
            out.append(part)
        }
        return (absolute ? "/" : "") + out.joined(separator: "/")
    }

    /// `%XX` escapes decoded (the text as it is when it holds a broken one).
    public static func percentDecode(_ s: String) -> String {
        guard s.contains("%") else { return s }
        return s.removingPercentEncoding ?? s
    }

    /// The path with every symbolic link resolved, or nil when it does not exist.
    package static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` (a real path) is `root` or inside it.
    package static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}

/// The name of a directory entry, in place: a C string that lives until the next `readdir`.
/// (A dirent is only as long as its name, `d_reclen`: copying the 256-byte `d_name` field reads
/// past the end of the last entry of readdir's buffer.)
package func direntName(_ entry: UnsafeMutablePointer<dirent>) -> UnsafePointer<CChar> {
    UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
        .assumingMemoryBound(to: CChar.self)
}

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }
