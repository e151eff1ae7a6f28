using System.CommandLine;
using System.Globalization;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Reports;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary><c>inspect &lt;model&gt;</c>: signature with symbolic dimensions, op histogram, parameters, FLOPs, memory, size.</summary>
internal static class InspectCommand
{
    public static Command Create(ToolContext context)
    {
        var model = new Argument<FileInfo>("model") { Description = "The ONNX model to inspect." };
        var command = new Command("inspect", "Show a model's inputs and outputs (symbolic dimensions by name), operator histogram, parameters, FLOPs, memory and size.") { model };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var inspection = ModelInspection.Of(parse.GetRequiredValue(model).FullName);
            if (context.Json(parse))
                context.WriteJson(ToJson(inspection));
            else
                Render(context.Console, inspection);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static object ToJson(ModelInspection i) => new
    {
        path = i.Path,
        fileSize = i.FileSize,
        irVersion = i.IrVersion,
        opsets = i.Opsets,
        producer = i.Producer,
        inputs = i.Inputs.Select(Value),
        outputs = i.Outputs.Select(Value),
        nodes = i.Totals.Nodes,
        initializers = i.Initializers,
        parameters = i.Totals.Parameters,
        flops = i.Totals.Flops,
        weightSparsity = i.Totals.WeightSparsity,
        memory = new { weightBytes = i.WeightBytes, activationBytes = i.ActivationBytes, largestActivationBytes = i.LargestActivationBytes, unknownActivations = i.UnknownActivations },
        operators = i.Totals.OpCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
    };

    internal static object Value(ManifestValue v) => new { name = v.Name, elementType = v.ElementType, shape = v.Shape, kind = v.Kind };

    internal static string Shape(ManifestValue v) => v.Shape is null ? "?" : "[" + string.Join(", ", v.Shape.Select(d => d switch
    {
        null => "?",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    })) + "]";

    private static void Render(IAnsiConsole console, ModelInspection i)
    {
        console.MarkupLineInterpolated($"[bold]{Path.GetFileName(i.Path)}[/]: IR {i.IrVersion}, {string.Join(", ", i.Opsets)}{(i.Producer is null ? "" : ", from " + i.Producer)}");
        var facts = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        facts.AddRow("file size", LatencyStatistics.FormatBytes(i.FileSize));
        facts.AddRow("nodes", i.Totals.Nodes.ToString("#,0", CultureInfo.InvariantCulture));
        facts.AddRow("parameters", i.Totals.Parameters.ToString("#,0", CultureInfo.InvariantCulture));
        facts.AddRow("FLOPs / sample", i.Totals.Flops is { } f ? f.ToString("#,0", CultureInfo.InvariantCulture) : "unknown");
        facts.AddRow("weight sparsity", i.Totals.WeightSparsity is { } s ? s.ToString("P1", CultureInfo.InvariantCulture) : "–");
        facts.AddRow("weights in memory", LatencyStatistics.FormatBytes(i.WeightBytes));
        facts.AddRow("activations / sample", $"{LatencyStatistics.FormatBytes(i.ActivationBytes)} (largest {LatencyStatistics.FormatBytes(i.LargestActivationBytes)})"
            + (i.UnknownActivations > 0 ? $", {i.UnknownActivations} values of unknown size not counted" : ""));
        console.Write(facts);

        var signature = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("name").AddColumn("type").AddColumn("shape");
        foreach (var v in i.Inputs)
            signature.AddRow("input", Markup.Escape(v.Name), v.Kind ?? v.ElementType, Markup.Escape(Shape(v)));
        foreach (var v in i.Outputs)
            signature.AddRow("output", Markup.Escape(v.Name), v.Kind ?? v.ElementType, Markup.Escape(Shape(v)));
        console.Write(signature);

        var histogram = new BarChart().Label("operators").LeftAlignLabel();
        foreach (var (op, count) in i.Totals.OpCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            histogram.AddItem(Markup.Escape(op), count, Color.Blue);
        console.Write(histogram.Width(Math.Min(80, console.Profile.Width)));
    }
}
