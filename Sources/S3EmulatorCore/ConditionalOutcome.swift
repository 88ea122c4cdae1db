/// What a conditional request asks for, once evaluated against the current object.
public enum ConditionalOutcome: Sendable, Equatable {
    /// Serve (or perform) the request.
    case proceed
    /// 304 Not Modified.
    case notModified
    /// 412 `PreconditionFailed`.
    case preconditionFailed
}
