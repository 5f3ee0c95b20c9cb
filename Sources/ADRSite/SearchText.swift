import ADRCore

/// The text the search box searches in each decision: everything a reader sees in the body
/// (text, code, link text, image descriptions), on one line, without the title (read in the
/// parse stage, `ParsedDecision.searchText`).
func searchableText(of d: Decision) -> String { d.parsed.searchText }

/// The search files: `search.json`, each decision's entry without its text (for scripts and
/// wikis), and `assets/search-index.js`, the entries with their text as a script (the search
/// box loads it with a `<script>` tag, which unlike fetch() works from file://). Written in one
/// pass over the log, straight into the two files: the text is the largest part of a site, and
/// it is held once.
func searchFiles(_ context: Context) -> (json: [UInt8], script: [UInt8]) {
    let decisions = context.log.decisions
    let textBytes = decisions.reduce(0) { $0 + $1.parsed.searchText.utf8.count }
    var json = JSONWriter(pretty: false, capacity: decisions.count * 400 + 2)
    var script = JSONWriter(pretty: false, capacity: decisions.count * 420 + textBytes + textBytes / 16 + 64)
    json.beginArray()
    script.verbatim("window.adrsiteSearch = ")
    script.beginArray()
    for i in decisions.indices {
        context.writeSearchEntry(i, into: &json, text: false)
        context.writeSearchEntry(i, into: &script, text: true)
    }
    json.endArray()
    script.endArray()
    script.verbatim(";\n")
    return (json.bytes, script.bytes)
}
