using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Manifests;
using Optimizer.Onnx;

namespace Optimizer.Engine.Commands;

/// <summary><c>inspect &lt;model.onnx&gt;</c>: inputs, outputs and how often each operator is used.</summary>
public static class InspectCommand
{
    public const string Name = "inspect";
    public const string Usage = "inspect <model.onnx>";

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count != 1)
            throw new EngineException(EngineErrorCodes.Usage, $"Expected one model path. Usage: {Usage}");

        var model = OnnxModelLoader.Load(args[0]);
        stdout.WriteLine($"{Path.GetFileName(args[0])}: IR {model.IrVersion}, {model.Graph.Nodes.Count} nodes, {model.Graph.Initializers.Count} initializers");
        WriteValues(stdout, "inputs", model.Graph.Inputs);
        WriteValues(stdout, "outputs", model.Graph.Outputs);
        stdout.WriteLine("operators:");
        var histogram = model.Graph.Nodes
            .GroupBy(n => n.IsDefaultDomain ? n.OpType : n.Domain + "." + n.OpType)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in histogram)
            stdout.WriteLine($"  {group.Key,-28} {group.Count(),6}");
        return 0;
    }

    private static void WriteValues(TextWriter stdout, string title, IEnumerable<ValueInfo> values)
    {
        stdout.WriteLine(title + ":");
        foreach (var value in ManifestValues.From(values))
        {
            var shape = value.Shape is null ? "?" : "[" + string.Join(", ", value.Shape.Select(d => d?.ToString() ?? "?")) + "]";
            stdout.WriteLine($"  {value.Name}: {value.Kind ?? value.ElementType} {shape}");
        }
    }
}
