namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>The operators constant folding evaluates (default ONNX domain). Shape is folded separately: its input need not be constant.</summary>
internal static class FoldingRules
{
    private static readonly Dictionary<string, Func<FoldContext, ConstantValue>> Rules = new(StringComparer.Ordinal)
    {
        ["Identity"] = MovementFolds.Identity,
        ["Reshape"] = MovementFolds.Reshape,
        ["Squeeze"] = MovementFolds.Squeeze,
        ["Unsqueeze"] = MovementFolds.Unsqueeze,
        ["Concat"] = MovementFolds.Concat,
        ["Transpose"] = MovementFolds.Transpose,
        ["Gather"] = MovementFolds.Gather,
        ["Slice"] = MovementFolds.Slice,
        ["Add"] = ArithmeticFolds.Add,
        ["Sub"] = ArithmeticFolds.Sub,
        ["Mul"] = ArithmeticFolds.Mul,
        ["Div"] = ArithmeticFolds.Div,
        ["Cast"] = ArithmeticFolds.Cast,
        ["ConstantOfShape"] = GeneratorFolds.ConstantOfShape,
        ["Range"] = GeneratorFolds.Range,
    };

    public static bool IsGenerator(string opType) => opType is "ConstantOfShape" or "Range";

    public static Func<FoldContext, ConstantValue>? Find(string opType) => Rules.GetValueOrDefault(opType);
}
