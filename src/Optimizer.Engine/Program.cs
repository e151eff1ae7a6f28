using Optimizer.Engine.Cli;

// Entry point kept trivial: tests run EngineCli in-process with their own writers.
return EngineCli.Run(args, Console.Out, Console.Error);
