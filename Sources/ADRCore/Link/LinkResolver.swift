/// Where a link destination leads: a decision (and which anchor), an attachment, or nowhere.
/// It depends only on the destination as written and the folder of the file it is in.
struct LinkResolver: Sendable {
    let index: LogIndex
    /// The ADR directory as the user named it, and with its links resolved.
    let root: String
    let realRoot: String
    let assets: Set<String>
    let assetsLower: [String: String]
    let repositoryURL: String?

    init(index: LogIndex, loaded: LoadedDirectory, repositoryURL: String?) {
        self.index = index
        self.root = loaded.root
        self.realRoot = loaded.realRoot
        self.assets = Set(loaded.assets)
        var lower: [String: String] = [:]
        for a in loaded.assets { lower[a.lowercased()] = a }
        self.assetsLower = lower
        self.repositoryURL = repositoryURL
    }

    enum Outcome: Sendable {
        case decision(Int, fragment: String?)
        /// `#anchor` or `?x#anchor` alone: the decision the link is written in.
        case here(fragment: String)
        case asset(String, suffix: String)
        case nothing
        /// A relative path out of the ADR directory (`../../../../etc/passwd`), not to a
        /// Markdown file: nothing there is read or copied.
        case outside
        /// A decision whose path differs in case only.
        case caseDiffers(Int, fragment: String?)
        /// The only decision of that file name, at another path.
        case sameName(Int, fragment: String?)
        /// Nothing in the log: a broken link unless the file `check` exists outside it (nil:
        /// it cannot).
        case broken(check: String?)
    }

    /// Where `raw`, written in a file of the folder `base`, leads.
    func outcome(_ raw: String, base: String) -> Outcome {
        var url = Substring(raw)
        while let c = url.utf8.first, c == 0x20 || c == 0x09 { url = url.dropFirst() }
        while let c = url.utf8.last, c == 0x20 || c == 0x09 { url = url.dropLast() }
        var fragment: String?
        var suffix = ""
        // `#`, `?` and `:` are found as bytes, as a browser reads an address (a combining mark
        // after `#` is part of the fragment, not a character `#́` of the path).
        if let hash = url.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = String(url[url.utf8.index(after: hash)...])
            suffix = String(url[hash...])
            url = url[..<hash]
        }
        if let q = url.utf8.firstIndex(of: UInt8(ascii: "?")) {
            suffix = String(url[q...]) + suffix
            url = url[..<q]
        }
        if url.isEmpty {
            if let fragment { return .here(fragment: fragment) }
            return .nothing
        }
        let path = Paths.percentDecode(String(url))
        let isMarkdown = Paths.isMarkdown(path)

        if let colon = path.utf8.firstIndex(of: UInt8(ascii: ":")), !path[..<colon].utf8.contains(UInt8(ascii: "/")) {
            // An absolute address: only web addresses of this log's files count.
            guard Paths.isWebScheme(path[..<colon].utf8), isMarkdown else { return .nothing }
            if let repo = repositoryURL, !raw.hasPrefix(repo), !LinkResolver.sameRepository(raw, repo) { return .nothing }
            guard LinkResolver.isForgeURL(path) || repositoryURL != nil else { return .nothing }
            let components = path.split(separator: "/").map(String.init)
            // Longest suffix of the address that is a path in the log.
            for k in stride(from: min(components.count, 6), through: 1, by: -1) {
                let candidate = components.suffix(k).joined(separator: "/")
                if let i = index.bySource[candidate] { return .decision(i, fragment: fragment) }
            }
            return .nothing
        }

        var normalized: String?
        var leaves = false
        if path.hasPrefix("/") {
            // Relative to the repository root: find the log's files at the end of the path.
            let components = path.split(separator: "/").map(String.init)
            for k in stride(from: components.count, through: 1, by: -1) {
                let candidate = components.suffix(k).joined(separator: "/")
                if index.bySource[candidate] != nil || assets.contains(candidate) { normalized = candidate; break }
            }
        } else {
            normalized = Paths.normalize(Paths.join(base, path))
            if normalized == nil {
                // Leaves the ADR directory: maybe it comes back in (`../adr/0003-x.md`).
                let absolute = Paths.normalize(Paths.join(Paths.join(realRoot, base), path), allowAbove: true)
                let rootPrefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
                if let absolute, absolute.hasPrefix(rootPrefix) {
                    normalized = String(absolute.dropFirst(rootPrefix.count))
                } else {
                    leaves = true
                }
            }
        }
        if let p = normalized {
            let trimmed = p.hasSuffix("/") ? String(p.dropLast()) : p
            if let i = index.bySource[trimmed] { return .decision(i, fragment: fragment) }
            let lower = Paths.lowered(trimmed)
            if let i = LogIndex.unique(index.bySourceLower[lower]) { return .caseDiffers(i, fragment: fragment) }
            if assets.contains(trimmed) { return .asset(trimmed, suffix: suffix) }
            if let actual = assetsLower[lower] { return .asset(actual, suffix: suffix) }
        }
        guard isMarkdown else { return leaves ? .outside : .nothing }
        // A wrong path to a file that exists in the log under the same name.
        if let i = LogIndex.unique(index.byFileName[Paths.lowered(Paths.lastComponent(path))]) {
            return .sameName(i, fragment: fragment)
        }
        return .broken(check: path.hasPrefix("/") ? nil : Paths.join(Paths.join(root, base), path))
    }

    /// The decision (and fragment) an outcome leads to, for a link written in decision `i`.
    static func decision(_ outcome: Outcome, from i: Int) -> (Int, String?)? {
        switch outcome {
        case .decision(let t, let fragment), .caseDiffers(let t, let fragment), .sameName(let t, let fragment):
            return (t, fragment)
        case .here(let fragment):
            return (i, fragment)
        case .asset, .nothing, .outside, .broken:
            return nil
        }
    }

    /// Same owner and repository on the same host, whatever the branch.
    static func sameRepository(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "/"), pb = b.split(separator: "/")
        guard pa.count >= 4, pb.count >= 4 else { return false }
        return pa[1].lowercased() == pb[1].lowercased() && pa[2].lowercased() == pb[2].lowercased()
            && pa[3].lowercased() == pb[3].lowercased()
    }

    static func isForgeURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        for host in ["://github.com/", "://gitlab.com/", "://bitbucket.org/", "://codeberg.org/", "://raw.githubusercontent.com/"]
            where lower.contains(host) {
            return true
        }
        return lower.contains("/blob/") || lower.contains("/tree/") || lower.contains("/-/blob/")
    }
}
