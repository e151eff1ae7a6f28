using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Decides whether raising a model's default-domain opset to a newer version leaves every
/// node's meaning unchanged, from the ONNX operator changelog: for each operator, the opset
/// versions that changed the behaviour of models valid before (attribute turned input,
/// broadcasting rules, attribute type changes). Type additions and negative-axis support are
/// compatible and not listed. Operators missing from the table are treated as unsafe.
/// </summary>
internal static class OpsetCompatibility
{
    private static readonly Dictionary<string, int[]> BreakingVersions = new(StringComparer.Ordinal)
    {
        ["Abs"] = [], ["Acos"] = [], ["Asin"] = [], ["Atan"] = [], ["Ceil"] = [], ["Cos"] = [], ["Elu"] = [],
        ["Exp"] = [], ["Floor"] = [], ["HardSigmoid"] = [], ["LeakyRelu"] = [], ["Log"] = [], ["Neg"] = [],
        ["Reciprocal"] = [], ["Relu"] = [], ["Selu"] = [], ["Sigmoid"] = [], ["Sin"] = [], ["Softplus"] = [],
        ["Softsign"] = [], ["Sqrt"] = [], ["Tan"] = [], ["Tanh"] = [], ["Identity"] = [], ["Not"] = [],
        ["MatMul"] = [], ["Conv"] = [], ["ConvTranspose"] = [], ["Transpose"] = [], ["Shape"] = [], ["Size"] = [],
        ["Flatten"] = [], ["Concat"] = [4], ["Squeeze"] = [], ["Unsqueeze"] = [], ["Gather"] = [],
        ["Softmax"] = [], ["LogSoftmax"] = [], ["Constant"] = [], ["GlobalAveragePool"] = [], ["GlobalMaxPool"] = [],
        ["MaxPool"] = [], ["AveragePool"] = [7], ["LRN"] = [], ["InstanceNormalization"] = [],
        ["Dropout"] = [7], ["Sum"] = [], ["Max"] = [], ["Min"] = [], ["Mean"] = [],
        ["ReduceMean"] = [], ["ReduceSum"] = [], ["ReduceMax"] = [], ["ReduceMin"] = [], ["ReduceProd"] = [],
        ["ArgMax"] = [], ["ArgMin"] = [], ["Split"] = [],
        ["Add"] = [7], ["Sub"] = [7], ["Mul"] = [7], ["Div"] = [7], ["Pow"] = [7],
        ["Equal"] = [7], ["Greater"] = [7], ["Less"] = [7], ["And"] = [7], ["Or"] = [7], ["Xor"] = [7],
        ["Gemm"] = [6, 7], ["BatchNormalization"] = [6, 7, 9], ["PRelu"] = [7], ["Cast"] = [6],
        ["Reshape"] = [5], ["Slice"] = [10], ["TopK"] = [10], ["Clip"] = [11], ["Pad"] = [11],
        ["Upsample"] = [9, 10], ["Resize"] = [11], ["Tile"] = [6], ["Expand"] = [], ["Where"] = [],
    };

    /// <summary>Null when raising the default opset from <paramref name="from"/> to <paramref name="to"/> is safe, else why not.</summary>
    public static string? WhyNotRaise(OnnxModel model, long from, long to)
    {
        foreach (var node in AllNodes(model.Graph).Where(n => n.IsDefaultDomain))
        {
            if (!BreakingVersions.TryGetValue(node.OpType, out var breaking))
            {
                return $"the model imports ONNX opset {from}, and this version cannot confirm that {node.OpType} means the same at opset {to}; re-export the model at opset {to} or later";
            }

            if (breaking.FirstOrDefault(v => v > from && v <= to) is var changed and > 0)
            {
                return $"the model imports ONNX opset {from}, and {node.OpType} changed meaning at opset {changed}; re-export the model at opset {to} or later";
            }
        }

        return null;
    }

    private static IEnumerable<OnnxNode> AllNodes(OnnxGraph graph) =>
        graph.Nodes.Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs)
            .SelectMany(a => a.ReadSubgraphs()).SelectMany(AllNodes));
}
