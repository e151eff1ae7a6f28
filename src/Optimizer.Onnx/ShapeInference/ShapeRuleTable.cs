namespace Optimizer.Onnx;

/// <summary>Which rule infers each supported operator's first output.</summary>
internal static class ShapeRuleTable
{
    private static readonly Dictionary<string, Func<NodeContext, InferredType>> Rules = new(StringComparer.Ordinal)
    {
        ["Add"] = ElementwiseRules.Broadcasting,
        ["Sub"] = ElementwiseRules.Broadcasting,
        ["Mul"] = ElementwiseRules.Broadcasting,
        ["Div"] = ElementwiseRules.Broadcasting,
        ["Pow"] = ElementwiseRules.Broadcasting,
        ["Relu"] = ElementwiseRules.SameAsInput,
        ["Clip"] = ElementwiseRules.SameAsInput,
        ["Sigmoid"] = ElementwiseRules.SameAsInput,
        ["Tanh"] = ElementwiseRules.SameAsInput,
        ["LeakyRelu"] = ElementwiseRules.SameAsInput,
        ["HardSigmoid"] = ElementwiseRules.SameAsInput,
        ["HardSwish"] = ElementwiseRules.SameAsInput,
        ["Softmax"] = ElementwiseRules.SameAsInput,
        ["LogSoftmax"] = ElementwiseRules.SameAsInput,
        ["BatchNormalization"] = ElementwiseRules.SameAsInput,
        ["Dropout"] = ElementwiseRules.SameAsInput,
        ["Identity"] = ElementwiseRules.SameAsInput,
        ["Neg"] = ElementwiseRules.SameAsInput,
        ["Sqrt"] = ElementwiseRules.SameAsInput,
        ["Exp"] = ElementwiseRules.SameAsInput,
        ["Cast"] = ElementwiseRules.Cast,
        ["QuantizeLinear"] = ElementwiseRules.Quantize,
        ["DequantizeLinear"] = ElementwiseRules.Dequantize,
        ["MatMul"] = LinearAlgebraRules.MatMul,
        ["Gemm"] = LinearAlgebraRules.Gemm,
        ["Conv"] = ConvPoolRules.Conv,
        ["MaxPool"] = ConvPoolRules.Pool,
        ["AveragePool"] = ConvPoolRules.Pool,
        ["GlobalAveragePool"] = ConvPoolRules.GlobalPool,
        ["GlobalMaxPool"] = ConvPoolRules.GlobalPool,
        ["Flatten"] = ShapeOpRules.Flatten,
        ["Reshape"] = ShapeOpRules.Reshape,
        ["Transpose"] = ShapeOpRules.Transpose,
        ["Squeeze"] = ShapeOpRules.Squeeze,
        ["Unsqueeze"] = ShapeOpRules.Unsqueeze,
        ["Concat"] = ShapeOpRules.Concat,
        ["Shape"] = ShapeOpRules.Shape,
        ["Gather"] = ShapeOpRules.Gather,
        ["ConstantOfShape"] = ShapeOpRules.ConstantOfShape,
    };

    public static bool IsSupported(OnnxNode node) => node.IsDefaultDomain && Rules.ContainsKey(node.OpType);

    /// <summary>The first output's type, or null for an operator this version does not infer.</summary>
    public static InferredType? InferFirstOutput(NodeContext context) =>
        context.Node.IsDefaultDomain && Rules.TryGetValue(context.Node.OpType, out var rule) ? rule(context) : null;
}
