#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Loader {
    struct DirectoryID: Hashable { var device: UInt64; var inode: UInt64 }

    struct Walker {
        let root: String
        let realRoot: String
        let options: Options
        /// Folders already walked, with the relative path they were walked as.
        var visited: [DirectoryID: String] = [:]
        /// Folders reached through a symbolic link, walked after the rest.
        var linkedFolders: [(String, DirectoryID)] = []
        var markdown: [String] = []
        /// Markdown files read so far, by device and inode (filled in by `addLinkedFiles`).
        var files: [DirectoryID: String] = [:]
        var linkedFiles: [(String, DirectoryID)] = []
        /// The Markdown files that are symbolic links (to files inside the tree).
        var linkedMarkdown: Set<String> = []
        var assets: [String] = []
        var excluded: [Exclusion] = []
        var diagnostics: [Diagnostic] = []

        init(root: String, realRoot: String, options: Options) {
            self.root = root
            self.realRoot = realRoot
            self.options = options
        }

        mutating func walkLinkedFolders() {
            var next = 0
            while next < linkedFolders.count {
                let (rel, id) = linkedFolders[next]
                next += 1
                if let first = visited[id] {
                    if first.isEmpty || rel.hasPrefix(first + "/") {
                        // The link leads back to a folder that holds it.
                        let target = first.isEmpty ? "the ADR directory" : "`\(first)`"
                        diagnostics.append(.warning(rel, "symbolic link loop (leads back to \(target)); not followed"))
                    } else {
                        diagnostics.append(.warning(rel, "symbolic link to `\(first)`, which is already read; not read twice"))
                    }
                    continue
                }
                visited[id] = rel
                walk(relative: rel)
            }
        }

        mutating func walk(relative: String) {
            let dirPath = relative.isEmpty ? root : Paths.join(root, relative)
            guard let dir = opendir(dirPath) else {
                diagnostics.append(.warning(relative, "cannot read directory: \(errnoText())"))
                return
            }
            var entries: [(name: String, type: UInt8)] = []
            while let entry = readdir(dir) {
                let cName = direntName(entry)
                let raw = UnsafeRawBufferPointer(start: cName, count: strlen(cName))
                guard let name = String(validating: raw, as: UTF8.self) else {
                    // A name adrsite cannot write back into a page or a path: said, not read.
                    let shown = String(decoding: raw, as: UTF8.self)
                    let rel = relative.isEmpty ? shown : relative + "/" + shown
                    diagnostics.append(.warning(rel, "file name is not valid UTF-8; not read (rename it)"))
                    continue
                }
                if name == "." || name == ".." { continue }
                entries.append((name, entry.pointee.d_type))
            }
            closedir(dir)
            if !relative.isEmpty && entries.contains(where: { $0.name == Loader.outputMarker }) {
                excluded.append(Exclusion(path: relative, reason: "a site written by adrsite"))
                // A site built into the log is left out; Markdown files in it may be records that
                // a stray marker hides.
                if entries.contains(where: { Paths.isMarkdown($0.name) }) {
                    diagnostics.append(.warning(relative, "folder holds \(Loader.outputMarker), the mark of a site adrsite wrote: its files are not read as decisions (delete the file if they are)"))
                }
                return
            }
            entries.sort { $0.name < $1.name }
            for (name, type) in entries {
                if name.hasPrefix(".") || name == "node_modules" { continue }
                let rel = relative.isEmpty ? name : relative + "/" + name
                if type == UInt8(DT_REG) {
                    // A regular file (readdir says so without a stat): no need to look further.
                    // Its identity is needed only against links to Markdown files (`addLinkedFiles`).
                    if Paths.isMarkdown(name) { markdown.append(rel) } else { assets.append(rel) }
                    continue
                }
                if type != UInt8(DT_DIR) && type != UInt8(DT_LNK) && type != UInt8(DT_UNKNOWN) {
                    // A device, pipe or socket: neither read nor copied.
                    if Paths.isMarkdown(name) {
                        let kind = type == UInt8(DT_FIFO) ? "a FIFO" : type == UInt8(DT_SOCK) ? "a socket" : "a device"
                        diagnostics.append(.warning(rel, "is \(kind), not a regular file; not read"))
                    }
                    continue
                }
                let full = Paths.join(root, rel)
                var st = stat()
                guard lstat(full, &st) == 0 else {
                    diagnostics.append(.warning(rel, "cannot read: \(errnoText())"))
                    continue
                }
                let isLink = (st.st_mode & S_IFMT) == S_IFLNK
                if isLink {
                    guard let target = Paths.real(full) else {
                        diagnostics.append(.warning(rel, "symbolic link points nowhere (\(errnoText())); skipped"))
                        continue
                    }
                    if !Paths.isInside(target, root: realRoot) {
                        diagnostics.append(.warning(rel, "symbolic link points outside the ADR directory; not followed"))
                        continue
                    }
                    guard stat(full, &st) == 0 else {
                        diagnostics.append(.warning(rel, "cannot follow symbolic link: \(errnoText())"))
                        continue
                    }
                }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR {
                    let id = DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                    if isLink {
                        // Followed once every real folder is walked, so a folder is read under its own name.
                        linkedFolders.append((rel, id))
                    } else if let first = visited[id] {
                        diagnostics.append(.warning(rel, "same folder as `\(first)`, which is already read; not read twice"))
                    } else {
                        visited[id] = rel
                        walk(relative: rel)
                    }
                } else if type == S_IFREG {
                    guard Paths.isMarkdown(name) else { assets.append(rel); continue }
                    if isLink {
                        // Read after the real files, so a decision is read under its own name.
                        linkedFiles.append((rel, DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))))
                    } else {
                        markdown.append(rel)
                    }
                }
            }
        }

        /// Markdown files reached through a symbolic link, unless the file was read already.
        mutating func addLinkedFiles() {
            guard !linkedFiles.isEmpty else { return }
            // The identity of every real Markdown file, in the order they were found.
            for rel in markdown {
                var st = stat()
                if lstat(Paths.join(root, rel), &st) == 0 {
                    files[DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))] = rel
                }
            }
            for (rel, id) in linkedFiles {
                if let first = files[id] {
                    diagnostics.append(.warning(rel, "symbolic link to `\(first)`, which is already read; not read twice"))
                    continue
                }
                files[id] = rel
                markdown.append(rel)
                linkedMarkdown.insert(rel)
            }
        }
    }
}
