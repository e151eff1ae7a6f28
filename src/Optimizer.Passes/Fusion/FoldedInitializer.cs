using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>Where a fold writes a Conv's new weight or bias: over the original when only that Conv reads it, else beside it.</summary>
internal static class FoldedInitializer
{
    /// <summary>
    /// Writes <paramref name="values"/> under the original initializer's name when only
    /// <paramref name="conv"/> reads it (one copy of the weights; names stay stable for reports and
    /// exclusions), else under a new name made from <paramref name="name"/> and <paramref name="suffix"/>
    /// (another reader keeps the original). Returns the name the Conv should read.
    /// </summary>
    public static string Store(OnnxModel model, UniqueNames names, GraphUsage usage, OnnxNode conv, OnnxTensor? original, string name, string suffix,
        IReadOnlyList<long> dims, float[] values)
    {
        var owned = original is not null && usage.ConsumersOf(original.Name).All(n => n == conv) && !usage.IsUsedOutsideNodes(original.Name);
        var target = owned ? name : names.Next(name + suffix);
        var folded = OnnxTensor.FromFloats(target, dims, values);
        if (owned)
        {
            // Same name and dims: replaced in place, so an IR < 4 input declaration stays valid.
            var index = model.Graph.Initializers.IndexOf(original!);
            model.Graph.Initializers[index] = folded;
        }
        else
        {
            Initializers.Add(model, folded);
        }

        return target;
    }
}
