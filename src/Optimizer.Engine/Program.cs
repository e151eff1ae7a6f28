using Optimizer.Engine.Cli;
using Optimizer.Engine.NativeLibraries;

// Entry point kept trivial: tests run EngineCli in-process with their own writers.
OnnxRuntimeNativeLibrary.Register();
return EngineCli.Run(args, Console.Out, Console.Error);
