/// XML 1.0 cannot carry most C0 control characters, not even as character references
/// (`&#1;` is ill-formed too), nor U+FFFE and U+FFFF. A title with one of them would make the
/// feed, the sitemap or a badge unreadable for every XML parser; they are dropped from every
/// XML file the site generates.
public enum XMLText {
    /// `bytes` (UTF-8) without the characters XML 1.0 forbids: U+0000–U+001F except tab, line
    /// feed and carriage return, and U+FFFE, U+FFFF. Everything else is kept byte for byte.
    public static func clean(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = firstForbidden(bytes, from: 0) else { return bytes }
        var out = Array(bytes[..<first])
        out.reserveCapacity(bytes.count)
        var i = first
        while i < bytes.count {
            let next = firstForbidden(bytes, from: i) ?? bytes.count
            out.append(contentsOf: bytes[i..<next])
            guard next < bytes.count else { break }
            i = next + (bytes[next] == 0xEF ? 3 : 1)
        }
        return out
    }

    /// Where the next forbidden character starts, at or after `start`.
    static func firstForbidden(_ b: [UInt8], from start: Int) -> Int? {
        var i = start
        while i < b.count {
            let c = b[i]
            if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { return i }
            // U+FFFE and U+FFFF: EF BF BE and EF BF BF.
            if c == 0xEF && i + 2 < b.count && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF) { return i }
            i += 1
        }
        return nil
    }
}
