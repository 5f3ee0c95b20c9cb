import Foundation
import Testing
@testable import ADRCore

/// The SVG check parses the file as XML and refuses anything that could run or load something,
/// however it is spelled; clean diagrams as editors write them pass.
@Suite struct AssetPolicyTests {
    static let svg = #"xmlns="http://www.w3.org/2000/svg""#

    static let refused: [String] = [
        "<svg \(svg)><script>alert(1)</script></svg>",
        "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"><svg:script>alert(1)</svg:script></svg:svg>",
        "<svg \(svg)><x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script></svg>",
        "<svg \(svg)><SCRIPT>alert(1)</SCRIPT></svg>",
        "<svg \(svg)><x:div xmlns:x=\"http://www.w3.org/1999/xhtml\"/></svg>",
        "<svg \(svg)><handler>alert(1)</handler></svg>",
        "<svg \(svg)><foreignObject><div/></foreignObject></svg>",
        "<svg \(svg)><iframe src=\"x\"/></svg>",
        "<svg \(svg)\nonload\n=\n\"alert(1)\"/>",
        "<svg \(svg)><rect OnClick=\"alert(1)\"/></svg>",
        "<svg \(svg) xmlns:e=\"urn:e\"><rect e:onmouseover=\"alert(1)\"/></svg>",
        "<svg \(svg)><a href=\"javascript&#58;alert(1)\"><text>x</text></a></svg>",
        "<svg \(svg)><a href=\"&#x6A;&#x61;va&#x09;script:alert(1)\"><text>x</text></a></svg>",
        "<svg \(svg)><a href=\" JaVaScRiPt:alert(1)\"><text>x</text></a></svg>",
        "<svg \(svg) xmlns:l=\"http://www.w3.org/1999/xlink\"><a l:href=\"java\nscript:alert(1)\"><text>x</text></a></svg>",
        "<svg \(svg)><a><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text>x</text></a></svg>",
        "<svg \(svg)><a><animate attributeName=\"xlink:href\" values=\"https://evil.example/\"/></a></svg>",
        "<svg \(svg)><set attributeName=\"onclick\" to=\"alert(1)\"/></svg>",
        "<svg \(svg)><a href=\"https://evil.example/\"><text>x</text></a></svg>",
        "<svg \(svg)><a href=\"//evil.example/\"><text>x</text></a></svg>",
        "<svg \(svg)><a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\"><text>x</text></a></svg>",
        "<svg \(svg)><image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/></svg>",
        "<svg \(svg)><image href=\"https://evil.example/pixel.png\"/></svg>",
        "<svg \(svg)><use href=\"sprites.svg#icon\"/></svg>",
        "<svg \(svg)><rect fill=\"url(https://evil.example/#g)\"/></svg>",
        "<svg \(svg)><rect style=\"fill: url('//evil.example/x')\"/></svg>",
        "<svg \(svg)><style>@import 'https://evil.example/x.css';</style></svg>",
        "<svg \(svg)><style><![CDATA[rect { background: url(https://evil.example/) }]]></style></svg>",
        "<svg \(svg)><style>rect { background: u\\72l(x) }</style></svg>",
        "<svg \(svg) xml:base=\"https://evil.example/\"><a href=\"x\"><text>x</text></a></svg>",
        "<?xml-stylesheet type=\"text/xsl\" href=\"x.xsl\"?><svg \(svg)/>",
        "<svg \(svg)><?php echo 1; ?></svg>",
        "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\"><svg \(svg)/>",
        "<!DOCTYPE svg [<!ENTITY e \"x\">]><svg \(svg)>&e;</svg>",
        "<?xml version=\"1.0\" encoding=\"UTF-7\"?><svg \(svg)/>",
        "<svg \(svg)><rect>",
        "<svg \(svg)></svg><svg \(svg)/>",
        "<svg \(svg)><a b=\"1\" b=\"2\"/></svg>",
        "<svg \(svg)><p:x/></svg>",
        "<svg \(svg)>&colon;</svg>",
        "<svg \(svg)><rect onclick&#x20;=\"alert(1)\"/></svg>",
        "",
        "not xml at all",
    ]

    @Test(arguments: refused)
    func `an SVG that could run a script, load from elsewhere or be read otherwise by a browser is refused`(_ text: String) {
        #expect(AssetPolicy.svgProblem(Array(text.utf8)) != nil, "\(text)")
    }

    @Test func `an SVG in UTF-16 is refused`() {
        let text = "<svg \(Self.svg)><script>alert(1)</script></svg>"
        let utf16: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(AssetPolicy.svgProblem(utf16) == "it is not encoded in UTF-8")
    }

    static let accepted: [String] = [
        "<svg \(svg) width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>",
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?>\n<!-- Created with Inkscape -->\n<svg \(svg) xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:sodipodi=\"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd\" xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" sodipodi:docname=\"d.svg\" inkscape:version=\"1.2\"><metadata><rdf:RDF><dc:title>Online onboarding</dc:title></rdf:RDF></metadata><sodipodi:namedview id=\"nv\" inkscape:zoom=\"1\"/><defs><linearGradient id=\"g\"><stop offset=\"0\"/></linearGradient><marker id=\"m\"><path d=\"M0 0\"/></marker></defs><g inkscape:label=\"Layer 1\" inkscape:groupmode=\"layer\"><rect fill=\"url(#g)\" style=\"fill:url(#g);stroke:#000;marker-end:url(#m)\" width=\"5\" height=\"5\"/><use xlink:href=\"#m\"/><text>one → two &amp; three</text></g></svg>",
        "<svg \(svg)><style>.a { fill: #fff; font: 12px sans-serif }</style><a href=\"#section\"><text class=\"a\">onward</text></a><a href=\"0002-next.html\"><text>next</text></a></svg>",
        "<svg \(svg)><image href=\"photo.png\" width=\"5\" height=\"5\"/><image href=\"data:image/png;base64,iVBORw0KGgo=\"/></svg>",
    ]

    @Test(arguments: accepted)
    func `a clean SVG as editors write it is accepted`(_ text: String) {
        #expect(AssetPolicy.svgProblem(Array(text.utf8)) == nil, "\(text)")
    }

    @Test func `the project's own SVG files are accepted`() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for path in ["site/pipeline.svg", "Tests/ADRCoreTests/Fixtures/categories/infra/plan.svg"] {
            let bytes = try #require(FileManager.default.contents(atPath: root.appendingPathComponent(path).path))
            #expect(AssetPolicy.svgProblem(Array(bytes)) == nil, "\(path)")
        }
    }

    @Test(arguments: ["a.html", "a.shtml", "a.xsd", "a.rng", "a.xml", "a.xhtml", "a.js", "a.mjs", "a.php", "a.svgz",
                      "a.atom", "a.rdf", "a.mml", "a.xsl", "a.wasm", "a.css", "a.htaccess", "Makefile", "a.", "a.php.png",
                      "dir/x.shtml.jpg", "a.cgi.pdf"])
    func `a file type a static host could serve as a page or script is not passive`(_ path: String) {
        #expect(FileRules.passiveTypeProblem(path) != nil, "\(path)")
        #expect(AssetPolicy.problem(path: path, bytes: []) != nil, "\(path)")
    }

    @Test(arguments: ["a.png", "A.JPG", "a.jpeg", "a.gif", "a.webp", "a.pdf", "a.txt", "a.csv", "a.json", "a.docx",
                      "a.xlsx", "a.zip", "diagram.v2.png", "dir/sub/a.mp4"])
    func `images, documents and data files are passive`(_ path: String) {
        #expect(FileRules.passiveTypeProblem(path) == nil, "\(path)")
    }

    /// Each allowed extension against the system's MIME table (Debian's /etc/mime.types, which
    /// nginx's and Apache's tables follow for these types): none is HTML, XML or a script.
    @Test func `no passive extension maps to an active MIME type in the system's table`() throws {
        guard let table = try? String(contentsOfFile: "/etc/mime.types", encoding: .utf8) else { return }
        var types: [String: String] = [:]
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            for ext in parts.dropFirst() { types[String(ext).lowercased()] = String(parts[0]).lowercased() }
        }
        #expect(types["png"] == "image/png", "the table was read")
        for ext in FileRules.passiveExtensions.sorted() where ext != "svg" {
            guard let type = types[ext] else { continue }
            // text/html, application/xhtml+xml, any XML type (`+xml`, `/xml`), scripts, XSLT.
            let active = type.hasSuffix("+xml") || type.hasSuffix("/xml") || type.hasSuffix("/html")
                || ["javascript", "ecmascript", "xslt", "x-sh", "php"].contains { type.contains($0) }
            #expect(!active, ".\(ext) is \(type)")
        }
    }
}
