import ADRCore

/// The text the search box searches in each decision: everything a reader sees in the body
/// (text, code, link text, image descriptions), on one line, without the title (read in the
/// parse stage, `ParsedDecision.searchText`).
func searchableText(of d: Decision) -> String { d.parsed.searchText }

/// The search files from each decision's search entry (`Context.searchEntry`, whose last field is
/// `text`): `search.json`, the entries without their text (for scripts and wikis, as small as it
/// was before the text was added), and `assets/search-index.js`, the whole entries as a script
/// (the search box loads it with a `<script>` tag, which unlike fetch() works from file://). The
/// text is written once, in the script only.
func searchFiles(entries: [[UInt8]]) -> (json: [UInt8], script: [UInt8]) {
    let marker = Array(#","text":""#.utf8)
    var json: [UInt8] = [UInt8(ascii: "[")], script = Array("window.adrsiteSearch = [".utf8)
    json.reserveCapacity(entries.count * 400)
    script.reserveCapacity(entries.reduce(script.count + 4) { $0 + $1.count + 1 })
    for (k, entry) in entries.enumerated() {
        if k > 0 {
            json.append(UInt8(ascii: ","))
            script.append(UInt8(ascii: ","))
        }
        script.append(contentsOf: entry)
        // A key's quotes are bare; inside a string value every quote is escaped, so the first
        // `,"text":"` is the field.
        if let cut = firstIndex(of: marker, in: entry) {
            json.append(contentsOf: entry[..<cut])
            json.append(UInt8(ascii: "}"))
        } else {
            json.append(contentsOf: entry)
        }
    }
    json.append(UInt8(ascii: "]"))
    script.append(contentsOf: Array("];\n".utf8))
    return (json, script)
}

private func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= needle.count else { return nil }
    var i = 0
    while i + needle.count <= bytes.count {
        if bytes[i] == needle[0] && bytes[i + 1] == needle[1] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
        i += 1
    }
    return nil
}
