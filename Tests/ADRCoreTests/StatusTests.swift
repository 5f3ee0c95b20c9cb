import Testing
@testable import ADRCore

@Test(arguments: [
    ("Accepted", "accepted"),
    ("accepted", "accepted"),
    ("ACCEPTED", "accepted"),
    ("Accepted.", "accepted"),
    ("  Accepted  ", "accepted"),
    ("Accepted (lazy consensus) & implemented", "accepted"),
    ("Accepted on 2020-11-09", "accepted"),
    ("Accepted - 2020-11-09", "accepted"),
    ("Accepted, 9 November 2020", "accepted"),
    ("Accepted by the architecture board", "accepted"),
    ("Proposed (2020-11-09)", "proposed"),
    ("Superseded by 3. Use Kafka", "superseded"),
    ("Superseded by ADR-0005", "superseded"),
    ("Deprecated in favour of ADR-12", "deprecated"),
    ("Rejected because of cost", "rejected"),
    ("Draft", "draft"),
])
func `the leading status word is the status`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    ("Partially Implemented", "partially implemented"),
    ("Partially Implemented in #1811", "partially implemented"),
    ("Not-Implemented", "not implemented"),
    ("Not implemented", "not implemented"),
    ("Not accepted", "not accepted"),
    ("In Review", "in review"),
    ("Work in progress", "work in progress"),
    ("On hold", "on hold"),
    ("Under discussion since March", "under discussion"),
])
func `a status of several words is read whole`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    ("** Approved **", "approved"),
    ("*Accepted*", "accepted"),
    ("[Accepted]", "accepted"),
    ("\"Accepted\"", "accepted"),
    ("`accepted`", "accepted"),
    ("✅ Accepted", "accepted"),
    ("✅Accepted", "accepted"),
    ("🟢 Accepted", "accepted"),
    ("🚧 Draft", "draft"),
    ("❌ Rejected", "rejected"),
    ("Accepted ✅", "accepted"),
    ("Accepted\u{00A0}(2020)", "accepted"),
    ("> Accepted", "accepted"),
])
func `decoration around the status word is dropped`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    ("Status: Accepted", "accepted"),
    ("Status: ✅ Accepted", "accepted"),
    ("status : proposed", "proposed"),
    ("Statut : Accepté", "accepté"),
    ("Estado: Aceptado", "aceptado"),
    ("State: Deprecated", "deprecated"),
    ("Current status: Superseded by ADR-4", "superseded"),
])
func `a Status label before the value is no part of the status`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    ("Accepted/Implemented", "accepted"),
    ("Accepted | Implemented", "accepted"),
    ("Accepted; implemented in v2", "accepted"),
])
func `of two statuses in a row the first is read`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    ("Proposed → Accepted", "accepted"),
    ("Proposed -> Accepted (2020-11-09)", "accepted"),
    ("Draft ⇒ Proposed ⇒ Accepted", "accepted"),
    ("Accepted → Superseded by ADR-5", "superseded"),
    ("Superseded → see ADR-5", "superseded"),
])
func `a history of states ends with the current one`(raw: String, expected: String) {
    #expect(StatusRules.normalize(raw) == expected)
}

@Test(arguments: [
    // French
    ("Proposé", "proposé", StatusCategory.proposed),
    ("PROPOSÉ", "proposé", .proposed),
    ("Accepté", "accepté", .accepted),
    ("Acceptée le 3 mars 2021", "acceptée", .accepted),
    ("Rejeté", "rejeté", .rejected),
    ("Remplacé par ADR-3", "remplacé", .superseded),
    ("Déprécié", "déprécié", .deprecated),
    ("Brouillon", "brouillon", .proposed),
    ("En cours", "en cours", .proposed),
    // German
    ("Akzeptiert", "akzeptiert", .accepted),
    ("Angenommen", "angenommen", .accepted),
    ("Abgelehnt", "abgelehnt", .rejected),
    ("Vorgeschlagen", "vorgeschlagen", .proposed),
    ("Entwurf", "entwurf", .proposed),
    ("Ersetzt durch ADR-5", "ersetzt", .superseded),
    ("Veraltet", "veraltet", .deprecated),
    ("Gültig", "gültig", .accepted),
    ("Umgesetzt", "umgesetzt", .accepted),
    ("In Bearbeitung", "in bearbeitung", .proposed),
    ("Zurückgezogen", "zurückgezogen", .rejected),
    ("En attente", "en attente", .proposed),
    ("En vigueur depuis 2021", "en vigueur", .accepted),
    // Spanish
    ("Aceptado", "aceptado", .accepted),
    ("Aceptada", "aceptada", .accepted),
    ("Propuesto", "propuesto", .proposed),
    ("Rechazado", "rechazado", .rejected),
    ("Reemplazado por ADR-3", "reemplazado", .superseded),
    ("Obsoleto", "obsoleto", .deprecated),
    ("Pendiente", "pendiente", .proposed),
    ("En revisión", "en revisión", .proposed),
    ("Descartado", "descartado", .rejected),
    ("Implementado", "implementado", .accepted),
])
func `statuses in French, German and Spanish stay in their language and get the right badge`(
    raw: String, expected: String, category: StatusCategory
) {
    let status = StatusRules.normalize(raw)
    #expect(status == expected)
    #expect(StatusRules.category(status) == category)
}

@Test func `a decomposed accent is the same status as a composed one`() {
    let decomposed = StatusRules.normalize("Propose\u{0301}")
    #expect(decomposed == "proposé")
    #expect(StatusRules.category(decomposed) == .proposed)
}

@Test func `a status in a sentence is the status word a reader takes away`() {
    #expect(StatusRules.normalize("This decision was accepted by the architecture board") == "accepted")
    #expect(StatusRules.normalize("We have deprecated this approach in 2022") == "deprecated")
}

@Test(arguments: ["", "   ", "—", "✅", "123", "2020-11-09", "-"])
func `a status line with no words gives no status`(raw: String) {
    #expect(StatusRules.normalize(raw) == nil)
}

// MARK: - Categories

@Test(arguments: [
    ("accepted", StatusCategory.accepted),
    ("approved", .accepted),
    ("adopted", .accepted),
    ("active", .accepted),
    ("implemented", .accepted),
    ("partially implemented", .accepted),
    ("done", .accepted),
    ("proposed", .proposed),
    ("pending", .proposed),
    ("in review", .proposed),
    ("draft", .proposed),
    ("open", .proposed),
    ("work in progress", .proposed),
    ("rfc", .proposed),
    ("rejected", .rejected),
    ("declined", .rejected),
    ("withdrawn", .rejected),
    ("not accepted", .rejected),
    ("not implemented", .rejected),
    ("deprecated", .deprecated),
    ("obsolete", .deprecated),
    ("retired", .deprecated),
    ("superseded", .superseded),
    ("superceded", .superseded),
    ("replaced", .superseded),
    ("on hold", .other),
    ("experimental", .other),
    ("tbd", .proposed),
    ("whatever", .other),
])
func `each status maps to its badge category`(status: String, category: StatusCategory) {
    #expect(StatusRules.category(status) == category)
}

@Test func `no status is the other category`() {
    #expect(StatusRules.category(nil) == .other)
    #expect(StatusRules.category("") == .other)
}

@Test(arguments: [
    ("provisionally approved", StatusCategory.accepted),
    ("reaccepted", .accepted),
    ("re-proposed", .proposed),
    ("deprecating", .deprecated),
    ("superseeded", .superseded),
])
func `an unlisted status is categorised by its stem`(status: String, category: StatusCategory) {
    #expect(StatusRules.category(status) == category)
}

@Test(arguments: [
    ("not yet decided", StatusCategory.proposed),
    ("not yet accepted", .proposed),
    ("not started", .proposed),
])
func `a status that is not yet decided is proposed, not rejected`(status: String, category: StatusCategory) {
    #expect(StatusRules.category(StatusRules.normalize(status)) == category)
}

@Test func `the categories sort in badge order`() {
    #expect(StatusCategory.allCases.sorted() == [.proposed, .accepted, .rejected, .deprecated, .superseded, .other])
}

// MARK: - Through the parser

@Test(arguments: [
    "# T\n\n## Status\n\nAccepted\n",
    "# T\n\n## Status\n\n**Accepted**\n",
    "# T\n\n## Status\n\nStatus: Accepted\n",
    "# T\n\nStatus: Accepted\n",
    "# T\n\n**Status:** Accepted\n",
    "# T\n\n**Status**: Accepted\n",
    "# T\n\n* Status: Accepted\n* Date: 2020-11-09\n",
    "# T\n\n- **Status**: accepted\n",
    "# T\n\n## Status: Accepted\n",
    "# T\n\n| Status | Accepted |\n|---|---|\n| Date | 2020-11-09 |\n",
    "---\nstatus: accepted\n---\n# T\n",
    "---\nStatus: Accepted\n---\n# T\n",
    "# T\n\n## Status\n\n✅ Accepted\n",
    "# 1. T\n\n## 2. Status\n\nAccepted\n",
    "# T\n\n### Status\n\nAccepted (2020-11-09)\n",
])
func `the status is found however the file states it`(text: String) {
    let d = parse(text)
    #expect(d.status == "accepted")
    #expect(d.statusCategory == .accepted)
}

@Test func `a one-row table whose header names the keys gives the status, not the header`() {
    let d = parse("# T\n\n| Status | Date |\n|---|---|\n| Accepted | 2020-11-09 |\n")
    #expect(d.date?.description == "2020-11-09")
    #expect(d.status == "accepted")
}

@Test func `a Status line with a full-width colon is read`() {
    #expect(parse("# T\n\nStatus：Accepted\n").status == "accepted")
}

@Test func `a status section in French, German or Spanish is read`() {
    #expect(parse("# T\n\n## Statut\n\nProposé\n").status == "proposé")
    #expect(parse("# T\n\n## État\n\nAccepté\n").status == "accepté")
    #expect(parse("# T\n\nStatut : Accepté\n").status == "accepté")
    #expect(parse("# T\n\n## Estado\n\nAceptado\n").status == "aceptado")
    #expect(parse("# T\n\nEstado: Propuesto\n").status == "propuesto")
    #expect(parse("# T\n\nStatus: Angenommen\n").status == "angenommen")
}

@Test func `a superseded-by link in the status section is read as superseded`() {
    let d = parse("# T\n\n## Status\n\nSuperseded by [3. Use Kafka](0003-use-kafka.md)\n")
    #expect(d.status == "superseded")
    #expect(d.statusCategory == .superseded)
}

@Test func `front matter status wins over the body`() {
    let d = parse("---\nstatus: rejected\n---\n# T\n\n## Status\n\nAccepted\n")
    #expect(d.status == "rejected")
}

@Test func `the first status in the document wins`() {
    let d = parse("# T\n\nStatus: Proposed\n\n## Status\n\nAccepted\n")
    #expect(d.status == "proposed")
}

@Test func `status text in a fenced code example is ignored`() {
    let d = parse("# T\n\n```\nStatus: Rejected\n```\n\n## Status\n\nAccepted\n")
    #expect(d.status == "accepted")
}

@Test func `a file with no status says so`() {
    let d = parse("# T\n\n## Context\n\nSomething.\n")
    #expect(d.status == nil)
    #expect(d.diagnostics.contains { $0.message.contains("no status found") })
}
