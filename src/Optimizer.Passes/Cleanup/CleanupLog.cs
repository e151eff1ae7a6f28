using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>What the clean-up steps changed and skipped, per node, with a count per kind of change.</summary>
internal sealed class CleanupLog
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly HashSet<PassSkip> _skips = new();

    public List<PassChange> Changed { get; } = new();

    public List<PassSkip> Skipped { get; } = new();

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void Change(string kind, OnnxNode node, string detail) => Change(kind, NameOf(node), detail);

    public void Change(string kind, string name, string detail)
    {
        _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        Changed.Add(new PassChange(name, detail));
    }

    /// <summary>Records a skip once per node and reason (the fixed-point loop may meet a node again).</summary>
    public void Skip(OnnxNode node, string reason)
    {
        var skip = new PassSkip(NameOf(node), reason);
        if (_skips.Add(skip))
        {
            Skipped.Add(skip);
        }
    }

    public static string NameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault(o => o.Length > 0) ?? node.OpType;
}
