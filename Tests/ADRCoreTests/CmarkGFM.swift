import Foundation

/// Debian's `cmark-gfm` (the README's test command installs it), the reference renderer for
/// GitHub's Markdown: every extension adrsite implements, raw HTML kept when `unsafe`.
enum CmarkGFM {
    static let path = "/usr/bin/cmark-gfm"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    static func html(_ markdown: String, unsafe: Bool = true) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var arguments = ["-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tasklist", "-e", "footnotes"]
        if unsafe { arguments += ["-e", "tagfilter", "--unsafe"] }
        process.arguments = arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { return "cmark-gfm did not run: \(error)" }
        let data = Data(markdown.utf8)
        DispatchQueue.global().async {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        let html = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: html, as: UTF8.self)
    }
}
