public import Logging
import S3EmulatorCore
import S3EmulatorAccess
import S3EmulatorAuth
import S3EmulatorStorage

/// The emulator: storage plus the request pipeline, without any HTTP server.
///
/// The HTTP layer (``S3Server``) calls ``prepare(_:)`` on the request head, sends
/// `100 Continue` when ``RequestContext/expectsContinue`` and ``RequestContext/readsBody``,
/// then calls ``execute(_:)``. Tests call ``handle(_:)``, which does both.
///
/// ```swift
/// let emulator = try S3Emulator(configuration: EmulatorConfiguration())
/// let response = await emulator.handle(S3Request(method: "PUT", rawPath: "/photos"))
/// ```
public final class S3Emulator: Sendable {
    /// What the pipeline decided after reading the request head.
    public enum Preparation: Sendable {
        /// The request is answered without running a handler (an error, usually).
        case respond(S3Response)
        /// The request goes on to its handler.
        case proceed(RequestContext)
    }

    public let configuration: EmulatorConfiguration
    let store: ObjectStore
    let logger: Logger
    /// Whether each authorization decision's trace is logged (at debug level); the logger's
    /// level is fixed, and checking it through the handler costs a copy of the handler.
    let tracesAuthorization: Bool
    let owner: Owner
    let authenticator: SigV4Authenticator
    let identities: IdentityRegistry
    let evaluator = PolicyEvaluator()
    let bucketSettingsCache = BucketSettingsCache()

    public init(configuration: EmulatorConfiguration, logger: Logger = Logger(label: "s3emu")) throws {
        self.configuration = configuration
        self.logger = logger
        self.tracesAuthorization = logger.logLevel <= .debug
        self.identities = try IdentityRegistry(configuration: configuration)
        self.owner = Owner(accountID: configuration.accountID)
        self.store = try ObjectStore(configuration: configuration)
        var credentials = [
            Credential(
                accessKeyId: configuration.rootCredentials.accessKeyId,
                secretAccessKey: configuration.rootCredentials.secretAccessKey,
                principal: "root"
            )
        ]
        for user in configuration.users {
            for key in user.accessKeys {
                credentials.append(Credential(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, principal: "user/" + user.name))
            }
        }
        self.authenticator = SigV4Authenticator(
            region: configuration.region, credentials: StaticCredentialStore(credentials), clock: configuration.clock
        )
        do {
            try seedBuckets()
        } catch {
            // Nothing will call shutdown() on an emulator that failed to start.
            store.close()
            throw error
        }
    }

    /// Stops the I/O threads and removes in-memory storage.
    public func shutdown() async throws {
        try await store.shutdown()
    }

    /// Runs the whole pipeline on a request.
    public func handle(_ request: S3Request) async -> S3Response {
        switch prepare(request) {
        case .respond(let response): return response
        case .proceed(let context): return await execute(context)
        }
    }

    /// Addressing, authentication and authorization: everything that needs only the head.
    public func prepare(_ request: S3Request) -> Preparation {
        let requestID = RequestID.make()
        let receivedAt = ContinuousClock.now
        var operation: S3Operation?
        var address: RequestAddress?
        var principal: String?
        do {
            try Self.checkHeaderSectionSize(request)
            let resolved = try RequestAddress.resolve(host: request.host, rawPath: request.rawPath, domains: configuration.domains)
            address = resolved
            let query = try QueryParameters(rawQuery: request.rawQuery)
            let routed = try S3Operation.route(method: request.method, address: resolved, query: query, headers: request.headers)
            operation = routed
            let address = resolved
            let operation = routed
            if operation == .corsPreflight {
                // Answered from the bucket's CORS rules alone: no authentication, no handler.
                let response = preflightResponse(request, address: address, requestID: requestID.requestID, hostID: requestID.hostID)
                record(request: request, operation: operation, address: address, principal: nil, response: response, requestID: requestID.requestID)
                return .respond(response)
            }
            let head = authenticationHead(request, address: address)
            // A POST Object form carries its signature in its fields; the handler checks it.
            let authentication = operation == .postObject ? AuthResult.anonymous : try authenticator.authenticate(head)
            principal = authentication.credential?.principal ?? "anonymous"
            let identity = identities.identity(for: authentication.credential?.principal)
            let subject = AuthorizationSubject(identity: identity) { [self] in
                var keys = conditionKeys(request: request, authentication: authentication, operation: operation, query: query)
                addExistingObjectTags(to: &keys, operation: operation, address: address, identity: identity)
                return keys
            }
            let authorization = try authorizeRequest(
                operation: operation, address: address, subject: subject, namesVersion: query["versionId"] != nil
            )
            let context = RequestContext(
                request: request, requestID: requestID.requestID, hostID: requestID.hostID, operation: operation,
                address: address, query: query, authentication: authentication, authenticationHead: head,
                subject: subject, authorization: authorization, receivedAt: receivedAt
            )
            return .proceed(context)
        } catch {
            var response = errorResponse(error, method: request.method, requestID: requestID.requestID, hostID: requestID.hostID)
            applyCORSHeaders(&response, request: request, address: address)
            record(request: request, operation: operation, address: address, principal: principal, response: response, requestID: requestID.requestID)
            return .respond(response)
        }
    }

    /// The most bytes of header fields S3 reads (`Name: value` lines, `Host` included).
    static let maxHeaderSectionSize = 8192

    /// RequestHeaderSectionTooLarge past 8 KiB of header fields, as S3 answers.
    private static func checkHeaderSectionSize(_ request: S3Request) throws(S3Error) {
        var size = request.host.map { "Host: ".utf8.count + $0.utf8.count + 2 } ?? 0
        for field in request.headers.fields {
            size += field.name.utf8.count + 2 + field.value.utf8.count + 2
        }
        guard size > maxHeaderSectionSize else { return }
        throw S3Error(.requestHeaderSectionTooLarge, details: [("MaxSizeAllowed", String(maxHeaderSectionSize))])
    }

    /// Reports a finished request to ``EmulatorConfiguration/onRequest``.
    private func record(
        request: S3Request, operation: S3Operation?, address: RequestAddress?, principal: String?,
        response: S3Response, requestID: String
    ) {
        guard let onRequest = configuration.onRequest else { return }
        onRequest(RequestRecord(
            operation: operation?.rawValue ?? "Unknown", method: request.method, bucket: address?.bucket, key: address?.key,
            principal: principal, status: response.status, errorCode: response.errorCode,
            authorization: response.headers["x-s3emu-authz"], requestID: requestID
        ))
    }

    /// The request head as SigV4 signs it: the `host` header is rebuilt from the authority.
    private func authenticationHead(_ request: S3Request, address: RequestAddress) -> AuthRequestHead {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.fields.count + 1)
        if let host = request.host {
            headers.append((name: "host", value: host))
        }
        headers.append(contentsOf: request.headers.fields.filter { $0.name != "host" })
        return AuthRequestHead(
            method: request.method, rawPath: request.rawPath, rawQuery: request.rawQuery, headers: headers,
            virtualHostedBucket: address.isVirtualHosted ? address.bucket : nil
        )
    }

    /// Runs the handler of a prepared request and renders its result or error.
    public func execute(_ context: RequestContext) async -> S3Response {
        var response: S3Response
        do {
            response = try await dispatch(context)
            if let authorization = context.authorization {
                response.headers.append("x-s3emu-authz", authorization)
            }
            response.headers.append("x-amz-request-id", context.requestID)
            response.headers.append("x-amz-id-2", context.hostID)
        } catch {
            response = errorResponse(error, method: context.request.method, requestID: context.requestID, hostID: context.hostID)
        }
        applyCORSHeaders(&response, request: context.request, address: context.address)
        record(
            request: context.request, operation: context.operation, address: context.address,
            principal: context.authentication.credential?.principal ?? "anonymous", response: response, requestID: context.requestID
        )
        return response
    }

    private func dispatch(_ context: RequestContext) async throws -> S3Response {
        switch context.operation {
        case .listBuckets: try listBuckets(context)
        case .createBucket: try await createBucket(context)
        case .headBucket: try headBucket(context)
        case .deleteBucket: try await deleteBucket(context)
        case .getBucketLocation: try getBucketLocation(context)
        case .listObjects: try listObjects(context, version: 1)
        case .listObjectsV2: try listObjects(context, version: 2)
        case .deleteObjects: try await deleteObjects(context)
        case .getBucketPolicy: try getBucketPolicy(context)
        case .putBucketPolicy: try await putBucketPolicy(context)
        case .deleteBucketPolicy: try await deleteBucketPolicy(context)
        case .getBucketPolicyStatus: try getBucketPolicyStatus(context)
        case .getPublicAccessBlock: try getPublicAccessBlock(context)
        case .putPublicAccessBlock: try await putPublicAccessBlock(context)
        case .deletePublicAccessBlock: try await deletePublicAccessBlock(context)
        case .getBucketOwnershipControls: try getBucketOwnershipControls(context)
        case .putBucketOwnershipControls: try await putBucketOwnershipControls(context)
        case .deleteBucketOwnershipControls: try await deleteBucketOwnershipControls(context)
        case .getBucketAcl: try getBucketAcl(context)
        case .putBucketAcl: try await putBucketAcl(context)
        case .getObjectAcl: try getObjectAcl(context)
        case .getObjectTagging: try getObjectTagging(context)
        case .putObjectTagging: try await putObjectTagging(context)
        case .deleteObjectTagging: try await deleteObjectTagging(context)
        case .listObjectVersions: try listObjectVersions(context)
        case .getBucketVersioning: try getBucketVersioning(context)
        case .putBucketVersioning: try await putBucketVersioning(context)
        case .getBucketTagging: try getBucketTagging(context)
        case .putBucketTagging: try await putBucketTagging(context)
        case .deleteBucketTagging: try await deleteBucketTagging(context)
        case .putObjectAcl: try await putObjectAcl(context)
        case .putObject: try await putObject(context)
        case .getObject: try await getObject(context, headOnly: false)
        case .headObject: try await getObject(context, headOnly: true)
        case .deleteObject: try await deleteObject(context)
        case .copyObject: try await copyObject(context)
        case .createMultipartUpload: try await createMultipartUpload(context)
        case .uploadPart: try await uploadPart(context)
        case .uploadPartCopy: try await uploadPartCopy(context)
        case .completeMultipartUpload: try await completeMultipartUpload(context)
        case .abortMultipartUpload: try await abortMultipartUpload(context)
        case .listParts: try listParts(context)
        case .listMultipartUploads: try listMultipartUploads(context)
        case .postObject: try await postObject(context)
        case .getBucketCors: try getBucketCors(context)
        case .putBucketCors: try await putBucketCors(context)
        case .deleteBucketCors: try await deleteBucketCors(context)
        case .corsPreflight:
            preflightResponse(context.request, address: context.address, requestID: context.requestID, hostID: context.hostID)
        case .notImplemented: throw S3Error(.notImplemented)
        }
    }

    /// Renders any error as S3's XML error response. Errors that are not ``S3Error`` are
    /// internal faults: logged in full, answered as InternalError.
    func errorResponse(_ error: any Error, method: String, requestID: String, hostID: String) -> S3Response {
        let s3Error: S3Error
        switch error {
        case let error as S3Error:
            s3Error = error
        case let error as StorageError where error.isNoSpace:
            // S3 has no "disk full". 503 ServiceUnavailable is its answer for "this service cannot
            // take the request now; retry later": the condition is the server's, not the
            // request's, and it clears when space is freed. SDKs retry a 503 with back-off, and
            // the message says why. Not 500 InternalError (that reads as a bug), nor 507 (not an
            // S3 status; SDKs treat it as an unknown failure).
            s3Error = S3Error(.serviceUnavailable, message: "s3emu: no space left on the file system of the data directory")
            logger.error("storage full", metadata: ["error": "\(error)", "request-id": "\(requestID)"])
        default:
            s3Error = S3Error(.internalError)
            logger.error("internal error", metadata: ["error": "\(error)", "request-id": "\(requestID)"])
        }
        var headers = S3Headers(s3Error.headers)
        headers.append("x-amz-request-id", requestID)
        headers.append("x-amz-id-2", hostID)
        var response: S3Response
        if method == "HEAD" || s3Error.code.status == 304 {
            response = S3Response(status: s3Error.code.status, headers: headers)
        } else {
            response = .xml(s3Error.xmlBody(requestID: requestID, hostID: hostID), status: s3Error.code.status, headers: headers)
        }
        response.errorCode = s3Error.code.code
        return response
    }
}
