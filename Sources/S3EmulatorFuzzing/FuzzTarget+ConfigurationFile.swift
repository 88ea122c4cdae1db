import S3Emulator

extension FuzzTarget {
    /// The bytes as a `--config` file; an accepted file is also applied to a configuration.
    static func fuzzConfigurationFile(_ input: [UInt8]) -> FuzzOutcome {
        do {
            let file = try ConfigurationFile(contents: input, file: "fuzz.json")
            var configuration = EmulatorConfiguration()
            file.apply(to: &configuration)
            return .accepted
        } catch {
            // Typed: ConfigurationFileError is the only error it throws.
            _ = error.description
            return .refused
        }
    }
}
