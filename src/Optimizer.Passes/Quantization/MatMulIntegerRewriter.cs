using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Replaces one MatMul or Gemm with its dynamic INT8 form (→ Add bias), reusing the quantized
/// activation and weights when several nodes share them:
/// per row, <see cref="RowActivationQuantizer"/> → com.microsoft MatMulIntegerToFloat;
/// per tensor, DynamicQuantizeLinear → MatMulInteger → Cast → Mul(scales).
/// </summary>
internal sealed class MatMulIntegerRewriter
{
    private const string MicrosoftDomain = "com.microsoft";
    private readonly OnnxGraph graph;
    private readonly bool perChannel;
    private readonly bool reduceRange;
    private readonly RowActivationQuantizer? _rows;
    private readonly UniqueNames _names;
    private readonly Dictionary<string, (string Q, string Scale, string ZeroPoint)> _activations = new();
    private readonly Dictionary<(string, bool, float), string[]> _weights = new();
    private readonly HashSet<string> _replacedFloatInputs = new();

    public MatMulIntegerRewriter(OnnxGraph graph, bool perChannel, bool reduceRange, ActivationScales activationScales, long opset)
    {
        (this.graph, this.perChannel, this.reduceRange) = (graph, perChannel, reduceRange);
        _names = new UniqueNames(graph);
        _rows = activationScales == ActivationScales.PerRow ? new RowActivationQuantizer(graph, _names, opset) : null;
    }

    /// <summary>Whether the rewritten nodes include com.microsoft operators.</summary>
    public bool UsesMicrosoftDomain => _rows is not null && FloatWeightBytes > 0;

    public long FloatWeightBytes { get; private set; }

    public long Int8WeightBytes { get; private set; }

    /// <summary>Rewrites the node and returns what it did, or leaves it and returns why not.</summary>
    public (string? Detail, string? Reason) TryRewrite(OnnxNode node)
    {
        var isGemm = node.OpType == "Gemm";
        if (node.Inputs.Count < 2 || node.Outputs.Count != 1)
        {
            return (null, $"{node.OpType} with {node.Inputs.Count} inputs and {node.Outputs.Count} outputs is malformed");
        }

        var transA = isGemm ? node.FindAttribute("transA")?.Int ?? 0 : 0;
        var transB = isGemm && (node.FindAttribute("transB")?.Int ?? 0) != 0;
        var alpha = isGemm ? node.FindAttribute("alpha")?.Float ?? 1f : 1f;
        var beta = isGemm ? node.FindAttribute("beta")?.Float ?? 1f : 1f;
        if (transA != 0)
        {
            return (null, "Gemm with transA=1 would need a Transpose of the activation; left in float");
        }

        var weightName = node.Inputs[1];
        if (WhyNotQuantizable(weightName) is { } reason)
        {
            return (null, reason);
        }

        var activationType = graph.FindValueInfo(node.Inputs[0])?.Type?.ElementType;
        if (activationType is { } t && t != TensorElementType.Float)
        {
            return (null, $"activation '{node.Inputs[0]}' is {t}; only float32 activations are quantized");
        }

        var weight = graph.FindConstant(weightName)!;
        var (rows, columns) = ((int)weight.Dims[0], (int)weight.Dims[1]);
        var (k, n) = transB ? (columns, rows) : (rows, columns);
        var newNodes = new List<OnnxNode>();
        var (wQ, wScale, wZeroPoint, detail) = QuantizedWeightFor(weight, transB, alpha, k, n);
        var baseName = node.Name.Length > 0 ? node.Name : node.Outputs[0];
        var output = node.Outputs[0];
        var bias = isGemm && node.Inputs.Count > 2 && node.Inputs[2].Length > 0 && beta != 0 ? BiasFor(node.Inputs[2], beta, newNodes, baseName) : null;
        if (_rows is not null)
        {
            AddRowScaled(node.Inputs[0], wQ, wScale, output, bias, baseName, newNodes);
        }
        else
        {
            AddTensorScaled(node.Inputs[0], wQ, wScale, wZeroPoint, output, bias, baseName, newNodes);
        }

        var index = graph.Nodes.IndexOf(node);
        graph.Nodes.RemoveAt(index);
        graph.Nodes.InsertRange(index, newNodes);
        _replacedFloatInputs.Add(weightName);
        if (isGemm && node.Inputs.Count > 2)
        {
            _replacedFloatInputs.Add(node.Inputs[2]);
        }

        return (detail, null);
    }

    /// <summary>
    /// MatMulIntegerToFloat applies the row scale after its bias, so the bias stays a following Add
    /// (ONNX Runtime folds it into BiasGelu or SkipLayerNormalization where one follows).
    /// </summary>
    private void AddRowScaled(string activation, string wQ, string wScale, string output, string? bias, string baseName, List<OnnxNode> newNodes)
    {
        var (aQ, aScale, aZeroPoint) = _rows!.Quantize(activation, newNodes);
        var product = bias is null ? output : _names.Next($"{output}_scaled");
        newNodes.Add(new OnnxNode("MatMulIntegerToFloat", [aQ, wQ, aScale, wScale, aZeroPoint], [product], _names.Next($"{baseName}_MatMulIntegerToFloat"), MicrosoftDomain));
        if (bias is not null)
        {
            newNodes.Add(new OnnxNode("Add", [product, bias], [output], _names.Next($"{baseName}_bias_Add")));
        }
    }

    private void AddTensorScaled(string activation, string wQ, string wScale, string wZeroPoint, string output, string? bias, string baseName, List<OnnxNode> newNodes)
    {
        var (aQ, aScale, aZeroPoint) = QuantizedActivation(activation, newNodes);
        var product = _names.Next($"{output}_MatMulInteger");
        var productFloat = _names.Next($"{output}_MatMulInteger_cast");
        var scales = _names.Next($"{output}_scales");
        var scaled = bias is null ? output : _names.Next($"{output}_scaled");
        newNodes.Add(new OnnxNode("MatMulInteger", [aQ, wQ, aZeroPoint, wZeroPoint], [product], _names.Next($"{baseName}_MatMulInteger")));
        var cast = new OnnxNode("Cast", [product], [productFloat], _names.Next($"{baseName}_Cast"));
        cast.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        newNodes.Add(cast);
        newNodes.Add(new OnnxNode("Mul", [aScale, wScale], [scales], _names.Next($"{baseName}_scales_Mul")));
        newNodes.Add(new OnnxNode("Mul", [productFloat, scales], [scaled], _names.Next($"{baseName}_output_Mul")));
        if (bias is not null)
        {
            newNodes.Add(new OnnxNode("Add", [scaled, bias], [output], _names.Next($"{baseName}_bias_Add")));
        }
    }

    /// <summary>Drops float weights (initializers or Constant nodes) nothing reads any more.</summary>
    public void RemoveUnusedFloatWeights()
    {
        foreach (var name in _replacedFloatInputs)
        {
            FloatConstants.RemoveIfUnused(graph, name);
        }
    }

    private string? WhyNotQuantizable(string weightName)
    {
        if (graph.FindConstant(weightName) is not { } weight)
        {
            return graph.FindInitializer(weightName) is not null
                ? $"weight '{weightName}' is also a graph input, so callers may replace it at run time"
                : $"multiplies two run-time values ('{weightName}' is computed, e.g. attention scores); only constant weights are quantized";
        }

        if (weight.ElementType != TensorElementType.Float)
        {
            return $"weight '{weightName}' is {weight.ElementType}; only float32 weights are quantized";
        }

        if (weight.Dims.Count != 2 || weight.Dims[0] < 1 || weight.Dims[1] < 1)
        {
            return $"weight '{weightName}' has shape [{string.Join(",", weight.Dims)}]; only non-empty 2-D weights are quantized";
        }

        return null;
    }

    private (string Q, string Scale, string ZeroPoint) QuantizedActivation(string activation, List<OnnxNode> newNodes)
    {
        if (!_activations.TryGetValue(activation, out var quantized))
        {
            quantized = (_names.Next($"{activation}_quantized"), _names.Next($"{activation}_scale"), _names.Next($"{activation}_zero_point"));
            newNodes.Add(new OnnxNode("DynamicQuantizeLinear", [activation], [quantized.Q, quantized.Scale, quantized.ZeroPoint],
                _names.Next($"{activation}_DynamicQuantizeLinear")));
            _activations[activation] = quantized;
        }

        return quantized;
    }

    private (string Q, string Scale, string ZeroPoint, string Detail) QuantizedWeightFor(OnnxTensor weight, bool transB, float alpha, int k, int n)
    {
        var quantized = !transB && WeightRows.ShouldStream(weight)
            ? StreamedWeightQuantizer.Int8(new WeightRows(weight), perChannel, reduceRange)
            : InMemory(weight.ToFloatArray());
        QuantizedWeight InMemory(float[] values) =>
            Int8WeightQuantizer.Quantize(transB ? Int8WeightQuantizer.Transpose(values, n, k) : values, k, n, perChannel, reduceRange);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"weight [{k}x{n}] → int8 {(perChannel ? "per-channel" : "per-tensor")}{(transB ? ", transB folded" : "")}{(alpha != 1 ? $", alpha {alpha} folded" : "")}; relative weight RMSE {quantized.RelativeRmse:P2}");
        var key = (weight.Name, transB, alpha);
        if (_weights.TryGetValue(key, out var names))
        {
            return (names[0], names[1], names[2], detail + " (shared weight)");
        }

        var scaleDims = perChannel ? new long[] { n } : [];
        var q = OnnxTensor.FromInt8s(_names.Next($"{weight.Name}_quantized"), [k, n], quantized.Values);
        // Per row, the activation's scale is passed as its row maximum; the weight scales carry the 1/127.
        var activationStep = _rows is null ? 1f : RowActivationQuantizer.StepPerRowMax;
        var scale = OnnxTensor.FromFloats(_names.Next($"{weight.Name}_scale"), scaleDims, quantized.Scales.Select(s => s * alpha * activationStep).ToArray());
        graph.Initializers.AddRange([q, scale]);
        FloatWeightBytes += (long)k * n * 4;
        Int8WeightBytes += quantized.Values.Length + quantized.Scales.Length * 4L;

        // MatMulIntegerToFloat's weight zero point is optional (0); MatMulInteger's form keeps its explicit zeros.
        var zeroPointName = "";
        if (_rows is null)
        {
            var zeroPoint = OnnxTensor.FromInt8s(_names.Next($"{weight.Name}_zero_point"), scaleDims, new sbyte[quantized.Scales.Length]);
            graph.Initializers.Add(zeroPoint);
            Int8WeightBytes += quantized.Scales.Length;
            zeroPointName = zeroPoint.Name;
        }

        _weights[key] = [q.Name, scale.Name, zeroPointName];
        return (q.Name, scale.Name, zeroPointName, detail);
    }

    private string BiasFor(string c, float beta, List<OnnxNode> newNodes, string baseName)
    {
        if (beta == 1f)
        {
            return c;
        }

        if (graph.FindConstant(c) is { ElementType: TensorElementType.Float } constant)
        {
            var scaled = OnnxTensor.FromFloats(_names.Next($"{c}_beta"), constant.Dims, constant.ToFloatArray().Select(v => v * beta).ToArray());
            graph.Initializers.Add(scaled);
            return scaled.Name;
        }

        var betaName = _names.Next($"{baseName}_beta");
        graph.Initializers.Add(OnnxTensor.FromFloats(betaName, [], [beta]));
        var product = _names.Next($"{c}_times_beta");
        newNodes.Add(new OnnxNode("Mul", [c, betaName], [product], _names.Next($"{baseName}_beta_Mul")));
        return product;
    }
}
