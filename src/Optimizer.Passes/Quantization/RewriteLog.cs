using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Runs a node rewriter over candidates and records each change, or the reason a node was left.</summary>
internal static class RewriteLog
{
    /// <summary>Rewrites each of <paramref name="nodes"/>; returns how many changed.</summary>
    public static int Apply(IEnumerable<OnnxNode> nodes, Func<OnnxNode, (string? Detail, string? Reason)> rewrite, List<PassChange> changed, List<PassSkip> skipped)
    {
        var count = 0;
        foreach (var node in nodes)
        {
            var (detail, reason) = rewrite(node);
            if (detail is not null)
            {
                changed.Add(new PassChange(QdqPlanner.NameOf(node), detail));
                count++;
            }
            else
            {
                skipped.Add(new PassSkip(QdqPlanner.NameOf(node), reason!));
            }
        }

        return count;
    }
}
