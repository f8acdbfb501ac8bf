// llmpack-runner: the engine copied into every bundle. It finds its model in its own file.
// Default arguments baked in at build time (`llmpack build --default-args "..."`) come first, so
// the command line given at launch overrides them.
import LLMPackKit
#if canImport(Glibc)
import Glibc
#endif

// A parent may start us with signals blocked (the mask is inherited through exec): unblock them,
// so that Ctrl-C stops a reply and SIGTERM stops the server.
var everySignal = sigset_t()
sigemptyset(&everySignal)
sigprocmask(SIG_SETMASK, &everySignal, nil)

var arguments = Array(CommandLine.arguments.dropFirst())
if let defaults = try? ModelSource.embeddedBundle().runConfig().arguments, !defaults.isEmpty {
    arguments = defaults + arguments
}
RunnerCommand.main(arguments)
