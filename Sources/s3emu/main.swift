import S3Emulator
print("s3emu")
