using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Optimizer.Tool.Output;

/// <summary>
/// Where a command writes: human output through Spectre.Console (tables, progress on a terminal),
/// JSON for scripts with <c>--json</c>, coded diagnostics on stderr. Progress is drawn only when the
/// output is a terminal and <c>--json</c> is off, so redirected output never holds control codes.
/// </summary>
internal sealed class ToolContext
{
    /// <summary>The JSON form of every command's output (also the supervisor's crash error).</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public ToolContext(TextWriter stdout, TextWriter stderr, bool interactive, Option<bool> json)
    {
        Stdout = stdout;
        Stderr = stderr;
        Interactive = interactive;
        JsonOption = json;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
            Console.Profile.Width = 160;
    }

    public TextWriter Stdout { get; }
    public TextWriter Stderr { get; }
    public bool Interactive { get; }
    public Option<bool> JsonOption { get; }

    /// <summary>Human output (plain text when not interactive).</summary>
    public IAnsiConsole Console { get; }

    public bool Json(ParseResult parse) => parse.GetValue(JsonOption);

    public void WriteJson(object value) => Stdout.WriteLine(JsonSerializer.Serialize(value, value.GetType(), JsonOptions));

    /// <summary>Runs <paramref name="work"/> under a spinner on a terminal; plainly otherwise.</summary>
    public T Status<T>(ParseResult parse, string text, Func<T> work) =>
        Interactive && !Json(parse)
            ? Console.Status().Start(Markup.Escape(text), _ => work())
            : work();

    /// <summary>Runs <paramref name="work"/> with a progress bar (fed fractions in [0, 1]) on a terminal; plainly otherwise.</summary>
    public T Progress<T>(ParseResult parse, string text, Func<Action<double>, T> work)
    {
        if (!Interactive || Json(parse))
            return work(_ => { });
        return Console.Progress().Start(progress =>
        {
            var task = progress.AddTask(Markup.Escape(text), maxValue: 1);
            var result = work(fraction => task.Value = Math.Clamp(fraction, 0, 1));
            task.Value = 1;
            return result;
        });
    }
}
