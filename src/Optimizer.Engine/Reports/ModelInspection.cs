using Optimizer.Engine.Manifests;
using Optimizer.Onnx;

namespace Optimizer.Engine.Reports;

/// <summary>
/// What <c>inspect</c> shows about one model: its signature (symbolic dimensions kept by name),
/// how often each operator is used, parameters, FLOPs and memory. Computed from the file alone;
/// nothing is run.
/// </summary>
/// <param name="Path">The model file.</param>
/// <param name="FileSize">Bytes on disk.</param>
/// <param name="IrVersion">The ONNX IR version.</param>
/// <param name="Opsets">Opset imports, "domain version" ("" is the default domain).</param>
/// <param name="Producer">Producer name and version, when the model records them.</param>
/// <param name="Inputs">Graph inputs that are not initializers, in graph order.</param>
/// <param name="Outputs">Graph outputs, in graph order.</param>
/// <param name="Totals">Nodes, parameters, FLOPs (Conv/Gemm/MatMul, one sample), weight sparsity, op histogram.</param>
/// <param name="Initializers">Constant tensors in the graph.</param>
/// <param name="WeightBytes">Bytes the constant tensors hold.</param>
/// <param name="ActivationBytes">
/// Bytes of the values the nodes produce for one sample (symbolic dimensions taken as 1) whose
/// shapes inference knows: what a run without buffer reuse would allocate for them.
/// </param>
/// <param name="LargestActivationBytes">The largest single such value.</param>
/// <param name="UnknownActivations">Values whose size is unknown (not counted above).</param>
public sealed record ModelInspection(
    string Path,
    long FileSize,
    long IrVersion,
    IReadOnlyList<string> Opsets,
    string? Producer,
    IReadOnlyList<ManifestValue> Inputs,
    IReadOnlyList<ManifestValue> Outputs,
    ModelTotals Totals,
    int Initializers,
    long WeightBytes,
    long ActivationBytes,
    long LargestActivationBytes,
    int UnknownActivations)
{
    /// <summary>Loads <paramref name="path"/> (coded <see cref="OnnxFormatException"/> on bad input) and inspects it.</summary>
    public static ModelInspection Of(string path)
    {
        var model = OnnxModelLoader.Load(path);
        var graph = model.Graph;
        var (activations, largest, unknown) = Activations(model);
        var producer = string.IsNullOrEmpty(model.ProducerName) ? null
            : string.IsNullOrEmpty(model.ProducerVersion) ? model.ProducerName : model.ProducerName + " " + model.ProducerVersion;
        return new ModelInspection(
            System.IO.Path.GetFullPath(path),
            new FileInfo(path).Length,
            model.IrVersion,
            model.OpsetImports.Select(o => (o.Domain.Length == 0 ? "ai.onnx" : o.Domain) + " " + o.Version).ToList(),
            producer,
            ManifestValues.From(graph.Inputs),
            ManifestValues.From(graph.Outputs),
            ModelReportBuilder.Totals(model),
            graph.Initializers.Count,
            graph.Initializers.Sum(t => t.ElementType.RawByteCount(t.ElementCount)),
            activations,
            largest,
            unknown);
    }

    private static (long Total, long Largest, int Unknown) Activations(OnnxModel model)
    {
        IReadOnlyDictionary<string, ValueTypeInfo> types;
        try
        {
            types = ShapeInference.Infer(model);
        }
        catch (OnnxFormatException)
        {
            types = new Dictionary<string, ValueTypeInfo>();
        }

        long total = 0, largest = 0;
        var unknown = 0;
        foreach (var output in model.Graph.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0))
        {
            if (!types.TryGetValue(output, out var type) || type is not { Kind: ValueKind.Tensor, Shape: { } shape } || type.ElementType.BitsPerElement() == 0)
            {
                unknown++;
                continue;
            }

            var elements = shape.Aggregate(1L, (product, d) => product * (d.Size is { } size and >= 0 ? size : 1));
            var bytes = type.ElementType.RawByteCount(elements);
            total += bytes;
            largest = Math.Max(largest, bytes);
        }

        return (total, largest, unknown);
    }
}
