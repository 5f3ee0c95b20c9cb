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

    /// The folder part of a path; empty at the top. Paths are split at their `/` bytes (also
    /// where a combining mark follows the slash).
    public static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(decoding: path.utf8[..<slash], as: UTF8.self)
    }

    /// The last part of a path.
    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(decoding: path.utf8[path.utf8.index(after: slash)...], as: UTF8.self)
    }

    /// Whether the scheme of an address is the web's: `http` or `https`, in any case.
    public static func isWebScheme<S: Collection<UInt8>>(_ scheme: S) -> Bool {
        (scheme.count == 4 || scheme.count == 5) && zip(scheme, "https".utf8).allSatisfy { Scan.lower($0) == $1 }
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
        var out: [UInt8] = []
        out.reserveCapacity(part.utf8.count)
        var lastDash = false
        forEachFolded(part) { scalar in
            let b = scalar.isASCII ? UInt8(scalar.value) : 0
            if (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 46 {
                out.append(b)
                lastDash = false
            } else if !lastDash {
                out.append(UInt8(ascii: "-"))
                lastDash = true
            }
        }
        // Never `-` or `.` at either end.
        var lo = 0, hi = out.count
        while lo < hi && (out[lo] == UInt8(ascii: "-") || out[lo] == UInt8(ascii: ".")) { lo += 1 }
        while hi > lo && (out[hi - 1] == UInt8(ascii: "-") || out[hi - 1] == UInt8(ascii: ".")) { hi -= 1 }
        return lo == hi ? "decision" : String(decoding: out[lo..<hi], as: UTF8.self)
    }

    /// Each scalar of `text` with accents dropped and full-width forms made plain (Foundation's
    /// diacritic- and width-insensitive folding), applied to each character that is not ASCII:
    /// an ASCII character is its own folding, and most names are ASCII. (A byte is taken as a
    /// character of its own only when the byte after it is ASCII too: a combining mark belongs
    /// to the letter before it.)
    private static func forEachFolded(_ text: String, _ body: (Unicode.Scalar) -> Void) {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 && (i + 1 == bytes.count || bytes[i + 1] < 0x80) {
                body(Unicode.Scalar(bytes[i]))
                i += 1
                continue
            }
            // The rest, from this character on, character by character.
            for character in String(decoding: bytes[i...], as: UTF8.self) {
                if let ascii = character.asciiValue, character.unicodeScalars.count == 1 {
                    body(Unicode.Scalar(ascii))
                } else {
                    let folded = String(character).folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
                    for scalar in folded.unicodeScalars { body(scalar) }
                }
            }
            return
        }
    }

    /// Resolves `.` and `..` and drops empty parts; nil if a relative path leaves the top (an
    /// absolute one stays at `/` with `allowAbove`).
    public static func normalize(_ path: String, allowAbove: Bool = false) -> String? {
        isNormal(path) ? path : resolveParts(path, allowAbove: allowAbove)
    }

    /// `normalize` the long way, every part looked at: the general path that `PathsTests`
    /// compares the shortcut with.
    static func resolveParts(_ path: String, allowAbove: Bool) -> String? {
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

    /// Whether `normalize` would give `path` back as it is: no empty, `.` or `..` part, no `/`
    /// at the end (most links: `0003-use-kafka.md`, `img/diagram.png`).
    private static func isNormal(_ path: String) -> Bool {
        var length = 0, dots = 0, first = true
        for b in path.utf8 {
            if b == UInt8(ascii: "/") {
                // A part that is empty (but for the leading `/` of an absolute path), `.` or `..`.
                if (length == 0 && !first) || (length == dots && dots <= 2 && length > 0) { return false }
                length = 0; dots = 0; first = false
                continue
            }
            length += 1
            if b == UInt8(ascii: ".") { dots += 1 }
        }
        return length > 0 && !(length == dots && dots <= 2)
    }

    /// `s.lowercased()`, without a copy when there is nothing to lower (most paths).
    public static func lowered(_ s: String) -> String {
        s.utf8.contains(where: { ($0 >= 65 && $0 <= 90) || $0 >= 0x80 }) ? s.lowercased() : s
    }

    /// `%XX` escapes decoded (the text as it is when it holds a broken one).
    public static func percentDecode(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
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
