/// The checks of the link stage that look at the whole log: numbers used twice, attachments that
/// are not copied, and links to files that do not exist.
enum Checks {
    /// A warning on every decision whose number an earlier one has.
    static func duplicateNumbers(_ index: LogIndex, parsed: [ParsedDecision]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (n, list) in index.byNumber.filter({ $0.value.count > 1 }).sorted(by: { $0.key < $1.key }) {
            let first = parsed[list[0]].source
            for i in list.dropFirst() {
                diagnostics.append(.warning(parsed[i].source, line: 1, column: 1, "number \(n) is also used by \(first)"))
            }
        }
        return diagnostics
    }

    /// The attachments the decisions link to that are left out of the site, each with a
    /// warning: those at a path the site writes itself (`GeneratedPaths`), always, and those that
    /// could run scripts on the site (the load stage's verdicts, `AssetPolicy`) unless allowed.
    static func attachments(_ found: [Relations.Found], ids: [String], problems: [String: String], allowActive: Bool)
        -> (blocked: Set<String>, diagnostics: [Diagnostic]) {
        var referenced = Set<String>()
        for f in found {
            for case .asset(let path, _)? in f.linkTargets { referenced.insert(path) }
        }
        guard !referenced.isEmpty else { return ([], []) }
        let decisionIDs = Set(ids)
        var blocked = Set<String>()
        var diagnostics: [Diagnostic] = []
        for path in referenced.sorted() {
            if let problem = GeneratedPaths.problem(path, decisionIDs: decisionIDs) {
                blocked.insert(path)
                diagnostics.append(.warning(path, "not copied into the site: \(problem); links to it are written as text"))
            } else if !allowActive, let problem = problems[path] {
                blocked.insert(path)
                diagnostics.append(.warning(path, "not copied into the site: \(problem); links to it are written as text (--unsafe-html copies it)"))
            }
        }
        return (blocked, diagnostics)
    }

    /// The warnings of the links to files outside the log that do not exist; `existing` are those
    /// the load stage found (`Loader.existing`).
    static func missingFiles(_ checks: [Linker.FileCheck], existing: Set<String>) -> [Diagnostic] {
        checks.filter { !existing.contains($0.path) }.map(\.diagnostic)
    }
}
