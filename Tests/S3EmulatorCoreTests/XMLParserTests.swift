import S3EmulatorCore
import XCTest

/// On Darwin, Foundation (re-exported by XCTest) has its own `XMLParser` class.
private typealias XMLParser = S3EmulatorCore.XMLParser

final class XMLParserTests: XCTestCase {
    private func parse(_ text: String, limits: XMLParser.Limits = .init()) throws(S3Error) -> XMLNode {
        try XMLParser.parse(Array(text.utf8), limits: limits)
    }

    private func assertMalformed(
        _ bytes: [UInt8], limits: XMLParser.Limits = .init(), _ message: String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let node = try XMLParser.parse(bytes, limits: limits)
            XCTFail("parsed as \(node.name); expected MalformedXML. \(message)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, .malformedXML, message, file: file, line: line)
            XCTAssertEqual(error.code.status, 400, file: file, line: line)
        }
    }

    private func assertMalformed(
        _ text: String, limits: XMLParser.Limits = .init(), file: StaticString = #filePath, line: UInt = #line
    ) {
        assertMalformed(Array(text.utf8), limits: limits, text, file: file, line: line)
    }

    // MARK: - S3's documented request bodies

    func testDeleteObjectsRequestBodyFromTheAPIReference() throws {
        let root = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
               <Object>
                  <Key>sample1.txt</Key>
               </Object>
               <Object>
                  <Key>sample2.txt</Key>
                  <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
               </Object>
               <Quiet>false</Quiet>
            </Delete>
            """)
        XCTAssertEqual(root.name, "Delete")
        XCTAssertEqual(root.attributes, ["xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"])
        let objects = root.children(named: "Object")
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(objects.map { $0.childText("Key") }, ["sample1.txt", "sample2.txt"])
        XCTAssertNil(objects[0].childText("VersionId"))
        XCTAssertEqual(objects[1].childText("VersionId"), "OYcLXagmS.WaD..oyH4KRguB95_YhLs7")
        XCTAssertEqual(root.childText("Quiet"), "false")
        XCTAssertNil(root.child("Missing"))
        XCTAssertEqual(root.children.map(\.name), ["Object", "Object", "Quiet"])
    }

    func testCompleteMultipartUploadBodyKeepsQuotedETags() throws {
        let root = try parse(
            """
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part>
              <Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag>
                <ChecksumCRC32>i9aeUg==</ChecksumCRC32></Part>
            </CompleteMultipartUpload>
            """)
        let parts = root.children(named: "Part")
        XCTAssertEqual(parts.map { $0.childText("PartNumber") }, ["1", "2"])
        XCTAssertEqual(
            parts.map { $0.childText("ETag") },
            ["\"a54357aff0632cce46d942af68356b38\"", "\"0c78aef83f66abc1fa1e8477f296d394\""])
        XCTAssertEqual(parts[1].childText("ChecksumCRC32"), "i9aeUg==")
    }

    func testAccessControlPolicyKeepsNamespaceAttributesOfGrantee() throws {
        let root = try parse(
            """
            <AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>CustomersName@amazon.com</DisplayName></Owner>
              <AccessControlList>
                <Grant>
                  <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
                    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
                  </Grantee>
                  <Permission>FULL_CONTROL</Permission>
                </Grant>
                <Grant>
                  <Grantee xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:type='Group'>
                    <URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>
                  </Grantee>
                  <Permission>READ</Permission>
                </Grant>
              </AccessControlList>
            </AccessControlPolicy>
            """)
        let grants = try XCTUnwrap(root.child("AccessControlList")).children(named: "Grant")
        XCTAssertEqual(grants.count, 2)
        let grantee = try XCTUnwrap(grants[0].child("Grantee"))
        XCTAssertEqual(grantee.attributes["xsi:type"], "CanonicalUser")
        XCTAssertEqual(grantee.attributes["xmlns:xsi"], "http://www.w3.org/2001/XMLSchema-instance")
        XCTAssertEqual(grants[1].child("Grantee")?.attributes["xsi:type"], "Group")
        XCTAssertEqual(grants[1].child("Grantee")?.childText("URI"), "http://acs.amazonaws.com/groups/global/AllUsers")
        XCTAssertEqual(root.child("Owner")?.childText("DisplayName"), "CustomersName@amazon.com")
    }

    func testCORSConfigurationTaggingVersioningAndCreateBucketBodies() throws {
        let cors = try parse(
            """
            <CORSConfiguration>
             <CORSRule>
               <AllowedOrigin>http://www.example.com</AllowedOrigin>
               <AllowedMethod>PUT</AllowedMethod>
               <AllowedMethod>POST</AllowedMethod>
               <AllowedHeader>*</AllowedHeader>
               <MaxAgeSeconds>3000</MaxAgeSeconds>
               <ExposeHeader>x-amz-server-side-encryption</ExposeHeader>
             </CORSRule>
            </CORSConfiguration>
            """)
        let rule = try XCTUnwrap(cors.child("CORSRule"))
        XCTAssertEqual(rule.children(named: "AllowedMethod").map(\.text), ["PUT", "POST"])
        XCTAssertEqual(rule.childText("MaxAgeSeconds"), "3000")

        let tagging = try parse(
            "<Tagging><TagSet><Tag><Key>Project</Key><Value>Alpha &amp; Beta</Value></Tag><Tag><Key>empty</Key><Value/></Tag></TagSet></Tagging>"
        )
        let tags = try XCTUnwrap(tagging.child("TagSet")).children(named: "Tag")
        XCTAssertEqual(tags.map { $0.childText("Value") }, ["Alpha & Beta", ""])

        let versioning = try parse(
            #"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>"#
        )
        XCTAssertEqual(versioning.childText("Status"), "Enabled")

        let create = try parse(
            #"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#
        )
        XCTAssertEqual(create.childText("LocationConstraint"), "eu-west-1")
    }

    // MARK: - Character data

    func testPredefinedEntitiesAndCharacterReferencesAreDecoded() throws {
        let root = try parse("<Key>a&amp;b&lt;c&gt;d&quot;e&apos;f&#65;&#x42;&#x1F600;&#233;&#xe9;</Key>")
        XCTAssertEqual(root.text, "a&b<c>d\"e'fAB😀éé")
    }

    func testCDATAIsCopiedVerbatimAndJoinsSurroundingText() throws {
        XCTAssertEqual(try parse("<Key><![CDATA[<not>&markup;]]></Key>").text, "<not>&markup;")
        XCTAssertEqual(try parse("<Key>a<![CDATA[b]]>c<![CDATA[]]>d</Key>").text, "abcd")
        XCTAssertEqual(try parse("<Key><![CDATA[]]]]><![CDATA[>]]></Key>").text, "]]>")
    }

    func testTextIsNotTrimmedAndUnicodeKeysSurvive() throws {
        XCTAssertEqual(try parse("<Key>  spaced key  </Key>").text, "  spaced key  ")
        XCTAssertEqual(try parse("<Key>日本語/ファイル €.txt</Key>").text, "日本語/ファイル €.txt")
        XCTAssertEqual(try parse("<Key></Key>").text, "")
        XCTAssertEqual(try parse("<Key/>").text, "")
        XCTAssertEqual(try parse("<Key >x</Key >").text, "x")
    }

    func testLineEndingsAreNormalizedButCharacterReferencesAreNot() throws {
        XCTAssertEqual(try parse("<Key>a\r\nb\rc\nd</Key>").text, "a\nb\nc\nd")
        XCTAssertEqual(try parse("<Key>a&#13;&#10;b&#xD;</Key>").text, "a\r\nb\r")
        XCTAssertEqual(try parse("<Key><![CDATA[a\r\nb]]></Key>").text, "a\nb")
    }

    func testAttributeValuesAreDecodedAndWhitespaceNormalized() throws {
        let root = try parse("<a x=\"1 &amp; 2\" y='\"q\"' z=\"a\tb\nc\r\nd\" w=\"&#10;\"/>")
        XCTAssertEqual(root.attributes, ["x": "1 & 2", "y": "\"q\"", "z": "a b c d", "w": "\n"])
        XCTAssertEqual(try parse("<a x = '1'\n\ty=\"2\" ></a>").attributes, ["x": "1", "y": "2"])
    }

    // MARK: - Prolog, comments, namespaces

    func testDeclarationCommentsProcessingInstructionsAndWhitespaceAreAccepted() throws {
        let root = try parse(
            """
            <?xml version="1.0" encoding="utf-8" standalone="yes"?>
            <!-- leading comment -->
            <?s3emu something?>
            <Delete><!-- inner --><Quiet>true<!-- in text --></Quiet><?pi?></Delete>
            <!-- trailing comment -->

            """)
        XCTAssertEqual(root.name, "Delete")
        XCTAssertEqual(root.childText("Quiet"), "true")
        XCTAssertEqual(try parse("<?xml version='1.0'?><a/>").name, "a")
        XCTAssertEqual(try parse("<!----><a/>").name, "a")
    }

    func testByteOrderMarkIsAccepted() throws {
        let root = try XMLParser.parse([0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\"?><Tagging/>".utf8))
        XCTAssertEqual(root.name, "Tagging")
    }

    func testNamespacePrefixesAreStrippedFromElementNames() throws {
        let root = try parse(
            #"<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>"#
        )
        XCTAssertEqual(root.name, "Delete")
        XCTAssertEqual(root.attributes, ["xmlns:s3": "http://s3.amazonaws.com/doc/2006-03-01/"])
        XCTAssertEqual(root.child("Object")?.childText("Key"), "k")
    }

    func testNonContiguousInputIsParsed() throws {
        let bytes = "<a><b>x</b></a>".utf8.lazy.map { $0 }
        let root = try XMLParser.parse(Array(bytes).lazy.map { $0 })
        XCTAssertEqual(root.child("b")?.text, "x")
    }

    func testParsedTreesCompareEqual() throws {
        let first = try parse("<a x='1'><b>t</b></a>")
        let second = try parse("<?xml version=\"1.0\"?>\n<a x=\"1\"><b>t</b></a>")
        XCTAssertEqual(first, second)
        XCTAssertEqual(
            first, XMLNode(name: "a", attributes: ["x": "1"], children: [XMLNode(name: "b", text: "t")], text: ""))
    }

    // MARK: - Hostile and malformed input

    func testDoctypeIsRefused() {
        assertMalformed("<?xml version=\"1.0\"?><!DOCTYPE Delete><Delete/>")
        assertMalformed("<!DOCTYPE Delete [<!ELEMENT Delete ANY>]><Delete/>")
        assertMalformed(
            "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Delete><Key>&xxe;</Key></Delete>")
        assertMalformed("<Delete><!ENTITY a \"b\"></Delete>")
        assertMalformed("<Delete><!ELEMENT a ANY></Delete>")
    }

    func testBillionLaughsIsRefusedWithoutExpansion() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            xml += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">\n"
        }
        xml += "]>\n<lolz>&lol9;</lolz>"
        let start = ContinuousClock.now
        assertMalformed(xml)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        // Without the DOCTYPE, the reference is simply undefined.
        assertMalformed("<lolz>&lol9;</lolz>")
    }

    func testTenThousandDeepNestingIsRefusedWithoutStackOverflow() {
        let depth = 10_000
        let xml = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        assertMalformed(xml)
    }

    func testDepthLimitIsExact() throws {
        let limits = XMLParser.Limits(maxDepth: 3)
        XCTAssertEqual(try parse("<a><b><c/></b></a>", limits: limits).child("b")?.child("c")?.name, "c")
        XCTAssertEqual(try parse("<a><b><c></c></b></a>", limits: limits).name, "a")
        assertMalformed("<a><b><c><d/></c></b></a>", limits: limits)
        assertMalformed("<a><b><c><d></d></c></b></a>", limits: limits)
    }

    func testDeepNestingWithinARaisedLimitParsesIteratively() throws {
        let depth = 2_000
        let xml = String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
        var node = try parse(xml, limits: XMLParser.Limits(maxDepth: depth))
        var levels = 1
        while let child = node.children.first {
            node = child
            levels += 1
        }
        XCTAssertEqual(levels, depth)
        XCTAssertEqual(node.text, "x")
    }

    func testElementCountLimit() throws {
        XCTAssertEqual(try parse("<a><b/><b/><b/></a>", limits: XMLParser.Limits(maxElements: 4)).children.count, 3)
        assertMalformed("<a><b/><b/><b/><b/></a>", limits: XMLParser.Limits(maxElements: 4))
        // The default limit (100,000) on a body that stays under 1 MiB.
        let many = "<a>" + String(repeating: "<b/>", count: 100_000) + "</a>"
        assertMalformed(many)
        let fewer = "<a>" + String(repeating: "<b/>", count: 99_999) + "</a>"
        XCTAssertEqual(try parse(fewer).children.count, 99_999)
    }

    func testByteLimit() throws {
        let xml = "<Quiet>true</Quiet>"
        XCTAssertEqual(try parse(xml, limits: XMLParser.Limits(maxBytes: xml.utf8.count)).text, "true")
        assertMalformed(xml, limits: XMLParser.Limits(maxBytes: xml.utf8.count - 1))
        let overOneMiB = "<a>" + String(repeating: "x", count: 1 << 20) + "</a>"
        assertMalformed(overOneMiB)
    }

    func testTruncatedDocumentsAreRefused() {
        let full = #"<?xml version="1.0"?><Delete><Object><Key>a&amp;b</Key></Object><!-- c --><![CDATA[x]]></Delete>"#
        let bytes = Array(full.utf8)
        for length in 0..<bytes.count {
            assertMalformed(Array(bytes[..<length]), "truncated at \(length)")
        }
    }

    func testInvalidUTF8IsRefused() {
        let sequences: [[UInt8]] = [
            [0xC3, 0x28],  // bad continuation
            [0xC0, 0xAF],  // overlong '/'
            [0xE0, 0x80, 0xAF],  // overlong
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xFF], [0xFE], [0x80],  // never valid
            [0xE2, 0x82],  // truncated
        ]
        for sequence in sequences {
            assertMalformed(Array("<Key>".utf8) + sequence + Array("</Key>".utf8), "\(sequence)")
            assertMalformed(Array("<Key a=\"".utf8) + sequence + Array("\"/>".utf8), "\(sequence) in attribute")
        }
    }

    func testCharactersXMLForbidsAreRefused() {
        assertMalformed([UInt8]("<Key>a".utf8) + [0x01] + [UInt8]("</Key>".utf8))
        assertMalformed([UInt8]("<Key>a".utf8) + [0x00] + [UInt8]("</Key>".utf8))
        assertMalformed("<Key>\u{FFFE}</Key>")
        assertMalformed("<Key>\u{FFFF}</Key>")
        for reference in ["&#0;", "&#x1;", "&#8;", "&#xD800;", "&#xDFFF;", "&#xFFFE;", "&#x110000;", "&#99999999999;"] {
            assertMalformed("<Key>\(reference)</Key>")
        }
    }

    func testTextOutsideTheRootAndSecondRootsAreRefused() {
        assertMalformed("abc<Delete/>")
        assertMalformed("<Delete/>abc")
        assertMalformed("<Delete/>&amp;")
        assertMalformed("<a/><b/>")
        assertMalformed("<a></a><a></a>")
        assertMalformed("<![CDATA[x]]><a/>")
        assertMalformed("<a/><![CDATA[x]]>")
    }

    func testEmptyOrRootlessDocumentsAreRefused() {
        assertMalformed("")
        assertMalformed("   \n")
        assertMalformed("<?xml version=\"1.0\"?>")
        assertMalformed("<!-- only a comment -->")
    }

    func testMismatchedTagsAreRefused() {
        assertMalformed("<a></b>")
        assertMalformed("<a><b></a></b>")
        assertMalformed("<a></a></a>")
        assertMalformed("</a>")
        assertMalformed("<s3:a xmlns:s3='x'></a>")
        assertMalformed("<a></A>")
        assertMalformed("<a></ a>")
    }

    func testBadReferencesAreRefused() {
        for text in ["&nbsp;", "&", "& ", "&amp", "&#;", "&#x;", "&#12a;", "&#xG1;", "&AMP;", "&lt", "&#-1;",
            "&" + String(repeating: "a", count: 40) + ";"]
        {
            assertMalformed("<Key>\(text)</Key>")
        }
    }

    func testBadTagsAndAttributesAreRefused() {
        let documents = [
            "<a x=\"<\"/>", "<a x=\"1\" x=\"2\"/>", "<a x=1/>", "<a x=\"1\"y=\"2\"/>", "<a x/>", "<a =\"1\"/>",
            "<1a/>", "<-a/>", "<a:b:c/>", "<:a/>", "<a:/>", "< a/>", "<a/ >", "<a x=\"1'/>", "<a", "<a x=\"1\"",
            "<a>]]></a>", "<a>x]]>y</a>",
        ]
        for document in documents {
            assertMalformed(document)
        }
    }

    func testBadCommentsProcessingInstructionsAndDeclarationsAreRefused() {
        let documents = [
            "<!-- a -- b --><a/>", "<!-- a ---><a/>", "<!---><a/>", "<a><!-- x </a>",
            " <?xml version=\"1.0\"?><a/>", "<a/><?xml version=\"1.0\"?>", "<a><?XML x?></a>",
            "<?xml encoding=\"UTF-8\"?><a/>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
            "<?xml version=\"2.0\"?><a/>", "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
            "<?xml version=\"1.0\" version=\"1.0\"?><a/>", "<?xml version=\"1.0\" foo=\"bar\"?><a/>",
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", "<?xml version=\"1.0\"", "<?pi unterminated <a/>",
            "<?pi?x><a/>", "<a><![CDATA[x]></a>", "<a><![cdata[x]]></a>", "<a><!x></a>",
        ]
        for document in documents {
            assertMalformed(document)
        }
    }

    func testRandomGarbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("<>/!?-[]&#;=\"' axCDAT:\n".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? XMLParser.parse(bytes)
        }
    }
}
