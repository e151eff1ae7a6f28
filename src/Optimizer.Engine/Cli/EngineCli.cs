using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;

namespace Optimizer.Engine.Cli;

/// <summary>
/// The engine's own entry point: what the MSBuild task runs (<c>optimize --plan</c>), plus
/// <c>optimize --model</c> and <c>inspect</c> for development. Hand-written parsing keeps the engine
/// that ships inside Optimizer.Build free of CLI libraries; the user-facing command line is the
/// <c>onnx-opt</c> tool (src/Optimizer.Tool), which calls the same commands' code.
/// </summary>
public static class EngineCli
{
    private delegate int CommandHandler(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr);

    private static readonly (string Name, string Usage, CommandHandler Run)[] Commands =
    {
        (OptimizeCommand.Name, OptimizeCommand.Usage, OptimizeCommand.Run),
        (InspectCommand.Name, InspectCommand.Usage, InspectCommand.Run),
    };

    /// <returns>The process exit code: 0 on success.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            WriteHelp(args.Count == 0 ? stderr : stdout);
            return args.Count == 0 ? 2 : 0;
        }

        if (args[0] == "--version")
        {
            stdout.WriteLine(EngineVersion.Current);
            return 0;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command.Run is null)
        {
            stderr.WriteLine(CanonicalError.Format(EngineErrorCodes.Usage,
                $"Unknown command '{args[0]}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}.", null));
            return 2;
        }

        try
        {
            return command.Run(args.Skip(1).ToList(), stdout, stderr);
        }
        catch (EngineException e)
        {
            stderr.WriteLine(CanonicalError.Format(e.Code, e.Message, e.Location));
            return 1;
        }
        catch (OnnxFormatException e)
        {
            stderr.WriteLine(CanonicalError.Format(e.Code, e.Message, e.ModelPath is null ? null : new DiagnosticLocation(e.ModelPath)));
            return 1;
        }
        catch (Exception e)
        {
            stderr.WriteLine(CanonicalError.Format(EngineErrorCodes.Unexpected,
                $"Unexpected {e.GetType().Name}: {e.Message} This is a bug in the optimizer; please report it.", null));
            return 1;
        }
    }

    private static void WriteHelp(TextWriter writer)
    {
        writer.WriteLine($"Optimizer.Engine {EngineVersion.Current}");
        writer.WriteLine("Usage:");
        foreach (var command in Commands)
            writer.WriteLine("  " + command.Usage);
    }
}
