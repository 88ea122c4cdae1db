import Foundation
import S3Emulator
import S3EmulatorCore
import XCTest

/// ListBuckets, CreateBucket, HeadBucket, DeleteBucket and GetBucketLocation through the whole
/// pipeline, on a us-east-1 server and on a regional (eu-west-1) one.
final class BucketOperationsTests: XCTestCase {
    /// 2025-06-15T15:06:40Z.
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    var clock: ManualClock!
    var emulator: S3Emulator!
    /// Further emulators of a test, shut down with it.
    var others: [S3Emulator] = []

    override func setUp() async throws {
        clock = ManualClock(Self.start)
        emulator = try S3Emulator.makeForTests(clock: clock)
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
        for other in others { try await other.shutdown() }
        others = []
    }

    static func configuration(_ constraint: String?) -> String {
        guard let constraint else {
            return "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        }
        return "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<LocationConstraint>\(constraint)</LocationConstraint></CreateBucketConfiguration>"
    }

    /// An emulator for the regional endpoint of eu-west-1.
    func regionalEmulator() throws -> S3Emulator {
        let regional = try S3Emulator.makeForTests(region: "eu-west-1", clock: clock)
        others.append(regional)
        return regional
    }

    // MARK: - ListBuckets

    func testListBucketsWithoutBucketsAnswersAnEmptyListAndTheOwner() async {
        let response = await emulator.send("GET", "/")
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.headers["content-type"], "application/xml")
        assertRequestIDs(response)
        let result = response.xml()
        XCTAssertEqual(result?.name, "ListAllMyBucketsResult")
        XCTAssertEqual(result?.attributes["xmlns"], "http://s3.amazonaws.com/doc/2006-03-01/")
        XCTAssertEqual(result?.child("Buckets")?.children.count, 0)
        XCTAssertFalse(result?.text(at: "Owner/ID")?.isEmpty ?? true)
    }

    func testListBucketsListsBucketsInNameOrderWithCreationDateAndRegion() async {
        await emulator.makeBucket("zeta")
        clock.advance(by: 61)
        await emulator.makeBucket("alpha")
        await emulator.makeBucket("mid-bucket")
        let result = await emulator.send("GET", "/").xml()
        let buckets = result?.child("Buckets")?.children(named: "Bucket") ?? []
        XCTAssertEqual(buckets.map { $0.childText("Name") }, ["alpha", "mid-bucket", "zeta"])
        XCTAssertEqual(buckets.map { $0.childText("CreationDate") }, [
            "2025-06-15T15:07:41.000Z", "2025-06-15T15:07:41.000Z", "2025-06-15T15:06:40.000Z",
        ])
        XCTAssertEqual(buckets.map { $0.childText("BucketRegion") }, ["us-east-1", "us-east-1", "us-east-1"])
    }

    func testListBucketsWithPrefixAndMaxBucketsPagesWithContinuationToken() async {
        for name in ["photos-1", "photos-2", "photos-3", "videos"] { await emulator.makeBucket(name) }
        let first = await emulator.send("GET", "/", query: "max-buckets=2&prefix=photos").xml()
        XCTAssertEqual(first?.child("Buckets")?.texts("Bucket", "Name"), ["photos-1", "photos-2"])
        XCTAssertEqual(first?.childText("Prefix"), "photos")
        guard let token = first?.childText("ContinuationToken") else { return XCTFail("a truncated page has a ContinuationToken") }
        let second = await emulator.send(
            "GET", "/", query: "continuation-token=\(S3Emulator.encodeQuery(token))&max-buckets=2&prefix=photos").xml()
        XCTAssertEqual(second?.child("Buckets")?.texts("Bucket", "Name"), ["photos-3"])
        XCTAssertNil(second?.childText("ContinuationToken"))
    }

    func testListBucketsWithInvalidMaxBucketsFailsWithInvalidArgument() async {
        for value in ["0", "10001", "ten"] {
            assertS3Error(await emulator.send("GET", "/", query: "max-buckets=\(value)"), status: 400, code: "InvalidArgument")
        }
    }

    // MARK: - CreateBucket

    func testCreateBucketWithoutConfigurationAnswersItsLocation() async {
        let response = await emulator.send("PUT", "/photos")
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.headers["location"], "/photos")
        XCTAssertEqual(response.body.length, 0)
        assertRequestIDs(response)
        assertStatus(await emulator.send("HEAD", "/photos"), 200)
    }

    func testCreateBucketWithEmptyConfigurationIsInUsEast1() async {
        let response = await emulator.send("PUT", "/photos", body: "\(Self.configuration(nil))")
        XCTAssertEqual(response.status, 200, response.text)
        let head = await emulator.send("HEAD", "/photos")
        XCTAssertEqual(head.headers["x-amz-bucket-region"], "us-east-1")
    }

    func testCreateBucketWithInvalidNameFailsWithInvalidBucketName() async {
        let names = [
            "ab", String(repeating: "a", count: 64), "MyBucket", "my_bucket", "-bucket", "bucket-", ".bucket", "bucket.",
            "my..bucket", "192.168.5.4", "xn--bucket", "sthree-bucket", "bucket-s3alias", "bucket--ol-s3", "my%20bucket",
        ]
        for name in names {
            let response = await emulator.send("PUT", "/\(name)")
            let error = assertS3Error(response, status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.")
            XCTAssertEqual(error?.childText("BucketName"), URIEncoding.percentDecode(name[...]), name)
        }
        let list = await emulator.send("GET", "/").xml()
        XCTAssertEqual(list?.child("Buckets")?.children.count, 0, "no invalid bucket was created")
    }

    func testCreateBucketWithValidEdgeNames() async {
        for name in ["abc", String(repeating: "a", count: 63), "my.dotted.bucket", "1bucket", "b-1-2"] {
            let response = await emulator.send("PUT", "/\(name)")
            XCTAssertEqual(response.status, 200, "\(name): \(response.text)")
        }
    }

    func testCreateBucketRecreatingOwnedBucketInUsEast1Answers200AndKeepsIt() async throws {
        await emulator.makeBucket("photos")
        await emulator.put("photos", "keep", "x")
        let response = await emulator.send("PUT", "/photos")
        XCTAssertEqual(response.status, 200, response.text)
        let get = await emulator.send("GET", "/photos/keep")
        XCTAssertEqual(get.status, 200, "the existing bucket and its objects are untouched")
    }

    func testCreateBucketWithUsEast1LocationConstraintFailsWithInvalidLocationConstraint() async {
        let response = await emulator.send("PUT", "/photos", body: "\(Self.configuration("us-east-1"))")
        let error = assertS3Error(response, status: 400, code: "InvalidLocationConstraint",
                                  message: "The specified location constraint is not valid.")
        XCTAssertEqual(error?.childText("LocationConstraint"), "us-east-1")
        assertStatus(await emulator.send("HEAD", "/photos"), 404)
    }

    func testCreateBucketWithUnknownLocationConstraintFailsWithInvalidLocationConstraint() async {
        let response = await emulator.send("PUT", "/photos", body: "\(Self.configuration("mars-north-1"))")
        assertS3Error(response, status: 400, code: "InvalidLocationConstraint")
    }

    func testCreateBucketWithAnotherRegionsConstraintFailsWithIllegalLocationConstraintException() async {
        let response = await emulator.send("PUT", "/photos", body: "\(Self.configuration("eu-west-1"))")
        assertS3Error(response, status: 400, code: "IllegalLocationConstraintException",
                      message: "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.")
        assertStatus(await emulator.send("HEAD", "/photos"), 404)
    }

    func testCreateBucketWithMalformedConfigurationFailsWithMalformedXML() async {
        for body in ["<CreateBucketConfiguration>", "<Other><LocationConstraint>eu-west-1</LocationConstraint></Other>", "not xml"] {
            let response = await emulator.send("PUT", "/photos", body: "\(body)")
            assertS3Error(response, status: 400, code: "MalformedXML")
        }
        assertStatus(await emulator.send("HEAD", "/photos"), 404)
    }

    func testCreateBucketOnRegionalEndpointWithItsConstraintSucceeds() async throws {
        let regional = try regionalEmulator()
        let response = await regional.send("PUT", "/photos", body: "\(Self.configuration("eu-west-1"))")
        XCTAssertEqual(response.status, 200, response.text)
        let head = await regional.send("HEAD", "/photos")
        XCTAssertEqual(head.headers["x-amz-bucket-region"], "eu-west-1")
        let location = await regional.send("GET", "/photos", query: "location").xml()
        XCTAssertEqual(location?.text, "eu-west-1")
        let list = await regional.send("GET", "/").xml()
        XCTAssertEqual(list?.child("Buckets")?.texts("Bucket", "BucketRegion"), ["eu-west-1"])
    }

    func testCreateBucketOnRegionalEndpointWithoutConstraintFailsWithIllegalLocationConstraintException() async throws {
        let regional = try regionalEmulator()
        for body: TestBody in [.empty, "\(Self.configuration(nil))"] {
            let response = await regional.send("PUT", "/photos", body: body)
            assertS3Error(response, status: 400, code: "IllegalLocationConstraintException",
                          message: "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
        }
        assertStatus(await regional.send("HEAD", "/photos"), 404)
    }

    func testCreateBucketRecreatingOwnedBucketOutsideUsEast1FailsWithBucketAlreadyOwnedByYou() async throws {
        let regional = try regionalEmulator()
        let created = await regional.send("PUT", "/photos", body: "\(Self.configuration("eu-west-1"))")
        XCTAssertEqual(created.status, 200, created.text)
        let response = await regional.send("PUT", "/photos", body: "\(Self.configuration("eu-west-1"))")
        let error = assertS3Error(response, status: 409, code: "BucketAlreadyOwnedByYou",
                                  message: "Your previous request to create the named bucket succeeded and you already own it.")
        XCTAssertEqual(error?.childText("BucketName"), "photos")
    }

    // MARK: - HeadBucket

    func testHeadBucketAnswers200WithTheRegionAndNoBody() async {
        await emulator.makeBucket("photos")
        let response = await emulator.send("HEAD", "/photos")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["x-amz-bucket-region"], "us-east-1")
        XCTAssertEqual(response.body.length, 0)
        assertRequestIDs(response)
    }

    func testHeadBucketOfMissingBucketIs404WithoutABody() async {
        assertBodilessError(await emulator.send("HEAD", "/no-such-bucket"), status: 404)
    }

    // MARK: - DeleteBucket

    func testDeleteBucketOfEmptyBucketAnswers204AndRemovesIt() async {
        await emulator.makeBucket("photos")
        let response = await emulator.send("DELETE", "/photos")
        XCTAssertEqual(response.status, 204, response.text)
        XCTAssertEqual(response.body.length, 0)
        assertRequestIDs(response)
        assertStatus(await emulator.send("HEAD", "/photos"), 404)
        let list = await emulator.send("GET", "/").xml()
        XCTAssertEqual(list?.child("Buckets")?.children.count, 0)
    }

    func testDeleteBucketOfNonEmptyBucketFailsWithBucketNotEmpty() async {
        await emulator.makeBucket("photos")
        await emulator.put("photos", "keep", "x")
        let response = await emulator.send("DELETE", "/photos")
        let error = assertS3Error(response, status: 409, code: "BucketNotEmpty", message: "The bucket you tried to delete is not empty")
        XCTAssertEqual(error?.childText("BucketName"), "photos")
        assertStatus(await emulator.send("GET", "/photos/keep"), 200)
    }

    func testDeleteBucketAfterItsLastObjectIsDeletedSucceeds() async {
        await emulator.makeBucket("photos")
        await emulator.put("photos", "k", "x")
        assertStatus(await emulator.send("DELETE", "/photos/k"), 204)
        assertStatus(await emulator.send("DELETE", "/photos"), 204)
    }

    func testDeleteBucketOfMissingBucketFailsWithNoSuchBucket() async {
        let response = await emulator.send("DELETE", "/no-such-bucket")
        let error = assertS3Error(response, status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist")
        XCTAssertEqual(error?.childText("BucketName"), "no-such-bucket")
    }

    // MARK: - GetBucketLocation

    func testGetBucketLocationInUsEast1IsAnEmptyLocationConstraint() async {
        await emulator.makeBucket("photos")
        let response = await emulator.send("GET", "/photos", query: "location")
        XCTAssertEqual(response.status, 200, response.text)
        let root = response.xml()
        XCTAssertEqual(root?.name, "LocationConstraint")
        XCTAssertEqual(root?.attributes["xmlns"], "http://s3.amazonaws.com/doc/2006-03-01/")
        XCTAssertEqual(root?.text, "")
        XCTAssertEqual(root?.children.count, 0)
    }

    func testGetBucketLocationOfMissingBucketFailsWithNoSuchBucket() async {
        assertS3Error(await emulator.send("GET", "/no-such-bucket", query: "location"), status: 404, code: "NoSuchBucket")
    }
}
