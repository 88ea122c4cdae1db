import S3Emulator
import S3EmulatorAccess
import S3EmulatorCore

extension FuzzTarget {
    /// DeleteObjects' `<Delete>` body, as the handler reads it.
    static func fuzzDeleteXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of {
            let keys = try RequestParsing.delete(input)
            try expect(!keys.isEmpty && keys.count <= 1000, "a Delete of \(keys.count) keys was accepted")
        }
    }

    /// PutBucketCors' `<CORSConfiguration>` body; an accepted configuration is also matched
    /// against a request, as a preflight would be.
    static func fuzzCORSXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of {
            let configuration = try CORSConfiguration(parsing: input)
            _ = configuration.preflight(origin: "http://www.example.com", method: "PUT", requestHeaders: ["x-amz-date", "content-type"])
            _ = configuration.match(origin: "https://a.b.example.com:8080", method: "GET")
        }
    }

    /// CompleteMultipartUpload's `<CompleteMultipartUpload>` body.
    static func fuzzCompleteMultipartUploadXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of {
            let count = try RequestParsing.completeMultipartUpload(input)
            try expect(count >= 1 && count <= 10_000, "a CompleteMultipartUpload of \(count) parts was accepted")
        }
    }

    /// PutObjectTagging's `<Tagging>` body; the same bytes as an `x-amz-tagging` header.
    static func fuzzTaggingXML(_ input: [UInt8]) -> FuzzOutcome {
        let header = String(decoding: input, as: UTF8.self)
        return FuzzOutcome.of {
            _ = try? RequestParsing.taggingHeader(header)
            let tags = try RequestParsing.tagging(input)
            try expect(tags.count <= 10, "\(tags.count) object tags were accepted")
        }
    }

    /// PutBucketAcl / PutObjectAcl's `<AccessControlPolicy>` body.
    static func fuzzAccessControlPolicyXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of { _ = try RequestParsing.accessControlPolicy(input) }
    }

    /// CreateBucket's `<CreateBucketConfiguration>` body.
    static func fuzzCreateBucketConfigurationXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of { _ = try RequestParsing.createBucketConfiguration(input) }
    }

    /// PutBucketVersioning's `<VersioningConfiguration>` body.
    static func fuzzVersioningConfigurationXML(_ input: [UInt8]) -> FuzzOutcome {
        FuzzOutcome.of { _ = try RequestParsing.versioningConfiguration(input) }
    }
}
