import ADRCore
import ADRSite
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What `SiteWriter` promises: it never deletes or changes a file it did not write, a failed build
/// leaves the previous site as it was, and a successful one replaces it entirely.
@Suite struct OutputSafetyTests {
    /// Tries to write `site` into `output` and expects a refusal whose message contains `reason`,
    /// with every file under `watched` exactly as it was (content, inode, mode and modification
    /// time) and no temporary folder left next to the output.
    func expectRefusal(_ site: RenderedSite, output: String, input: String, watched: [String], reason: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let before = watched.map(snapshotTree)
        var message: String?
        do {
            try site.write(to: output, input: input)
        } catch let failure as SiteWriter.Failure {
            message = failure.message
        } catch {
            Issue.record("expected a SiteWriter.Failure, got \(error)", sourceLocation: sourceLocation)
        }
        if let message {
            #expect(message.contains(reason), "message: \(message)", sourceLocation: sourceLocation)
        } else {
            Issue.record("writing into \(output) was not refused", sourceLocation: sourceLocation)
        }
        for (root, snapshot) in zip(watched, before) {
            #expect(treeDifferences(snapshot, snapshotTree(root)) == [], "under \(root)", sourceLocation: sourceLocation)
        }
        let parent = (SiteWriterPaths.absolute(output) as NSString).deletingLastPathComponent
        #expect(leftoverTemporaries(in: parent) == [], sourceLocation: sourceLocation)
    }

    // MARK: - Refusals

    @Test func `an output folder that is the input folder is refused, however it is spelled`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try FileManager.default.createSymbolicLink(atPath: dir + "/link-to-adr", withDestinationPath: input)
            let site = try RenderedSite(input)
            for output in [input, input + "/", input + "/./", input + "/infra/..", dir + "/link-to-adr",
                           dir + "/link-to-adr/"] {
                expectRefusal(site, output: output, input: input, watched: [dir],
                              reason: "it is the ADR directory itself")
            }
            // The same folder named through the link as the input.
            expectRefusal(site, output: input, input: dir + "/link-to-adr", watched: [dir],
                          reason: "it is the ADR directory itself")
        }
    }

    @Test func `an output folder that contains the input folder is refused`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir, as: "repo/docs/adr")
            try writeFiles(["repo/README.md": "# The repository\n", "repo/src/main.swift": "print(1)\n"], in: dir)
            try FileManager.default.createSymbolicLink(atPath: dir + "/link-to-repo", withDestinationPath: dir + "/repo")
            let site = try RenderedSite(input)
            for output in [dir + "/repo", dir + "/repo/", dir + "/repo/docs", dir + "/repo/docs/adr/..",
                           dir + "/link-to-repo", dir, dir + "/repo/src/.."] {
                expectRefusal(site, output: output, input: input, watched: [dir],
                              reason: "it contains the ADR directory")
            }
        }
    }

    @Test func `the root folder is never an acceptable output`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            // Only the check: a bug here must not get as far as writing next to `/`.
            #expect(throws: SiteWriter.Failure.self) { try SiteWriter.checkOutput("/", input: input) }
            #expect(throws: SiteWriter.Failure.self) { try SiteWriter.checkOutput("/..", input: input) }
        }
    }

    @Test func `a folder that is not empty and has no marker is refused`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            let site = try RenderedSite(input)
            try writeFiles(["site/notes.txt": "my notes\n", "site/keep/me.md": "# Mine\n"], in: dir)
            expectRefusal(site, output: dir + "/site", input: input, watched: [dir],
                          reason: "not empty and was not written by adrsite")
            // A folder holding nothing but a hidden file is not empty either.
            try writeFiles(["hidden/.git/HEAD": "ref: refs/heads/main\n"], in: dir)
            expectRefusal(site, output: dir + "/hidden", input: input, watched: [dir],
                          reason: "not empty and was not written by adrsite")
        }
    }

    @Test func `an empty folder is accepted as output`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try FileManager.default.createDirectory(atPath: dir + "/site", withIntermediateDirectories: false)
            let site = try RenderedSite(input)
            try site.write(to: dir + "/site", input: input)
            #expect(filePaths(under: dir + "/site") == (site.paths + [SiteWriter.marker]).sorted())
        }
    }

    @Test(arguments: [
        ["CNAME": "adr.example.com\n"],
        ["assets/custom.css": "body { color: red }\n"],
        ["badges/infra/extra.svg": "<svg/>"],
        [".git/HEAD": "ref: refs/heads/gh-pages\n"],
    ])
    func `a folder with a marker but also a file adrsite did not write is refused`(_ foreign: [String: String]) throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            let site = try RenderedSite(input)
            try site.write(to: dir + "/site", input: input)
            try writeFiles(foreign, in: dir + "/site")
            expectRefusal(site, output: dir + "/site", input: input, watched: [dir],
                          reason: "holds files adrsite did not write (\(foreign.keys.first!))")
        }
    }

    @Test(arguments: ["to a folder", "to a file", "nowhere"])
    func `a folder with a marker and a symbolic link adrsite did not make is refused`(_ kind: String) throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try writeFiles(["elsewhere/precious.txt": "keep me\n"], in: dir)
            let site = try RenderedSite(input)
            try site.write(to: dir + "/site", input: input)
            let target = kind == "to a folder" ? dir + "/elsewhere" : kind == "to a file" ? dir + "/elsewhere/precious.txt" : dir + "/missing"
            try FileManager.default.createSymbolicLink(atPath: dir + "/site/published", withDestinationPath: target)
            expectRefusal(site, output: dir + "/site", input: input, watched: [dir],
                          reason: "holds files adrsite did not write (published)")
        }
    }

    @Test func `an output that is a symbolic link to a folder is written through the link, which stays`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try FileManager.default.createDirectory(atPath: dir + "/releases/adr", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/site", withDestinationPath: "releases/adr")
            let site = try RenderedSite(input)
            try site.write(to: dir + "/site", input: input)   // into an empty folder
            try site.write(to: dir + "/site", input: input)   // and over a site
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/site") == "releases/adr")
            #expect(filePaths(under: dir + "/releases/adr") == (site.paths + [SiteWriter.marker]).sorted())
            #expect(leftoverTemporaries(in: dir) == [])
            #expect(leftoverTemporaries(in: dir + "/releases") == [])
        }
    }

    @Test func `an output that is a symbolic link pointing nowhere is refused`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try FileManager.default.createSymbolicLink(atPath: dir + "/site", withDestinationPath: dir + "/missing")
            expectRefusal(try RenderedSite(input), output: dir + "/site", input: input, watched: [dir],
                          reason: "it is a symbolic link to \(dir)/missing, which does not exist")
        }
    }

    @Test func `refusals name the output as it was given`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try writeFiles(["site/notes.txt": "mine\n"], in: dir)
            let error = #expect(throws: SiteWriter.Failure.self) {
                try RenderedSite(input).write(to: dir + "/./site/", input: input)
            }
            #expect(error?.message.hasPrefix("refusing to write the site into \(dir)/./site/: ") == true, "\(String(describing: error))")
        }
    }

    @Test func `an output path that is a file is refused`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            try writeFiles(["site": "not a folder\n"], in: dir)
            let site = try RenderedSite(input)
            expectRefusal(site, output: dir + "/site", input: input, watched: [dir],
                          reason: "it is a file, not a folder")
            // An output below a file cannot be made either, and nothing is touched trying.
            expectRefusal(site, output: dir + "/site/out", input: input, watched: [dir],
                          reason: "a file of that name exists")
        }
    }

    // MARK: - Failed builds

    /// The previous site, and a changed log whose site differs from it.
    func previousSiteAndChangedLog(in dir: String) throws -> (input: String, output: String, next: RenderedSite) {
        let input = try copyFixture("golden", into: dir)
        let output = dir + "/site"
        try RenderedSite(input).write(to: output, input: input)
        try FileManager.default.removeItem(atPath: input + "/0006-write-our-own-message-queue.md")
        try writeFiles(["0007-new.md": "# 7. A new decision\n\n## Status\n\nProposed\n"], in: input)
        return (input, output, try RenderedSite(input))
    }

    @Test(arguments: [1, 2, 7, 0])
    func `a build whose writes fail midway leaves the previous site exactly as it was`(_ failAt: Int) throws {
        try withTemporaryFolder { dir in
            let (input, output, next) = try previousSiteAndChangedLog(in: dir)
            let failAt = failAt == 0 ? next.files.count : failAt   // 0: the very last file
            let before = snapshotTree(output)
            let plan = try FailingWrites.run(failAt: failAt, output: output) { plan in
                let error = #expect(throws: SiteWriter.Failure.self) { try next.write(to: output, input: input) }
                #expect(error?.message.contains("injected failure before writing") == true, "\(String(describing: error))")
                #expect(error?.message.contains("the previous site was left as it was") == true)
                return plan
            }
            // The failure really happened after `failAt - 1` files were written.
            #expect(plan.paths.count == failAt)
            #expect(treeDifferences(before, snapshotTree(output)) == [])
            #expect(leftoverTemporaries(in: dir) == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["adr", "site"])
        }
    }

    /// The same through `SiteBuild` on disk, as `adrsite build` writes: pages are written from
    /// several threads while they are rendered.
    @Test(arguments: [1, 3, 12, 0])
    func `a build whose concurrent page writes fail midway leaves the previous site exactly as it was`(_ failAt: Int) throws {
        try withTemporaryFolder { dir in
            let (input, output, next) = try previousSiteAndChangedLog(in: dir)
            let failAt = failAt == 0 ? next.files.count : failAt
            let before = snapshotTree(output)
            let built = FailingWrites.run(failAt: failAt, output: output) { _ in
                SiteBuild.run(buildRequest(input), mode: .disk(output: output))
            }
            let failure = try #require(built.writeError)
            #expect(failure.message.contains("injected failure before writing"), "\(failure.message)")
            #expect(failure.message.contains("the previous site was left as it was"))
            #expect(treeDifferences(before, snapshotTree(output)) == [])
            #expect(leftoverTemporaries(in: dir) == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["adr", "site"])
            // The same build without the failure replaces the site.
            let good = SiteBuild.run(buildRequest(input), mode: .disk(output: output))
            #expect(good.writeError == nil)
            #expect(FileManager.default.fileExists(atPath: output + "/0007-new.html"))
        }
    }

    @Test func `a first build that fails midway leaves no output folder and no temporary folder`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            let site = try RenderedSite(input)
            FailingWrites.run(failAt: 4, output: dir + "/public/site") { _ in
                #expect(throws: SiteWriter.Failure.self) { try site.write(to: dir + "/public/site", input: input) }
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/public/site"))
            #expect(leftoverTemporaries(in: dir + "/public") == [])
        }
    }

    @Test func `a successful rebuild replaces the old site entirely`() throws {
        try withTemporaryFolder { dir in
            let (input, output, _) = try previousSiteAndChangedLog(in: dir)
            #expect(FileManager.default.fileExists(atPath: output + "/0006-write-our-own-message-queue.html"))
            // Also drop the only decision of the `infra` category: its folders must go too.
            try FileManager.default.removeItem(atPath: input + "/infra")
            let next = try RenderedSite(input)
            try next.write(to: output, input: input)

            #expect(filePaths(under: output) == (next.paths + [SiteWriter.marker]).sorted())
            for file in next.files {
                #expect(FileManager.default.contents(atPath: output + "/" + file.path).map { [UInt8]($0) } == (try file.content()),
                        "\(file.path)")
            }
            #expect(!FileManager.default.fileExists(atPath: output + "/0006-write-our-own-message-queue.html"))
            #expect(!FileManager.default.fileExists(atPath: output + "/badges/0006-write-our-own-message-queue.svg"))
            #expect(!FileManager.default.fileExists(atPath: output + "/infra"))
            #expect(!FileManager.default.fileExists(atPath: output + "/badges/infra"))
            #expect(FileManager.default.fileExists(atPath: output + "/0007-new.html"))
            let marker = try String(contentsOfFile: output + "/" + SiteWriter.marker, encoding: .utf8)
            #expect(marker.split(separator: "\n").dropFirst().map(String.init)
                    == ([SiteWriter.marker] + next.paths))
            #expect(leftoverTemporaries(in: dir) == [])
            // The index no longer lists the deleted decision.
            let index = try String(contentsOfFile: output + "/index.html", encoding: .utf8)
            #expect(!index.contains("0006-write-our-own-message-queue"))
        }
    }

    @Test func `stale temporary folders of the same output are cleaned up, other folders are left alone`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            let marker = SiteWriter.marker
            try writeFiles([
                ".site.adrsite-tmp-99999/\(marker)": "written by adrsite\n",
                ".site.adrsite-tmp-99999/index.html": "half a site",
                ".site.adrsite-old-88888/\(marker)": "written by adrsite\n",
                ".site.adrsite-old-88888/badges/x.svg": "<svg/>",
                // Not adrsite's (no marker), and another output's: both stay.
                ".site.adrsite-tmp-77777/mine.txt": "not adrsite's\n",
                ".other.adrsite-tmp-66666/\(marker)": "written by adrsite\n",
            ], in: dir)
            let keep = [".site.adrsite-tmp-77777", ".other.adrsite-tmp-66666"]
            let before = keep.map { snapshotTree(dir + "/" + $0) }
            try RenderedSite(input).write(to: dir + "/site", input: input)
            #expect(leftoverTemporaries(in: dir) == keep.sorted())
            for (name, snapshot) in zip(keep, before) {
                #expect(treeDifferences(snapshot, snapshotTree(dir + "/" + name)) == [], "\(name)")
            }
        }
    }

    @Test func `the temporary folder of a build at work is never removed by another build`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            // A build at work: its session holds its marker locked.
            let running = try SiteWriter.Session(output: dir + "/site", input: input)
            try running.write(OutputFile(path: "index.html", text: "first build"))
            // A stale one of a build that died: nobody holds its marker.
            try writeFiles([".site.adrsite-tmp-99999-1/\(SiteWriter.marker)": "written by adrsite\n"], in: dir)
            try RenderedSite(input).write(to: dir + "/site", input: input)
            #expect(leftoverTemporaries(in: dir).count == 1, "the running build's folder stays, the stale one goes")
            try running.commit()
            #expect(try String(contentsOfFile: dir + "/site/index.html", encoding: .utf8) == "first build")
            #expect(leftoverTemporaries(in: dir) == [])
        }
    }

    @Test func `a path written twice in one build is an error, whichever is written first`() throws {
        try withTemporaryFolder { dir in
            let input = try copyFixture("golden", into: dir)
            let session = try SiteWriter.Session(output: dir + "/site", input: input)
            try session.write(OutputFile(path: "decisions.json", text: "{}"))
            #expect(throws: SiteWriter.Failure.self) { try session.write(OutputFile(path: "decisions.json", text: "forged")) }
            session.abort()
            #expect(!FileManager.default.fileExists(atPath: dir + "/site"))
        }
    }

    // MARK: - A real full disk

    @Test func `a build that fills the disk leaves the previous site as it was`() throws {
        guard getuid() == 0 else { try Test.cancel("needs root to mount a small tmpfs; skipped") }
        try withTemporaryFolder("tmpfs") { dir in
            let mountPoint = dir + "/disk"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
            let mounted = try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint])
            guard mounted.status == 0 else {
                try Test.cancel("cannot mount a tmpfs here (\(mounted.output.trimmingCharacters(in: .whitespacesAndNewlines))); skipped")
            }
            defer { _ = try? runTool("/bin/umount", [mountPoint]) }

            // A small site fits…
            let input = try copyFixture("golden", into: dir)
            let output = mountPoint + "/site"
            try RenderedSite(input).write(to: output, input: input)
            let before = snapshotTree(output)
            #expect(before.count > 10)

            // …a site with a large image does not.
            let big = [UInt8](repeating: 0x42, count: 1024 * 1024)
            try Data(big).write(to: URL(fileURLWithPath: input + "/big.png"))
            try writeFiles(["0008-big-picture.md": "# 8. Big picture\n\n## Status\n\nAccepted\n\n![A big picture](big.png)\n"], in: input)
            let large = try RenderedSite(input)
            #expect(large.paths.contains("big.png"))
            let error = #expect(throws: SiteWriter.Failure.self) { try large.write(to: output, input: input) }
            #expect(error?.message.contains("No space left on device") == true, "\(String(describing: error))")
            #expect(treeDifferences(before, snapshotTree(output)) == [])
            #expect(leftoverTemporaries(in: mountPoint) == [])
        }
    }
}

/// `SiteWriter`'s way of making a path absolute, for finding the output's parent folder.
enum SiteWriterPaths {
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Runs a system tool, returning its exit status and combined output.
func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
