using System.CommandLine;
using Optimizer.Passes.Schema;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>passes [--markdown]</c>: every pass, check and option the attributes, items and <c>--pass</c>
/// take, read from the pass schema (the same one the build task and the engine validate against).
/// </summary>
internal static class PassesCommand
{
    public static Command Create(ToolContext context)
    {
        var markdown = new Option<bool>("--markdown") { Description = "Write the reference as Markdown tables (the README's option reference)." };
        var command = new Command("passes", "List the passes and checks, their options (values, defaults, item metadata) and the modes each option applies to.") { markdown };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            if (context.Json(parse))
                context.WriteJson(PassSchema.All.Select(ToJson));
            else if (parse.GetValue(markdown))
                context.Stdout.Write(SchemaMarkdown.Render());
            else
                Render(context.Console);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static object ToJson(PassDescriptor pass) => new
    {
        name = pass.Name,
        stage = pass.StageName,
        isCheck = pass.IsCheck,
        alwaysOn = pass.IsAlwaysOn,
        package = pass.Package,
        summary = pass.Summary,
        options = pass.Options.Select(o => new
        {
            name = o.Name,
            kind = o.Kind.ToString(),
            values = o.AllowedText,
            members = o.Members,
            defaultValue = o.DefaultText,
            itemMetadata = o.ItemMetadata,
            isCheck = o.IsCheck,
            appliesTo = o.AppliesTo.Count == 0 ? null : o.AppliesTo,
            summary = o.Summary,
        }),
    };

    private static void Render(IAnsiConsole console)
    {
        foreach (var pass in PassSchema.All)
        {
            console.MarkupLineInterpolated($"[bold]{pass.Name}[/] ({(pass.IsAlwaysOn ? "always on" : pass.IsCheck ? "check" : pass.StageName)}): {pass.Summary}");
            if (pass.Options.Count == 0)
                continue;
            var table = new Table().AddColumns("option", "values", "default", "item metadata", "summary");
            foreach (var o in pass.Options)
            {
                var applies = o.AppliesTo.Count == 0 ? "" : $" ({o.AppliesToOption}={string.Join("|", o.AppliesTo)} only)";
                table.AddRow(Markup.Escape(o.Name), Markup.Escape(o.AllowedText), Markup.Escape(o.DefaultText ?? "-"), Markup.Escape(o.ItemMetadata ?? "-"), Markup.Escape(o.Summary + applies));
            }

            console.Write(table);
        }
    }
}
