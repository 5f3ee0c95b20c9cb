import Testing
@testable import ADRCore

/// One fixture folder per convention; each test asserts what a careful reader finds.
@Suite struct ConventionTests {
    @Test func `adr-tools records give number, title, date, status and amend and supersede relations`() {
        let log = Fixtures.log("nygard")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        #expect(log.decisions.map(\.number) == [1, 2, 3, 4, 5])
        let d2 = log.decision("0002-use-postgresql.md")
        #expect(d2.title == "Use PostgreSQL")
        #expect(d2.status == "accepted")
        #expect(d2.date?.description == "2019-03-10")
        #expect(d2.links == [Relation(type: .amendedBy, target: "0003-use-read-replicas", line: 9)])
        #expect(d2.mentions.map(\.target) == ["0001-record-architecture-decisions"])
        #expect(d2.backlinks == [Backlink(type: .amends, source: "0003-use-read-replicas")])
        let d4 = log.decision("0004-deploy-with-ansible.md")
        #expect(d4.status == "superseded")
        #expect(d4.statusCategory == .superseded)
        #expect(d4.successors == ["0005-deploy-with-kubernetes"])
    }

    @Test func `status and links inside fenced code do not count`() {
        let d3 = Fixtures.log("nygard").decision("0003-use-read-replicas.md")
        #expect(d3.status == "accepted")
        #expect(d3.links.map(\.target) == ["0002-use-postgresql"])
    }

    @Test func `MADR 2 bullets give status, deciders and dates in any common format`() {
        let log = Fixtures.log("madr2")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        let d1 = log.decision("0001-use-markdown-architectural-decision-records.md")
        #expect(d1.parsed.deciders == ["Anna Müller", "Bob Smith"])
        #expect(d1.date?.description == "2020-09-24")
        let d2 = log.decision("0002-use-yarn.md")
        #expect(d2.status == "superseded")
        #expect(d2.date?.description == "2020-10-21")
        #expect(d2.links.map(\.type) == [.supersededBy, .linksTo])
        let d3 = log.decision("0003-use-pnpm.md")
        #expect(d3.status == "accepted")
        #expect(d3.date?.description == "2020-11-09")
        #expect(d3.links == [Relation(type: .supersedes, target: "0002-use-yarn", line: 6)])
    }

    @Test func `MADR 3 front matter wins over the body and is never shifted by a time zone`() {
        let log = Fixtures.log("madr3")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        let d1 = log.decision("0001-use-json-for-config.md")
        #expect(d1.status == "accepted")
        #expect(d1.date?.description == "2022-01-10")
        #expect(d1.parsed.deciders == ["Alice", "Bob"])
        #expect(d1.parsed.tags == ["config", "formats"])
        let d2 = log.decision("0002-use-toml-for-config.md")
        #expect(d2.status == "superseded")
        #expect(d2.date?.description == "2022-03-01")
        #expect(d2.parsed.deciders == ["Carol"])
        #expect(d2.links == [Relation(type: .supersededBy, target: "0003-use-yaml-for-config", line: 2)])
        let d3 = log.decision("0003-use-yaml-for-config.md")
        #expect(d3.title == "Use YAML for configuration")
        #expect(d3.links.map(\.type) == [.supersedes])
    }

    @Test func `log4brains date-named files have a date and no number; index and template files are not decisions`() {
        let log = Fixtures.log("log4brains")
        #expect(log.decisions.map(\.number) == [nil, nil])
        #expect(log.decisions.map { $0.date?.description } == ["2020-09-24", "2020-10-16"])
        #expect(log.excluded.map(\.path) == ["README.md", "index.md", "template.md"])
        #expect(log.decision("20201016-use-the-adr-slug-as-its-unique-id.md").links.map(\.target)
                == ["20200924-use-markdown-architectural-decision-records"])
    }

    @Test func `metadata tables give status, date and tags, and relations named without a link`() {
        let log = Fixtures.log("status-table")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        #expect(log.decisions.map(\.id) == ["ADR-1", "ADR-7", "ADR-15"])
        let d1 = log.decision("ADR-1.md")
        #expect(d1.status == "implemented")
        #expect(d1.statusCategory == .accepted)
        #expect(d1.date?.description == "2020-04-30")
        #expect(d1.parsed.tags == ["jetstream", "client"])
        let d7 = log.decision("ADR-7.md")
        #expect(d7.status == "partially implemented")
        #expect(d7.links.map(\.type) == [.updates])
        let d15 = log.decision("ADR-15.md")
        #expect(d15.status == "deprecated")
        #expect(d15.links == [Relation(type: .replacedBy, target: "ADR-7", line: 12)])
        #expect(d15.successors == ["ADR-7"])
    }

    @Test func `subfolders become categories and a folder with only a README is one decision`() {
        let log = Fixtures.log("categories")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        let tracing = log.decision("2022-02-07-tracing/README.md")
        #expect(tracing.id == "2022-02-07-tracing")
        #expect(tracing.date?.description == "2022-02-07")
        #expect(tracing.number == nil)
        #expect(tracing.links.map(\.target) == ["security/0001-rotate-secrets"])
        let secrets = log.decision("security/0001-rotate-secrets.md")
        #expect(secrets.category == "security")
        #expect(secrets.url == "security/0001-rotate-secrets.html")
        #expect(secrets.links.map(\.target) == ["infra/0002-use-terraform"])
        #expect(log.excluded.map(\.path) == ["security/README.md", "templates/0000-template.md"])
        #expect(log.assets.contains("infra/plan.svg"))
    }

    @Test func `the seed format gives title, status, sections, consequences and four follow-ups`() {
        let d = Fixtures.log("seed").decision("0001-use-go-for-services.md")
        #expect(d.title == "Use Go for Services")
        #expect(d.status == "accepted")
        #expect(d.parsed.sections.map(\.title) == ["Status", "Context", "Decision", "Consequences", "Positive",
                                                   "Negative", "Follow-Up Actions", "Alternatives Considered"])
        #expect(d.parsed.sections.map(\.level) == [2, 2, 2, 2, 3, 3, 2, 2])
        #expect(d.parsed.sections.map(\.line) == [3, 7, 11, 15, 17, 21, 25, 32])
        #expect(d.followUps.map(\.text) == ["Choose an HTTP router.", "Define a logging convention.",
                                            "Set up a shared CI template.", "Plan the deployment, see ADR-0004."])
        #expect(d.followUps.map(\.anchor) == ["follow-up-1", "follow-up-2", "follow-up-3", "follow-up-4"])
        #expect(d.followUps.map(\.line) == [27, 28, 29, 30])
    }

    @Test func `follow-ups are addressed by prose, by front matter, by a link to the anchor and by the item's own link`() {
        let d = Fixtures.log("seed").decision("0001-use-go-for-services.md")
        #expect(d.followUps.map(\.addressedBy) == [
            ["0002-use-chi-as-http-router"],   // "This addresses follow-up 1 of [ADR-0001](…)"
            ["0003-log-as-json-lines"],        // front matter `addresses: "0001#2"`
            [],                                // open
            ["0004-deploy-on-nomad"],          // item links to 0004, and 0004 links to #follow-up-4
        ])
        #expect(d.openFollowUps == 1)
    }
}

@Suite struct MetadataLinesTests {
    @Test func `metadata lines the header shows are left out of the body, others stay`() {
        func body(_ d: ParsedDecision) -> String { String(decoding: d.body.filled(), as: UTF8.self) }
        let shown = parse("# T\n\nDate: 2024-01-02\n\n* Status: accepted\n* Deciders: A, B\n\n## Context\n\nx\n")
        #expect(!body(shown).contains("2024-01-02") && !body(shown).contains("accepted") && body(shown).contains("Context"))
        let tbd = parse("# T\n\nDate: TBD\n\n## Status\n\nAccepted\n")
        #expect(body(tbd).contains("Date: TBD"))
        let twoDates = parse("# T\n\nDate: 2024-01-02\nLast updated: 2024-05-06\n\n## Status\n\nAccepted\n")
        #expect(body(twoDates).contains("Date: 2024-01-02"))
        let overridden = parse("---\nstatus: rejected\n---\n# T\n\nStatus: Accepted\n")
        #expect(body(overridden).contains("Status: Accepted"))
        #expect(overridden.status == "rejected")
    }
}

/// Conventions of real logs found after the first release: each has its fixture folder.
@Suite struct MoreConventionTests {
    @Test func `a title that repeats the number loses it, in front matter and in a heading`() {
        let log = Fixtures.log("title-number")
        #expect(log.diagnostics.isEmpty, "\(log.diagnosticLines)")
        #expect(log.decision("0012-stream-events-through-kafka.md").title == "Stream events through Kafka")
        #expect(log.decision("0013-cache-sessions-in-redis.md").title == "Cache sessions in Redis")
        #expect(log.decision("0014-keep-the-ledger-in-postgres.md").title == "Keep the ledger in Postgres")
        #expect(log.decisions.map(\.number) == [12, 13, 14])
    }

    @Test func `a template's placeholder where the number goes is no part of the title`() {
        let log = Fixtures.log("placeholder-number")
        #expect(log.decision("0001-record-architecture-decisions.md").title == "Record architecture decisions")
        #expect(log.decision("0002-pick-a-queue.md").title == "Title of the decision")
        #expect(log.decision("0003-adopt-opentelemetry.md").title == "Adopt OpenTelemetry")
        // A lone capital is a placeholder only where the file name has a number.
        #expect(log.decision("use-regions.md").title == "N. Korea is not a place we deploy to")
        #expect(!log.diagnosticLines.contains { $0.contains("heading says number") })
    }

    @Test func `a change log gives the status and date of its latest entry when nothing else does`() {
        let log = Fixtures.log("change-log")
        let events = log.decision("0001-device-events.md")
        #expect(events.status == "approved")
        #expect(events.statusCategory == .accepted)
        #expect(events.date?.description == "2023-04-17")
        // Newest first: the latest entry is the one with the latest date.
        let profiles = log.decision("0002-device-profiles.md")
        #expect(profiles.status == "approved")
        #expect(profiles.date?.description == "2023-06-20")
        // A status section wins over the change log; its date is still the log's.
        let retired = log.decision("0003-retire-registry.md")
        #expect(retired.status == "deprecated")
        #expect(retired.date?.description == "2022-01-03")
        #expect(!log.diagnosticLines.contains { $0.contains("no status found") }, "\(log.diagnosticLines)")
    }

    @Test func `a status that says what reverted the decision is the keyword, never the link's text`() {
        let log = Fixtures.log("reverted-by")
        let sharded = log.decision("0001-shard-the-database.md")
        #expect(sharded.status == "reverted")
        #expect(sharded.statusCategory == .superseded)
        #expect(sharded.links.map(\.type) == [.revertedBy])
        #expect(sharded.successors == ["0002-scale-up"])
        #expect(log.decision("0002-scale-up.md").links.map(\.type) == [.reverts])
        #expect(StatusRules.normalize("Superseded by [the accepted one](x.md)") == "superseded")
        #expect(StatusRules.normalize("Replaced by ADR-7, which was approved") == "replaced")
    }
}
