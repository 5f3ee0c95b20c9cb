// libFuzzer target for load → parse → link → render, all in memory (scripts/fuzz.sh builds and
// runs it). A normal `swift build` compiles only the stub at the end of this file: the fuzzer
// build passes `-DFUZZING` and `-sanitize=fuzzer`, whose runtime brings `main`.
//
// The input is a small ADR directory:
//
//     file ("\n\0\0\n" file){0,3}          further separators stay in the 4th file
//     file := ["@" path "\n"] bytes         path relative to the ADR directory; default 000N-a.md
//
// Paths are taken as the load stage would find them on disk (hidden names and clashes skipped,
// names that are not Markdown become attachments, README/template/... excluded). The length of
// the input chooses the options: bit 0 `--unsafe-html`, bit 1 `--repo-url` and `--base-url`.
//
// With ADRFUZZ_TARGET=templates (scripts/fuzz.sh --templates) the input is a theme instead: up
// to four templates laid over the default theme, loaded (every check of Theme.load) and, when
// they load, rendered into a whole site of a small fixed log (FuzzTemplates.swift).
// The harness is compiled in debug builds too (`swift build`, `swift test`), so that a change
// of the API it uses fails there and not only in scripts/fuzz.sh.
#if FUZZING || DEBUG
@testable import ADRCore
@testable import ADRSite
import Foundation

/// Which target the run fuzzes: the Markdown of ADR files (default), or templates.
private let fuzzTemplatesMode = ProcessInfo.processInfo.environment["ADRFUZZ_TARGET"] == "templates"

/// The ADR directory: a fixed empty folder (`ADRFUZZ_ROOT`, made by scripts/fuzz.sh), so that
/// every file a decision links to is missing on disk and nothing is read but what is given.
private let root: String = {
    if let r = ProcessInfo.processInfo.environment["ADRFUZZ_ROOT"], !r.isEmpty { return r }
    return "/nonexistent-adrfuzz-root"
}()

private let theme: Theme = try! Theme.load()
private let separator: [UInt8] = [0x0A, 0x00, 0x00, 0x0A]
private let repositoryURL = "https://github.com/acme/app/tree/main/docs/adr"

/// Splits `data` at the first `maxParts - 1` separators.
func split(_ data: UnsafeBufferPointer<UInt8>, maxParts: Int) -> [ArraySlice<UInt8>] {
    let bytes = Array(data)
    var parts: [ArraySlice<UInt8>] = []
    var start = 0, i = 0
    while i + separator.count <= bytes.count && parts.count < maxParts - 1 {
        if bytes[i] == separator[0] && bytes[i + 1] == separator[1] && bytes[i + 2] == separator[2]
            && bytes[i + 3] == separator[3] {
            parts.append(bytes[start..<i])
            i += separator.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(bytes[start...])
    return parts
}

/// A path as a file system holds it, or nil when no such file could be read from the directory:
/// `/`-separated parts, none empty, `.`, `..`, hidden or `node_modules`, none longer than 255
/// bytes or holding a NUL.
private func validPath(_ raw: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
    let parts = raw.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    guard !parts.isEmpty, parts.count <= 8 else { return nil }
    for p in parts {
        guard !p.isEmpty, p.count <= 255, p.first != UInt8(ascii: "."), !p.contains(0),
              !p.elementsEqual("node_modules".utf8) else { return nil }
    }
    return parts
}

private struct Directory {
    var markdown: [(path: String, bytes: [UInt8])] = []
    var assets: [String] = []
}

/// The files of the input, as the load stage lists them.
private func directory(_ data: UnsafeBufferPointer<UInt8>) -> Directory {
    var files: [[UInt8]: ArraySlice<UInt8>] = [:]   // raw path -> content
    var folders = Set<[UInt8]>()
    var order: [[UInt8]] = []
    for (n, part) in split(data, maxParts: 4).enumerated() {
        var content = part
        var raw = Array("000\(n + 1)-a.md".utf8)[...]
        if content.first == UInt8(ascii: "@") {
            let end = content.firstIndex(of: 0x0A) ?? content.endIndex
            raw = content[(content.startIndex + 1)..<end]
            content = content[min(end + 1, content.endIndex)...]
        }
        guard let parts = validPath(raw) else { continue }
        let path = Array(raw)
        // A file cannot also be a folder, nor be inside a file.
        var prefixes: [[UInt8]] = []
        var prefix: [UInt8] = []
        for p in parts.dropLast() {
            if !prefix.isEmpty { prefix.append(UInt8(ascii: "/")) }
            prefix += p
            prefixes.append(prefix)
        }
        guard files[path] == nil, !folders.contains(path), !prefixes.contains(where: { files[$0] != nil }) else { continue }
        files[path] = content
        folders.formUnion(prefixes)
        order.append(path)
    }
    var result = Directory()
    for path in order {
        // The loader decodes names as UTF-8, replacing what is not.
        let name = String(decoding: path, as: UTF8.self)
        if Paths.isMarkdown(Paths.lastComponent(name)) {
            result.markdown.append((name, Array(files[path]!)))
        } else {
            result.assets.append(name)
        }
    }
    return result
}

/// `Loader.load` of the input: Markdown files sorted, each excluded or kept by the same rules.
private func load(_ dir: Directory) -> LoadedDirectory {
    var loaded = LoadedDirectory(root: root)
    let markdown = dir.markdown.sorted { $0.path < $1.path }
    loaded.assets = dir.assets.sorted()
    let byFolder = Dictionary(grouping: markdown.map(\.path), by: { Paths.parent($0) })
    for file in markdown {
        if let reason = Loader.exclusionReason(file.path, siblings: byFolder[Paths.parent(file.path)] ?? []) {
            loaded.excluded.append(Exclusion(path: file.path, reason: reason))
        } else {
            loaded.sources.append(SourceFile(path: file.path, bytes: file.bytes))
        }
    }
    loaded.excluded.sort { $0.path < $1.path }
    return loaded
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    if fuzzTemplatesMode { return fuzzTemplates(input) }
    let unsafeHTML = size & 1 != 0, withURLs = size & 2 != 0

    let loaded = load(directory(input))
    let outcomes = Pipeline.parse(loaded.sources, options: ADRParser.Options(unsafeHTML: unsafeHTML))
    var linkOptions = Linker.Options(repositoryURL: withURLs ? repositoryURL : nil)
    linkOptions.allowActiveAttachments = unsafeHTML
    let log = Linker.link(outcomes.compactMap(\.decision), loaded: loaded, options: linkOptions).log

    // Every body with its holes left empty, then the whole site in memory.
    var length = 0
    for d in log.decisions { length += d.parsed.body.filled().count }
    var options = SiteOptions()
    options.unsafeHTML = unsafeHTML
    if withURLs {
        options.repositoryURL = repositoryURL
        options.baseURL = "https://acme.example/adr/"
    }
    let files = try! SiteRenderer.render(log, theme: theme, options: options,
                                         siteTitle: SiteRenderer.title(for: log, options: options))
    for f in files { length += f.bytes.count }
    for diagnostic in log.diagnostics { length += diagnostic.description.utf8.count }
    precondition(length > 0 && !files.isEmpty)
    return 0
}

/// The log of the warm-up input, linked: what fuzzed templates render (made once).
let fuzzLog: DecisionLog = {
    let loaded = Array(warmUp.utf8).withUnsafeBufferPointer { load(directory($0)) }
    let outcomes = Pipeline.parse(loaded.sources)
    return Linker.link(outcomes.compactMap(\.decision), loaded: loaded, options: Linker.Options(repositoryURL: repositoryURL)).log
}()

/// Before the first input: the theme and every lazily made global (pattern tables, caches) are
/// made with LeakSanitizer off. They live for the whole run, and pointers to them in enum payloads
/// carry tag bits that LeakSanitizer does not see through, so it would report them as leaked by
/// whichever input made them first.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    __lsan_disable()
    defer { __lsan_enable() }
    _ = theme
    if fuzzTemplatesMode {
        _ = fuzzLog
        for text in ["{{#decisions}}{{> badge}}{{title}}{{/decisions}}", "{{=<% %>=}}<%{title}%>"] {
            let input = Array(("@index\n" + text).utf8)
            _ = input.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
        }
        return 0
    }
    for n in 0..<4 {
        let input = Array(warmUp.utf8) + Array(repeating: UInt8(ascii: "\n"), count: n)
        _ = input.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
    }
    return 0
}

/// A small log in the Markdown target's input format: two decisions with every kind of
/// metadata, relation and follow-up.
private let warmUp = """
        ---
        status: accepted
        date: 2024-01-02
        deciders: [a, b]
        tags: x
        ---
        # 1. Use things

        | Status | Accepted |
        |---|:-:|
        | Date | 2024-01-02 |

        ## Status

        Superseded by [ADR-2](0002-a.md#context), amends ADR-0002. <b>x</b> *y* `z`

        ## Follow-ups

        - [ ] do [it](0002-a.md) ![i](x.png) [s](x.svg) [h](https://github.com/acme/app/tree/main/docs/adr/0002-a.md)
        \n\0\0\n@0002-a.md
        * Status: proposed
        * Date: 2024-13-02

        # Second

        Addresses follow-up 1 of [ADR 1](0001-a.md). Supersedes [one](0001-a.md).
        """

#if FUZZING
@_extern(c, "__lsan_disable") func __lsan_disable()
@_extern(c, "__lsan_enable") func __lsan_enable()

/// libFuzzer's driver (`-sanitize=fuzzer` links it in).
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The program's entry point in a debug build, where SwiftPM links an executable with
/// `main=ADRFuzz_main` (so tests can link it): hands over to libFuzzer, whose own `main` would
/// otherwise do the same.
@_cdecl("ADRFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
#else
func __lsan_disable() {}
func __lsan_enable() {}
#endif
#endif

#if !FUZZING
/// Without the fuzzer: scripts/fuzz.sh builds the real target.
@main
enum ADRFuzzStub {
    static func main() {
        print("ADRFuzz is built by scripts/fuzz.sh (swift build -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer)")
    }
}
#endif
