using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>What ONNX Runtime's CPU provider turns a model into: its optimized graph's operator counts.</summary>
internal static class OrtOptimizedGraph
{
    public static Dictionary<string, int> OperatorCounts(OnnxModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ort-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            // Extended level runs the QDQ fusions; "all" adds layout ops that cannot be saved.
            using (var options = new SessionOptions { OptimizedModelFilePath = path, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
            using (new InferenceSession(OnnxModelWriter.ToBytes(model), options))
            {
            }

            return OnnxModelLoader.Load(path).Graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static string Describe(Dictionary<string, int> counts) => string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}×{c.Value}"));
}
