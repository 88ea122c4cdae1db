public import S3EmulatorCore

/// The decoded query parameters of a request, in order.
public struct QueryParameters: Sendable {
    public let items: [(name: String, value: String?)]

    public init(rawQuery: String?) throws(S3Error) {
        guard let rawQuery, !rawQuery.isEmpty else {
            self.items = []
            return
        }
        guard let items = URIEncoding.parseQuery(rawQuery) else {
            throw S3Error(.invalidArgument, message: "Invalid query string")
        }
        self.items = items
    }

    /// The value of `name`; `""` for a parameter present without a value (`?uploads`).
    public subscript(_ name: String) -> String? {
        for item in items where item.name == name {
            return item.value ?? ""
        }
        return nil
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }
}
