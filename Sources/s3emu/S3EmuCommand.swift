import ArgumentParser

@main
struct S3EmuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3emu",
        abstract: "A strict S3 emulator: behaves like AWS S3, including its refusals.",
        discussion: """
            Start a server with `s3emu serve --port 9000`, then point any S3 client at \
            http://127.0.0.1:9000 with access key `test` and secret key `test`.
            """,
        subcommands: [ServeCommand.self, PresignCommand.self, PresignPostCommand.self]
    )
}
