// The ai.onnx operator changes up to opset 13 that break models written for an older opset, and
// the adapter for each (null: refused). From the ONNX operator changelog (docs/Changelog.md) and
// onnx's version_converter adapters.

using Optimizer.Onnx;

namespace Optimizer.Passes.Opset;

/// <summary>Rewrites one node across one operator change; returns null when done, else why it cannot.</summary>
internal delegate string? OpAdapter(UpgradeContext context, OnnxNode node);

/// <summary>One change of an operator at an opset version.</summary>
/// <param name="Version">The opset whose version of the operator changed.</param>
/// <param name="What">What changed, for messages.</param>
/// <param name="Adapter">Rewrites a node across the change; null when this version does not adapt it.</param>
/// <param name="Touches">Whether the adapter would rewrite a given node (null: always); a node inside a subgraph is accepted only when it would not.</param>
internal sealed record OpChange(int Version, string What, OpAdapter? Adapter = null, Func<OnnxNode, bool>? Touches = null);

internal static class OpsetChanges
{
    /// <summary>Operators whose changes up to opset 13 are all compatible (types added, negative axes, optional inputs with old defaults).</summary>
    private static readonly string[] Compatible =
    [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Elu", "Erf", "Exp", "Floor", "HardSigmoid",
        "LeakyRelu", "Log", "Neg", "Reciprocal", "Relu", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Sqrt", "Tan",
        "Tanh", "ThresholdedRelu", "Celu", "Shrink", "Round", "IsNaN", "IsInf", "Not", "Identity", "PRelu",
        "MatMul", "Conv", "ConvTranspose", "Transpose", "Shape", "Size", "Flatten", "Gather", "GatherElements", "GatherND",
        "Constant", "ConstantOfShape", "GlobalAveragePool", "GlobalMaxPool", "MaxPool", "AveragePool", "LRN", "InstanceNormalization",
        "LpNormalization", "MeanVarianceNormalization", "Sum", "Max", "Min", "Mean",
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
        "ArgMax", "ArgMin", "Expand", "Where", "Mod", "NonZero", "Range", "CumSum", "OneHot", "DepthToSpace", "SpaceToDepth", "Compress",
        "Einsum", "EyeLike", "ScatterND", "ScatterElements", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
        "MatMulInteger", "ConvInteger", "QLinearConv", "QLinearMatMul", "NonMaxSuppression", "RoiAlign", "MaxRoiPool", "MaxUnpool",
        "Det", "BitShift", "ReverseSequence", "Unique", "GreaterOrEqual", "LessOrEqual", "Loop", "If",
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "TfIdfVectorizer",
        "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceAt", "SequenceErase", "SequenceLength", "SplitToSequence",
        "ConcatFromSequence",
    ];

    private static readonly Dictionary<string, OpChange[]> Changes = new(StringComparer.Ordinal)
    {
        // Element-wise binary operators: the legacy broadcast/axis attributes became numpy broadcasting.
        ["Add"] = [Broadcast()], ["Sub"] = [Broadcast()], ["Mul"] = [Broadcast()], ["Div"] = [Broadcast()], ["Pow"] = [Broadcast()],
        ["And"] = [Broadcast()], ["Or"] = [Broadcast()], ["Xor"] = [Broadcast()],
        ["Equal"] = [Broadcast()], ["Greater"] = [Broadcast()], ["Less"] = [Broadcast()],
        ["Gemm"] = [new(7, "broadcast attribute removed, C broadcast unidirectionally", Adapters.GemmBroadcast, n => n.FindAttribute("broadcast") is not null)],
        ["Concat"] = [new(4, "axis became required (was 1 by default)", Adapters.ConcatAxis, n => n.FindAttribute("axis") is null)],
        ["Reshape"] = [new(5, "shape attribute → input", Adapters.ReshapeShape)],
        ["Cast"] = [new(6, "to attribute string → enum", Adapters.CastTo)],
        ["Tile"] = [new(6, "tiles/axis inputs → repeats input")],
        ["Split"] =
        [
            new(2, "split as a second input removed", Adapters.SplitSecondInput),
            new(13, "split attribute → input", Adapters.AttributeToInput("split")),
        ],
        ["Squeeze"] = [new(13, "axes attribute → input", Adapters.AttributeToInput("axes"))],
        ["Unsqueeze"] = [new(13, "axes attribute → input", Adapters.AttributeToInput("axes"))],
        ["ReduceSum"] = [new(13, "axes attribute → input", Adapters.AttributeToInput("axes"))],
        ["Softmax"] = [new(13, "axis now names one dimension instead of coercing the input to 2-D there", Adapters.SoftmaxFamily)],
        ["LogSoftmax"] = [new(13, "axis now names one dimension instead of coercing the input to 2-D there", Adapters.SoftmaxFamily)],
        ["Hardmax"] = [new(13, "axis now names one dimension instead of coercing the input to 2-D there", Adapters.SoftmaxFamily)],
        ["Slice"] = [new(10, "starts/ends/axes attributes → inputs", Adapters.SliceInputs)],
        ["TopK"] = [new(10, "k attribute → input", Adapters.TopKInput)],
        ["Pad"] =
        [
            new(2, "paddings attribute renamed pads", Adapters.PadRename),
            new(11, "pads/value attributes → inputs", Adapters.PadInputs),
        ],
        ["Clip"] = [new(11, "min/max attributes → inputs", Adapters.ClipInputs)],
        ["Upsample"] =
        [
            new(7, "height_scale/width_scale → scales"),
            new(9, "scales attribute → input", Adapters.UpsampleScalesInput),
            new(10, "Upsample deprecated in favour of Resize", Adapters.UpsampleToResize),
        ],
        ["Resize"] = [new(11, "roi input and coordinate_transformation_mode added (default half_pixel, was asymmetric)", Adapters.Resize10To11)],
        ["BatchNormalization"] =
        [
            new(7, "is_test attribute removed", Adapters.DropAttributes("is_test"), n => n.FindAttribute("is_test") is not null),
            new(9, "spatial attribute removed (always spatial)", Adapters.BatchNormSpatial),
        ],
        ["Dropout"] =
        [
            new(7, "is_test attribute removed", Adapters.DropAttributes("is_test"), n => n.FindAttribute("is_test") is not null),
            new(10, "mask output became bool", Adapters.DropoutMask),
            new(12, "ratio attribute → input", Adapters.DropoutRatio),
        ],
        ["LSTM"] = [new(7, "output_sequence attribute removed", Adapters.RefuseAttribute("output_sequence"), n => n.FindAttribute("output_sequence") is not null)],
        ["GRU"] = [new(7, "output_sequence attribute removed", Adapters.RefuseAttribute("output_sequence"), n => n.FindAttribute("output_sequence") is not null)],
        ["RNN"] = [new(7, "output_sequence attribute removed", Adapters.RefuseAttribute("output_sequence"), n => n.FindAttribute("output_sequence") is not null)],
        ["Scan"] = [new(9, "batch dimension removed, scan axes added")],
        ["Scatter"] = [new(11, "deprecated in favour of ScatterElements")],
        ["GlobalLpPool"] = [new(2, "p became an int")],
        ["LpPool"] = [new(2, "p became an int")],
    };

    private static OpChange Broadcast() => new(7, "broadcast/axis attributes → numpy broadcasting", Adapters.LegacyBroadcast,
        n => n.FindAttribute("broadcast") is not null || n.FindAttribute("axis") is not null);

    /// <summary>Whether the upgrader knows the operator's history.</summary>
    public static bool IsKnown(string opType) => Changes.ContainsKey(opType) || Compatible.Contains(opType);

    /// <summary>The operator's changes in (from, to].</summary>
    public static IEnumerable<OpChange> Between(string opType, long from, long to) =>
        Changes.TryGetValue(opType, out var changes) ? changes.Where(c => c.Version > from && c.Version <= to) : [];

    /// <summary>The operator's change at exactly <paramref name="version"/>, or null.</summary>
    public static OpChange? Find(string opType, long version) =>
        Changes.TryGetValue(opType, out var changes) ? changes.FirstOrDefault(c => c.Version == version) : null;

    /// <summary>The operator changes this version adapts and refuses, for documentation and tests.</summary>
    public static IEnumerable<(string OpType, OpChange Change)> All => Changes.SelectMany(p => p.Value.Select(c => (p.Key, c)));
}
