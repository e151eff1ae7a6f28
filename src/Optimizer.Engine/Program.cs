using Optimizer.Engine.Cli;
using Optimizer.Engine.NativeLibraries;
using Optimizer.Engine.Supervision;

// Entry point kept trivial: tests run EngineCli in-process with their own writers.
CoreDumps.DisableWhenSupervised();
OnnxRuntimeNativeLibrary.Register();
return EngineCli.Run(args, Console.Out, Console.Error);
