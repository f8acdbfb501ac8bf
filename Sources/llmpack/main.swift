import LLMPackKit
print("llmpack")
