using Optimizer.Tool;

// Progress and colours only on a terminal; redirected output (and --json) stays plain.
return ToolCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
