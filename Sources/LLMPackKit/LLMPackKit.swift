// LLMPackKit module.
