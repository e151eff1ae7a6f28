using Optimizer.Tool;
using Optimizer.Tool.Supervision;

// Commands that run ONNX Runtime on the user's model run in a worker process (a crash there is reported, not fatal).
// Progress and colours only on a terminal; redirected output (and --json) stays plain.
return WorkerProcess.Supervise(args, Console.Out, Console.Error)
    ?? ToolCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
