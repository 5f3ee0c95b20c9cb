/// `decisions.json`: the export that wikis, scripts and the site all use. Keys absent in the
/// source are `null` or empty, never invented.
public enum DecisionsJSON {
    public static let schemaVersion = 1

    /// `objects`: each decision's object as `object(_:)` writes it, when the caller has them
    /// (made in parallel, or kept from an earlier build); otherwise they are written here.
    public static func render(_ log: DecisionLog, objects: consuming [[UInt8]]? = nil) -> [UInt8] {
        // Each object is let go once it is copied: the file and all its pieces are not held at once.
        var parts = (consume objects) ?? log.decisions.map(object)
        var w = JSONWriter(capacity: parts.reduce(4096) { $0 + $1.count + 8 } + 256 * log.diagnostics.count)
        w.beginObject()
        w.field("schemaVersion", schemaVersion)
        w.field("generator", "adrsite \(adrsiteVersion)")
        w.key("decisions")
        w.beginArray()
        for k in parts.indices {
            w.rawValue(parts[k])
            parts[k] = []
        }
        w.endArray()
        w.key("diagnostics")
        w.beginArray()
        for diag in log.diagnostics {
            w.beginObject()
            w.field("file", diag.file)
            w.field("line", diag.line)
            w.field("column", diag.column)
            w.field("severity", diag.severity.rawValue)
            w.field("message", diag.message)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.finish()
    }

    /// One decision's object, indented for its place in the `decisions` array.
    public static func object(_ d: Decision) -> [UInt8] {
        var w = JSONWriter(baseDepth: 2, capacity: 4096)
        write(d, to: &w)
        // Held for every decision until decisions.json is written: without the spare capacity.
        return w.bytes.withUnsafeBufferPointer { Array($0) }
    }

    static func write(_ d: Decision, to w: inout JSONWriter) {
        w.beginObject()
        w.field("id", d.id)
        w.field("source", d.source)
        w.field("url", d.url)
        w.field("number", d.number)
        w.field("title", d.title)
        w.field("status", d.status)
        w.field("statusCategory", d.statusCategory.rawValue)
        w.field("date", d.date?.description)
        w.field("category", d.category)
        w.field("deciders", d.parsed.deciders)
        w.field("tags", d.parsed.tags)
        w.key("links")
        w.beginArray()
        for l in d.links {
            w.beginObject()
            w.field("type", l.type.rawValue)
            w.field("target", l.target)
            w.endObject()
        }
        w.endArray()
        w.key("mentions")
        w.beginArray()
        for m in d.mentions {
            w.beginObject()
            w.field("type", m.type.rawValue)
            w.field("target", m.target)
            w.endObject()
        }
        w.endArray()
        w.key("backlinks")
        w.beginArray()
        for b in d.backlinks {
            w.beginObject()
            w.field("type", b.type.rawValue)
            w.field("source", b.source)
            w.endObject()
        }
        w.endArray()
        w.field("successors", d.successors)
        w.key("followUps")
        w.beginArray()
        for f in d.followUps {
            w.beginObject()
            w.field("number", f.number)
            w.field("anchor", f.anchor)
            w.field("text", f.text)
            w.field("line", f.line)
            // true or false for a task list item, null for a plain one.
            w.key("checked")
            if let checked = f.checked { w.value(checked) } else { w.value(nil as String?) }
            w.field("addressedBy", f.addressedBy)
            w.endObject()
        }
        w.endArray()
        w.key("sections")
        w.beginArray()
        for s in d.parsed.sections {
            w.beginObject()
            w.field("title", s.title)
            w.field("level", s.level)
            w.field("line", s.line)
            w.field("anchor", s.anchor)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
