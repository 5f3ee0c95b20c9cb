import ADRCore

/// URLs inside the site: every one is relative, so the site works from file://, at a domain
/// root and under a sub-path alike.
enum SitePath {
    /// `../` once per folder the page is in: the way from a page back to the site root.
    static func root(of page: String) -> String {
        String(repeating: "../", count: page.split(separator: "/").count - 1)
    }

    static func directory(of page: String) -> String {
        guard let slash = page.lastIndex(of: "/") else { return "" }
        return String(page[..<slash])
    }

    /// Percent-encodes each path component (spaces, `#`, `?`, `%`, quotes, non-ASCII), keeping `/`.
    static func encode(_ path: String) -> String {
        // Ids are made of safe characters already; only file names of attachments need work.
        if path.utf8.allSatisfy({ urlSafe[Int($0)] }) { return path }
        var out = [UInt8]()
        out.reserveCapacity(path.utf8.count + 16)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in path.utf8 {
            if urlSafe[Int(byte)] {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ASCII letters, digits and `-._~/!$()*+,;=:@` stay as they are in a path.
    private static let urlSafe: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = true }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = true }
        for c in "-._~/!$()*+,;=:@".utf8 { table[Int(c)] = true }
        return table
    }()

    /// A link with no scheme and not only a fragment.
    static func isRelative(_ url: String) -> Bool {
        if url.isEmpty || url.hasPrefix("#") || url.hasPrefix("//") { return false }
        guard let colon = url.firstIndex(of: ":") else { return true }
        return url[..<colon].contains("/")
    }

    /// Where a relative link that is not part of the site goes: to the file in the repository
    /// when the repository's address is known, else nowhere (nil: the text stays, unlinked,
    /// rather than a link that is broken on the site).
    static func unresolvedLink(_ url: String, source: String, repository: String?) -> String? {
        guard let repository else { return nil }
        let sourceDirectory = directory(of: source)
        var base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        var parts: [Substring] = []
        for part in (sourceDirectory.isEmpty ? url : sourceDirectory + "/" + url).split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty {
                    parts.removeLast()
                } else {
                    // Above the ADR directory: up the repository address, but not past the branch.
                    guard let slash = base.lastIndex(of: "/"), !["tree", "blob"].contains(base[base.index(after: slash)...])
                    else { return nil }
                    base = String(base[..<slash])
                    if base.hasSuffix("/tree") || base.hasSuffix("/blob") { return nil }
                }
                continue
            }
            parts.append(part)
        }
        return base + "/" + parts.joined(separator: "/")
    }

    /// The "edit source" address: GitHub and GitLab addresses of a folder (`…/tree/main/docs/adr`)
    /// become edit addresses (`…/edit/main/docs/adr/0001-x.md`).
    static func editURL(repository: String, source: String) -> String {
        var base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        for marker in ["/tree/", "/blob/"] where base.contains(marker) {
            base = base.replacingOccurrences(of: marker, with: "/edit/")
            break
        }
        return base + "/" + encode(source)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
