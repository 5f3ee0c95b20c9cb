/// The link stage: runs once over the whole log, as small passes over plain values. It gives
/// every decision its id and its place in the log (`IDs`), resolves every link and reference
/// (`LinkResolver`, `Relations`), records each relation's reverse on the other decision, decides
/// who addresses which follow-up (`FollowUps`), which decisions are superseded
/// (`Supersession`), and reports what does not add up (`Checks`). It reads no file: what it
/// cannot know without looking (whether a link out of the log leads to a file) it hands back
/// as `fileChecks`.
public enum Linker {
    public struct Options: Sendable {
        /// The repository's web address for the ADR directory (`https://github.com/o/r/tree/main/docs/adr`);
        /// links to it count as links into the log.
        public var repositoryURL: String?
        /// Copy attachments that can run scripts (`--unsafe-html`); otherwise they are left out.
        public var allowActiveAttachments = false
        public init(repositoryURL: String? = nil) { self.repositoryURL = repositoryURL }
    }

    /// A file whose existence decides whether a link is broken (outside the log, so only the
    /// load stage may look), and the warning the link gets when it does not exist.
    public struct FileCheck: Sendable, Hashable {
        public var path: String
        public var diagnostic: Diagnostic
    }

    /// The linked log, and the files whose existence decides whether a link is broken.
    public struct Result: Sendable {
        public var log: DecisionLog
        public var fileChecks: [FileCheck]
    }

    /// Links parse results (in any order) with what the load stage found.
    public static func link(_ input: [ParsedDecision], loaded: LoadedDirectory, readmeTitle: String? = nil,
                            options: Options = Options()) -> Result {
        let (inputIDs, inputBases, idDiagnostics) = IDs.assign(input.map(\.source))
        let order = IDs.order(input)
        let parsed = order.map { input[$0] }, ids = order.map { inputIDs[$0] }
        let index = LogIndex(sources: parsed.map(\.source), ids: ids, bases: order.map { inputBases[$0] },
                             numbers: parsed.map(\.number))
        let relations = Relations(resolver: LinkResolver(index: index, loaded: loaded, repositoryURL: options.repositoryURL),
                                  parsed: parsed, ids: ids)
        let found = Parallel.map(parsed.count, scratch: { Relations.Anchors() }) { i, anchors in
            relations.find(i, anchors: &anchors)
        }
        let backlinks = Relations.backlinks(found, ids: ids)
        let followUps = FollowUps.resolve(parsed, found: found, ids: ids)
        let (categories, supersession) = Supersession.check(parsed, found: found, backlinks: backlinks)
        let (blocked, attachments) = Checks.attachments(found, ids: ids, problems: loaded.assetProblems,
                                                        allowActive: options.allowActiveAttachments)

        var diagnostics = loaded.diagnostics + idDiagnostics
        for d in parsed { diagnostics += d.diagnostics }
        for f in found { diagnostics += f.diagnostics }
        diagnostics += supersession + Checks.duplicateNumbers(index, parsed: parsed) + attachments
        let decisions = parsed.indices.map { i in
            Decision(id: ids[i], url: ids[i] + ".html", parsed: parsed[i], links: found[i].links,
                     mentions: found[i].mentions, backlinks: backlinks[i], followUps: followUps[i],
                     linkTargets: found[i].linkTargets, statusCategory: categories[i])
        }
        let log = DecisionLog(decisions: decisions, diagnostics: diagnostics, assets: loaded.assets,
                              excluded: loaded.excluded, root: loaded.root, readmeTitle: readmeTitle,
                              blockedAssets: blocked, uniqueNumbers: index.uniqueNumbers)
        return Result(log: log, fileChecks: found.flatMap(\.fileChecks))
    }
}
