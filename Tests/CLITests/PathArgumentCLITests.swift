import Foundation
import Testing

/// Every way of naming the ADR directory — `.`, `..`, `./x/`, trailing slashes, absolute, through
/// a symbolic link, and `.adr-dir` holding `.` — works with `check`, `build` and `serve`, and
/// finds the `templates/` folder beside the directory.
@Suite struct PathArgumentCLITests {
    /// `project/docs/adr` with one record and `project/docs/templates/footer.mustache`, a link
    /// `project/link` to `docs/adr`, and a folder `project/docs/adr/sub` to run from.
    static func project() throws -> String {
        let dir = try makeFolder([
            "docs/adr/0001-good.md": "# 1. Good\n\n## Status\n\nAccepted\n",
            "docs/adr/sub/.keep": "",
            "docs/templates/footer.mustache": "<footer>BESIDE-FOOTER</footer>",
        ])
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "docs/adr")
        return dir
    }

    /// (the argument, the folder to run in, relative to the project; nil: the project's real path)
    static let forms: [(argument: String?, in: String)] = [
        (".", "docs/adr"), ("./", "docs/adr"), ("./.", "docs/adr"), ("..", "docs/adr/sub"), ("../", "docs/adr/sub"),
        ("sub/..", "docs/adr"), ("./docs/adr/", ""), ("docs/adr///", ""), ("docs//adr", ""), ("../adr", "docs/adr/sub/.."),
        ("link", ""), ("link/", ""), (nil, ""),
    ]

    static func argument(_ form: (argument: String?, in: String), project: String) -> String {
        form.argument ?? (project + "/docs/adr")
    }

    @Test(arguments: 0..<forms.count)
    func `build finds the log and the templates beside it however the directory is written`(_ k: Int) throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let form = Self.forms[k]
        let argument = Self.argument(form, project: dir)
        let output = dir + "/out"
        let run = try Run.adrsite(["build", argument, "-o", output], in: dir + "/" + form.in, timeout: 60)
        #expect(run.status == 0, "\(argument): \(run.stderr)")
        #expect(run.stdout.contains("built 1 decision"), "\(argument): \(run.stdout)")
        let index = FileManager.default.contents(atPath: output + "/index.html").map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(index.contains("BESIDE-FOOTER"), "\(argument): the templates beside the directory were not used")
        let check = try Run.adrsite(["check", argument], in: dir + "/" + form.in, timeout: 60)
        #expect(check.status == 0 && check.stdout.contains("checked 1 decision"), "\(argument): \(check.stdout)\(check.stderr)")
    }

    @Test(arguments: [".", "./", "docs/adr/"])
    func `an .adr-dir file naming the directory works for build and check`(_ content: String) throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runIn = content == "docs/adr/" ? dir : dir + "/docs/adr"
        try (content + "\n").write(toFile: runIn + "/.adr-dir", atomically: false, encoding: .utf8)
        let run = try Run.adrsite(["build", "-o", dir + "/out"], in: runIn, timeout: 60)
        #expect(run.status == 0 && run.stdout.contains("built 1 decision"), "\(content): \(run.stdout)\(run.stderr)")
        let check = try Run.adrsite(["check"], in: runIn, timeout: 60)
        #expect(check.status == 0, "\(content): \(check.stderr)")
    }

    @Test(arguments: [".", "..", "link/"])
    func `serve starts and serves the log however the directory is written`(_ argument: String) throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runIn = argument == "." ? dir + "/docs/adr" : argument == ".." ? dir + "/docs/adr/sub" : dir
        let server = try ServeProcess([argument], in: runIn)
        defer { server.stop() }
        let page = try RawHTTP.get(port: server.port, path: "/index.html")
        #expect(page.status == 200 && page.body.contains("0001-good.html") && page.body.contains("BESIDE-FOOTER"), "\(page.body.prefix(300))")
    }
}
