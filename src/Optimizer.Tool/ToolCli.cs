using System.CommandLine;
using Optimizer.Engine;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Tool.Commands;
using Optimizer.Tool.Output;

namespace Optimizer.Tool;

/// <summary>
/// <c>onnx-opt</c>: System.CommandLine parses, each command under Commands/ runs engine code and
/// renders the result. Errors are the engine's coded one-line diagnostics on stderr (and an
/// <c>error</c> object on stdout with <c>--json</c>); exit codes are <see cref="ExitCodes"/>.
/// </summary>
public static class ToolCli
{
    /// <param name="args">The command line after the program name.</param>
    /// <param name="stdout">Results (text or JSON).</param>
    /// <param name="stderr">Coded diagnostics.</param>
    /// <param name="interactive">True on a terminal: colours and progress.</param>
    /// <returns>The process exit code (<see cref="ExitCodes"/>).</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        var json = new Option<bool>("--json") { Description = "Write the result as JSON on stdout (no progress, no colours).", Recursive = true };
        var context = new ToolContext(stdout, stderr, interactive, json);
        var root = new RootCommand($"onnx-opt {EngineVersion.Current}: inspect, optimize, verify, benchmark and report on ONNX models with the Optimizer.Build engine. Exit codes: 0 success, 1 coded error (OPTxxxx on stderr), 2 bad command line.")
        {
            json,
            InspectCommand.Create(context),
            OptimizeCommand.Create(context),
            VerifyCommand.Create(context),
            BenchCommand.Create(context),
            ReportCommand.Create(context),
            PassesCommand.Create(context),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var messages = parse.Errors.Select(e => e.Message).ToList();
            foreach (var message in messages)
                stderr.WriteLine(ErrorLines.Format(EngineErrorCodes.Usage, message + " Run 'onnx-opt --help' for usage.", null));
            if (parse.GetValue(json))
                context.WriteJson(new { error = new { code = EngineErrorCodes.Usage, message = string.Join(" ", messages) } });
            return ExitCodes.Usage;
        }

        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// Runs a command's body and turns every failure into a coded line: usage errors exit 2,
    /// everything else 1. Used by every command's action.
    /// </summary>
    internal static int Guard(ToolContext context, ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var (code, line) = Describe(e);
            context.Stderr.WriteLine(line);
            if (context.Json(parse))
                context.WriteJson(new { error = new { code, message = e.Message } });
            return code == EngineErrorCodes.Usage ? ExitCodes.Usage : ExitCodes.Failure;
        }
    }

    /// <summary>A coded error already formatted (e.g. by the engine's ErrorReport), carried to <see cref="Guard"/>.</summary>
    internal sealed class ReportedException(string code, string line, Exception inner) : Exception(inner.Message, inner)
    {
        public string Code { get; } = code;
        public string Line { get; } = line;
    }

    private static (string Code, string Line) Describe(Exception exception) => exception switch
    {
        ReportedException e => (e.Code, ErrorLines.ForTerminal(e.Line)),
        EngineException e => (e.Code, ErrorLines.Format(e.Code, e.Message, e.Location)),
        OnnxFormatException e => (e.Code, ErrorLines.Format(e.Code, e.Message, e.ModelPath is null ? null : new DiagnosticLocation(e.ModelPath))),
        PassException e => (e.Code, ErrorLines.Format(e.Code, e.Message, null)),
        BenchmarkException e => (EngineErrorCodes.SpeedupNotMeasured, ErrorLines.Format(EngineErrorCodes.SpeedupNotMeasured, $"The models could not be timed: {e.Message}.", null)),
        IOException or UnauthorizedAccessException => (EngineErrorCodes.WriteFailed, ErrorLines.Format(EngineErrorCodes.WriteFailed, exception.Message, null)),
        _ => (EngineErrorCodes.Unexpected, ErrorLines.Format(EngineErrorCodes.Unexpected,
            $"Unexpected {exception.GetType().Name}: {exception.Message} This is a bug in the optimizer; please report it.", null)),
    };
}
