import Foundation
import Testing
@testable import ADRCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let decision = "# T\n\n## Status\n\nAccepted\n"

/// A new empty temporary folder (never inside the working tree).
private func emptyFolder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-loader-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func remove(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

private func symlink(_ target: String, at path: String) throws {
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
}

// MARK: - Which Markdown files are decisions

@Test(arguments: [
    "README.md",
    "readme.md",
    "Readme.markdown",
    "index.md",
    "_index.md",
    "template.md",
    "TEMPLATE.md",
    "adr-template.md",
    "adr_template.md",
    "madr-template.md",
    "_template.md",
    "template-nygard.md",
    "0000-template.md",
    "0000-adr-template-madr.md",
    "000-template.md",
    "adr-template-minimal.md",
    "adr-template-bare.md",
    "adr-template-bare-minimal.md",
    "decision-record-template-v2.md",
    "templates/0001-use-kafka.md",
    "template/adr.md",
    "docs/Templates/0001-use-kafka.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    "LICENSE.md",
    "SUMMARY.md",
    "_sidebar.md",
])
func `files that are not decisions are excluded with a reason`(path: String) {
    let reason = Loader.exclusionReason(path, siblings: [path, "0001-use-kafka.md"])
    #expect(reason != nil)
    #expect(reason?.isEmpty == false)
}

@Test(arguments: [
    "0004-use-mustache-templates.md",
    "0012-template-engine.md",
    "0007-adopt-a-template-for-services.md",
    "0000-use-markdown-architectural-decision-records.md",
    "use-templates-for-emails.md",
    "use-a-template-engine.md",
    "templated-emails.md",
    "security.md",
    "20200926-use-template-engine.md",
    "2022-02-07-templates/README.md",
    "ADR-7.md",
])
func `decision files are kept even when they talk about templates`(path: String) {
    #expect(Loader.exclusionReason(path, siblings: [path]) == nil)
}

@Test func `a lone README in a subfolder is a folder-per-decision record`() {
    #expect(Loader.exclusionReason("2022-02-07-tracing/README.md", siblings: ["2022-02-07-tracing/README.md"]) == nil)
    #expect(Loader.exclusionReason("use-kafka/index.md", siblings: ["use-kafka/index.md"]) == nil)
}

@Test func `a README next to other Markdown files is the folder's index page`() {
    let siblings = ["security/README.md", "security/0001-rotate-secrets.md"]
    #expect(Loader.exclusionReason("security/README.md", siblings: siblings) != nil)
    #expect(Loader.exclusionReason("security/0001-rotate-secrets.md", siblings: siblings) == nil)
    // The README at the top is always the log's index page.
    #expect(Loader.exclusionReason("README.md", siblings: ["README.md"]) != nil)
}

// MARK: - Loading a folder

@Test func `a folder is read into decisions, exclusions and assets, sorted`() throws {
    let dir = try temporaryLog([
        "0002-use-kafka.md": decision,
        "0001-record-decisions.md": decision,
        "0003-use-avro.markdown": decision,
        "0004-use-mustache-templates.md": decision,
        "README.md": "# Decisions\n",
        "template.md": "# Title\n",
        "templates/0000-template.md": "# Title\n",
        "2022-02-07-tracing/README.md": decision,
        "2022-02-07-tracing/flow.png": "png",
        "images/diagram.svg": "<svg/>",
        "notes.txt": "text",
    ])
    defer { remove(dir) }
    let loaded = Loader.load(dir)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.sources.map(\.path) == [
        "0001-record-decisions.md", "0002-use-kafka.md", "0003-use-avro.markdown",
        "0004-use-mustache-templates.md", "2022-02-07-tracing/README.md",
    ])
    #expect(loaded.excluded.map(\.path) == ["README.md", "template.md", "templates/0000-template.md"])
    #expect(loaded.assets == ["2022-02-07-tracing/flow.png", "images/diagram.svg", "notes.txt"])
    #expect(loaded.sources.first?.bytes == Array(decision.utf8))
}

@Test func `the Markdown extension is matched ignoring case`() throws {
    let dir = try temporaryLog(["0001-A.MD": decision, "0002-b.Markdown": decision])
    defer { remove(dir) }
    #expect(Loader.load(dir).sources.map(\.path) == ["0001-A.MD", "0002-b.Markdown"])
}

@Test func `hidden folders, hidden files and node_modules are not read`() throws {
    let dir = try temporaryLog([
        "0001-a.md": decision,
        ".git/0002-b.md": decision,
        ".obsidian/0003-c.md": decision,
        ".drafts/sub/0004-d.md": decision,
        ".0005-hidden.md": decision,
        "node_modules/pkg/0006-e.md": decision,
    ])
    defer { remove(dir) }
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.assets.isEmpty)
    #expect(loaded.diagnostics.isEmpty)
}

@Test func `a folder holding the adrsite output marker is not read`() throws {
    let dir = try temporaryLog([
        "0001-a.md": decision,
        "site/.adrsite-output": "",
        "site/index.md": "# Index\n",
        "site/0001-a/README.md": decision,
        "site/style.css": "",
    ])
    defer { remove(dir) }
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.assets.isEmpty)
    #expect(loaded.excluded.contains { $0.path == "site" })
}

@Test func `a directory named like a Markdown file is walked as a folder, not read as a file`() throws {
    let dir = try temporaryLog(["0001-a.md": decision, "x.md/0002-b.md": decision])
    defer { remove(dir) }
    let loaded = Loader.load(dir)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.sources.map(\.path) == ["0001-a.md", "x.md/0002-b.md"])
}

@Test func `a symbolic link loop is reported once and not followed`() throws {
    let dir = try temporaryLog(["0001-a.md": decision, "sub/0002-b.md": decision])
    defer { remove(dir) }
    try symlink(dir, at: dir + "/sub/up")
    try symlink("..", at: dir + "/sub/parent")
    let clock = ContinuousClock()
    let start = clock.now
    let loaded = Loader.load(dir)
    #expect(clock.now - start < .seconds(5))
    #expect(loaded.sources.map(\.path) == ["0001-a.md", "sub/0002-b.md"])
    let loops = loaded.diagnostics.filter { $0.message.contains("symbolic link loop") }
    #expect(Set(loops.map(\.file)) == ["sub/parent", "sub/up"])
    #expect(loaded.diagnostics.allSatisfy { $0.severity == .warning })
}

@Test func `a symbolic link pointing outside the directory is not followed`() throws {
    let outside = try temporaryLog(["0009-secret.md": decision, "secret.txt": "secret"])
    let dir = try temporaryLog(["0001-a.md": decision])
    defer { remove(dir); remove(outside) }
    try symlink(outside, at: dir + "/elsewhere")
    try symlink(outside + "/0009-secret.md", at: dir + "/0002-linked.md")
    try symlink(outside + "/secret.txt", at: dir + "/secret.txt")
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.assets.isEmpty)
    let outsideWarnings = loaded.diagnostics.filter { $0.message.contains("outside the ADR directory") }
    #expect(outsideWarnings.map(\.file).sorted() == ["0002-linked.md", "elsewhere", "secret.txt"])
}

@Test func `a symbolic link outside whose name shares the directory's prefix is still outside`() throws {
    let dir = try emptyFolder()
    let sibling = dir + "-sibling"
    try FileManager.default.createDirectory(atPath: sibling, withIntermediateDirectories: true)
    defer { remove(dir); remove(sibling) }
    try decision.write(toFile: sibling + "/0009-x.md", atomically: false, encoding: .utf8)
    try symlink(sibling, at: dir + "/sib")
    let loaded = Loader.load(dir)
    #expect(loaded.sources.isEmpty)
    #expect(loaded.diagnostics.contains { $0.file == "sib" && $0.message.contains("outside") })
}

@Test func `a symbolic link to a folder inside the directory is read once, under the folder's own name`() throws {
    let dir = try temporaryLog(["zarchive/0001-a.md": decision, "zarchive/img.png": "png"])
    defer { remove(dir) }
    // `current` sorts before `zarchive`, yet the folder is read as `zarchive`.
    try symlink("zarchive", at: dir + "/current")
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["zarchive/0001-a.md"])
    #expect(loaded.assets == ["zarchive/img.png"])
    #expect(loaded.diagnostics.count == 1)
    let warning = loaded.diagnostics.first
    #expect(warning?.file == "current")
    #expect(warning?.message.contains("zarchive") == true)
    #expect(warning?.message.contains("loop") == false)
}

@Test func `a symbolic link to a folder that is not otherwise read is followed`() throws {
    let dir = try temporaryLog([".versions/v2/0001-a.md": decision])
    defer { remove(dir) }
    try symlink(".versions/v2", at: dir + "/current")
    let loaded = Loader.load(dir)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.sources.map(\.path) == ["current/0001-a.md"])
}

@Test func `a symbolic link to a Markdown file inside the directory is read`() throws {
    let dir = try temporaryLog([".drafts/0002-b.md": decision, "0001-a.md": decision])
    defer { remove(dir) }
    try symlink(".drafts/0002-b.md", at: dir + "/0002-b.md")
    let loaded = Loader.load(dir)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.sources.map(\.path) == ["0001-a.md", "0002-b.md"])
}

@Test func `a dangling symbolic link is a warning`() throws {
    let dir = try temporaryLog(["0001-a.md": decision])
    defer { remove(dir) }
    try symlink(dir + "/missing.md", at: dir + "/0002-gone.md")
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.diagnostics.contains { $0.file == "0002-gone.md" && $0.message.contains("points nowhere") })
}

@Test func `a file over the size limit is reported and skipped`() throws {
    let big = decision + String(repeating: "Lorem ipsum dolor sit amet.\n", count: 100)
    let dir = try temporaryLog(["0001-small.md": decision, "0002-big.md": big])
    defer { remove(dir) }
    var options = Loader.Options()
    options.maxFileSize = 1000
    let loaded = Loader.load(dir, options: options)
    #expect(loaded.sources.map(\.path) == ["0001-small.md"])
    let warnings = loaded.diagnostics.filter { $0.file == "0002-big.md" }
    #expect(warnings.count == 1)
    #expect(warnings.first?.message.contains("1000") == true)
    #expect(warnings.first?.severity == .warning)
}

@Test func `a file exactly at the size limit is read`() throws {
    let text = String(repeating: "x", count: 999) + "\n"
    let dir = try temporaryLog(["0001-edge.md": text])
    defer { remove(dir) }
    var options = Loader.Options()
    options.maxFileSize = 1000
    #expect(Loader.load(dir, options: options).sources.first?.bytes.count == 1000)
}

// Root can read a file with mode 000, so the case only means something for other users.
@Test(.enabled(if: geteuid() != 0, "running as root: chmod 000 leaves the file readable"))
func `an unreadable file is a warning and the rest is read`() throws {
    let dir = try temporaryLog(["0001-a.md": decision, "0002-locked.md": decision])
    defer {
        chmod(dir + "/0002-locked.md", 0o644)
        remove(dir)
    }
    #expect(chmod(dir + "/0002-locked.md", 0) == 0)
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.diagnostics.contains { $0.file == "0002-locked.md" && $0.message.contains("cannot read") })
}

@Test(.enabled(if: geteuid() != 0, "running as root: chmod 000 leaves the folder readable"))
func `an unreadable folder is a warning and the rest is read`() throws {
    let dir = try temporaryLog(["0001-a.md": decision, "locked/0002-b.md": decision])
    defer {
        chmod(dir + "/locked", 0o755)
        remove(dir)
    }
    #expect(chmod(dir + "/locked", 0) == 0)
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.diagnostics.contains { $0.file == "locked" && $0.message.contains("cannot read") })
}

@Test func `a missing directory is an error`() {
    let loaded = Loader.load("/nonexistent/adrsite-\(UUID().uuidString)")
    #expect(loaded.sources.isEmpty)
    #expect(loaded.diagnostics.count == 1)
    #expect(loaded.diagnostics.first?.severity == .error)
}

@Test func `a file given as the directory is an error`() throws {
    let dir = try temporaryLog(["0001-a.md": decision])
    defer { remove(dir) }
    let loaded = Loader.load(dir + "/0001-a.md")
    #expect(loaded.sources.isEmpty)
    #expect(loaded.diagnostics.first?.severity == .error)
    #expect(loaded.diagnostics.first?.message.contains("not a directory") == true)
}

@Test func `the directory may be named with a trailing slash or through a symbolic link`() throws {
    let dir = try temporaryLog(["0001-a.md": decision, "sub/0002-b.md": decision])
    let link = dir + "-link"
    defer { remove(dir); try? FileManager.default.removeItem(atPath: link) }
    try symlink(dir, at: link)
    #expect(Loader.load(dir + "/").sources.map(\.path) == ["0001-a.md", "sub/0002-b.md"])
    let viaLink = Loader.load(link)
    #expect(viaLink.sources.map(\.path) == ["0001-a.md", "sub/0002-b.md"])
    #expect(viaLink.diagnostics.isEmpty, "\(viaLink.diagnostics)")
}

@Test func `an empty folder loads nothing and says nothing`() throws {
    let dir = try emptyFolder()
    defer { remove(dir) }
    let loaded = Loader.load(dir)
    #expect(loaded.sources.isEmpty)
    #expect(loaded.assets.isEmpty)
    #expect(loaded.diagnostics.isEmpty)
}

@Test func `a symbolic link to a decision of the same log is not read twice`() throws {
    let dir = try temporaryLog(["0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createSymbolicLink(atPath: dir + "/0000-alias.md", withDestinationPath: "0001-a.md")
    let loaded = Loader.load(dir)
    #expect(loaded.sources.map(\.path) == ["0001-a.md"])
    #expect(loaded.diagnostics.map(\.description) == ["0000-alias.md:1:1: warning: symbolic link to `0001-a.md`, which is already read; not read twice"])
}
