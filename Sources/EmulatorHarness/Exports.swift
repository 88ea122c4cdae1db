// `import EmulatorHarness` is all a test needs: the configuration types (`EmulatorConfiguration`,
// `IAMUser`, `IAMGroup`, `BucketSeed`, `AccessKey`, `RequestRecord`, …) come with it.
@_exported public import S3Emulator
