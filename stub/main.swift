import LLMPackKit
import CZstd
print("runner", ZSTD_versionNumber())
