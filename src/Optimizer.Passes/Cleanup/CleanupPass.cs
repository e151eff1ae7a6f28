using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// The always-on clean-up that runs before every other pass: Constant nodes become
/// initializers; no-op nodes go and constant subgraphs fold, repeated until nothing changes
/// (removing a Cast can make a Reshape's shape constant, folding a Reshape can make a Shape
/// static); then dead nodes and unused initializers go and intermediate values are annotated
/// with their inferred types.
/// </summary>
internal sealed class CleanupPass : IModelPass
{
    public static string Name => Schema.PassSchema.Cleanup.Name;

    /// <summary>More rounds than real exports need (two or three); bounds the work on hostile graphs.</summary>
    private const int MaxRounds = 8;

    private const string Annotation = "annotation";

    public int Stage => Schema.PassSchema.Cleanup.Order;

    public PassReport Run(OnnxModel model)
    {
        var log = new CleanupLog();
        var nodesBefore = model.Graph.Nodes.Count;
        ConstantNodeLifting.Run(model, log);
        for (var round = 0; round < MaxRounds; round++)
        {
            var changes = NoOpElimination.Run(model, log) + ConstantFolding.Run(model, log);
            if (changes == 0) break;
        }

        DeadCodeRemoval.Run(model.Graph, log);
        var annotated = ShapeInference.Annotate(model);
        if (annotated > 0)
        {
            log.Change(Annotation, model.Graph.Name, $"{annotated} intermediate values annotated with their inferred types (value_info)");
        }

        return new PassReport(Name, Summary(log, nodesBefore, model.Graph.Nodes.Count), log.Changed, log.Skipped);
    }

    private static string Summary(CleanupLog log, int nodesBefore, int nodesAfter)
    {
        var parts = log.Counts.Where(c => c.Key != Annotation).Select(c => $"{c.Value} {c.Key}").ToList();
        var what = parts.Count > 0 ? string.Join(", ", parts) : "nothing to clean";
        return $"{nodesBefore} → {nodesAfter} nodes: {what}" + (log.Skipped.Count > 0 ? $"; {log.Skipped.Count} skipped" : "");
    }
}
