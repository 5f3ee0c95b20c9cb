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
        var out = ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "-._~/!$&'()*+,;=:@".contains(c)) && c != "'" && c != "&" {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

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
