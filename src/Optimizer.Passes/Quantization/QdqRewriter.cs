// Rewrites a planned graph into QDQ form:
// - each activation: producer → QuantizeLinear → DequantizeLinear → consumers. The DQ output
//   keeps the original value name (the producer's output is renamed), so consumers and graph
//   outputs need no rewiring; a graph input keeps its name and its consumers read the DQ output.
// - weights: int8 initializer, symmetric per output channel (zero point 0), through a
//   DequantizeLinear with the channel axis (Conv: 0; Gemm transB=1: 0; Gemm/MatMul [K, N]: 1).
// - bias: int32 with scale = input scale × weight scale per channel and zero point 0, the form
//   ORT requires to fold it into QLinearConv/QGemm.
// - constant operand of Add/Mul: an 8-bit initializer of the activation type, per tensor (one
//   scalar scale and zero point over [min(0, min), max(0, max)]), through a DequantizeLinear; one
//   copy per constant however many nodes read it.

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

namespace Optimizer.Passes.Quantization;

/// <summary>Applies a <see cref="QdqPlan"/> with calibrated ranges.</summary>
internal sealed class QdqRewriter(OnnxGraph graph, ActivationType activationType, bool reduceRange)
{
    private readonly UniqueNames _names = new(graph);
    private readonly Dictionary<string, AffineParameters> _activation = new();
    private readonly Dictionary<(string, int), (string Dequantized, float[] Scales)> _weights = new();
    private readonly HashSet<string> _floatConstants = new();
    private readonly Dictionary<string, string> _inputOfDequantized = new();
    private readonly Dictionary<int, string> _weightZeroPoints = new();
    private readonly Dictionary<string, string> _constantOperands = new();

    public long FloatWeightBytes { get; private set; }

    public long QuantizedWeightBytes { get; private set; }

    public List<PassChange> Apply(QdqPlan plan, IReadOnlyDictionary<string, TensorRange> ranges)
    {
        var inputs = graph.Inputs.Select(i => i.Name).ToHashSet();
        foreach (var value in plan.Activations)
        {
            var parameters = AffineParameters.For(ranges[value], activationType);
            _activation[value] = parameters;
            InsertQdq(value, parameters, inputs.Contains(value));
        }

        var changes = new List<PassChange>();
        foreach (var node in plan.WeightedNodes)
        {
            changes.Add(new PassChange(QdqPlanner.NameOf(node), QuantizeWeights(node)));
        }

        var constantDetails = new Dictionary<OnnxNode, string>();
        foreach (var (node, index) in plan.ConstantOperands)
        {
            var constant = graph.FindConstant(node.Inputs[index])!;
            node.Inputs[index] = DequantizedConstant(constant);
            constantDetails[node] = $", constant operand [{string.Join(",", constant.Dims)}] → {activationType} per-tensor";
        }

        changes.AddRange(plan.QuantizedNodes.Except(plan.WeightedNodes)
            .Select(n => new PassChange(QdqPlanner.NameOf(n), $"{n.OpType} runs on {activationType} activations{constantDetails.GetValueOrDefault(n, "")}")));
        foreach (var name in _floatConstants)
        {
            if (graph.FindInitializer(name) is not null)
            {
                graph.RemoveInitializerIfUnused(name);
            }
            else if (graph.FindProducer(name) is { OpType: "Constant" } constant && graph.FindConsumers(name).Count == 0 && !graph.IsUsedOutsideExplicitInputs(name))
            {
                graph.Nodes.Remove(constant);
            }
        }

        graph.SortTopologically();
        return changes;
    }

    private void InsertQdq(string value, AffineParameters parameters, bool isGraphInput)
    {
        var scale = AddScalar(value, parameters);
        var quantized = _names.Next($"{value}_q");
        string source = value, dequantized = value;
        if (isGraphInput)
        {
            dequantized = _names.Next($"{value}_dq");
            _inputOfDequantized[dequantized] = value;
            foreach (var consumer in graph.FindConsumers(value))
            {
                Replace(consumer.Inputs, value, dequantized);
            }
        }
        else
        {
            source = _names.Next($"{value}_f");
            var producer = graph.FindProducer(value)!;
            Replace(producer.Outputs, value, source);
        }

        graph.Nodes.Add(new OnnxNode("QuantizeLinear", [source, scale.Scale, scale.ZeroPoint], [quantized]));
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [quantized, scale.Scale, scale.ZeroPoint], [dequantized]));
    }

    private (string Scale, string ZeroPoint) AddScalar(string value, AffineParameters parameters)
    {
        var scale = OnnxTensor.FromFloats(_names.Next($"{value}_s"), [], [parameters.Scale]);
        var zeroPoint = activationType == ActivationType.UInt8
            ? OnnxTensor.FromUInt8s(_names.Next($"{value}_zp"), [], [(byte)parameters.ZeroPoint])
            : OnnxTensor.FromInt8s(_names.Next($"{value}_zp"), [], [(sbyte)parameters.ZeroPoint]);
        graph.Initializers.AddRange([scale, zeroPoint]);
        return (scale.Name, zeroPoint.Name);
    }

    private string QuantizeWeights(OnnxNode node)
    {
        var weight = graph.FindConstant(node.Inputs[1])!;
        var axis = node.OpType switch
        {
            "Conv" => 0,
            "Gemm" when (node.FindAttribute("transB")?.Int ?? 0) != 0 => 0,
            _ => 1,
        };
        var (dequantized, scales) = DequantizedWeight(weight, axis);
        node.Inputs[1] = dequantized;
        var detail = $"{node.OpType} weight [{string.Join(",", weight.Dims)}] → int8 per-channel (axis {axis}, {scales.Length} scales)";
        if (node.OpType != "MatMul" && node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            var inputScale = _activation[ActivationSource(node.Inputs[0])].Scale;
            node.Inputs[2] = DequantizedBias(graph.FindConstant(node.Inputs[2])!, inputScale, scales);
            detail += ", int32 bias";
        }

        return detail;
    }

    /// <summary>The activation whose parameters feed this input (a graph input is read through its renamed DQ output).</summary>
    private string ActivationSource(string input) => _inputOfDequantized.GetValueOrDefault(input, input);

    private (string Dequantized, float[] Scales) DequantizedWeight(OnnxTensor weight, int axis)
    {
        if (_weights.TryGetValue((weight.Name, axis), out var existing))
        {
            return existing;
        }

        var (values, scales) = PerAxisInt8Quantizer.Quantize(weight.ToFloatArray(), weight.Dims, axis, reduceRange);
        var q = OnnxTensor.FromInt8s(_names.Next($"{weight.Name}_q"), weight.Dims, values);
        var scale = OnnxTensor.FromFloats(_names.Next($"{weight.Name}_s"), [scales.Length], scales);
        var dequantized = AddDequantize(q, scale, WeightZeroPoint(scales.Length), axis);
        FloatWeightBytes += values.Length * 4L;
        QuantizedWeightBytes += values.Length + scales.Length * 5L;
        _floatConstants.Add(weight.Name);
        return _weights[(weight.Name, axis)] = (dequantized, scales);
    }

    /// <summary>A constant Add/Mul operand as an 8-bit per-tensor initializer of the activation type, read through a DequantizeLinear.</summary>
    private string DequantizedConstant(OnnxTensor constant)
    {
        if (_constantOperands.TryGetValue(constant.Name, out var existing))
        {
            return existing;
        }

        var values = constant.ToFloatArray();
        var range = TensorRange.IncludingZero(values.DefaultIfEmpty(0f).Min(), values.DefaultIfEmpty(0f).Max());
        var parameters = AffineParameters.For(range, activationType);
        var (qmin, qmax) = activationType == ActivationType.UInt8 ? (0, 255) : (-128, 127);
        var levels = values.Select(v => (int)Math.Clamp(MathF.Round(v / parameters.Scale, MidpointRounding.ToEven) + parameters.ZeroPoint, qmin, qmax)).ToArray();
        var q = activationType == ActivationType.UInt8
            ? OnnxTensor.FromUInt8s(_names.Next($"{constant.Name}_q"), constant.Dims, levels.Select(l => (byte)l).ToArray())
            : OnnxTensor.FromInt8s(_names.Next($"{constant.Name}_q"), constant.Dims, levels.Select(l => (sbyte)l).ToArray());
        var (scale, zeroPoint) = AddScalar(constant.Name, parameters);
        graph.Initializers.Add(q);
        var output = _names.Next($"{constant.Name}_dq");
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [q.Name, scale, zeroPoint], [output]));
        _floatConstants.Add(constant.Name);
        FloatWeightBytes += values.Length * 4L;
        QuantizedWeightBytes += values.Length + 5L;
        return _constantOperands[constant.Name] = output;
    }

    private string DequantizedBias(OnnxTensor bias, float inputScale, float[] weightScales)
    {
        var values = bias.ToFloatArray();
        var scales = new float[values.Length];
        var quantized = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scales[i] = inputScale * weightScales[weightScales.Length == 1 ? 0 : i];
            quantized[i] = (int)Math.Clamp(Math.Round(values[i] / scales[i], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var q = OnnxTensor.FromInt32s(_names.Next($"{bias.Name}_q"), bias.Dims, quantized);
        var scale = OnnxTensor.FromFloats(_names.Next($"{bias.Name}_s"), [scales.Length], scales);
        _floatConstants.Add(bias.Name);
        return AddDequantize(q, scale, null, 0);
    }

    /// <summary>
    /// The all-zero int8 zero point of a symmetric weight with this many channels, shared by
    /// every weight of that width (ORT's QGemm fusion needs it present; sharing keeps files small).
    /// </summary>
    private string WeightZeroPoint(int channels)
    {
        if (!_weightZeroPoints.TryGetValue(channels, out var name))
        {
            name = _names.Next($"weight_zp_{channels}");
            graph.Initializers.Add(OnnxTensor.FromInt8s(name, [channels], new sbyte[channels]));
            _weightZeroPoints[channels] = name;
        }

        return name;
    }

    /// <summary>A DequantizeLinear of a constant; a null zero point is omitted, meaning 0 (the int32 bias).</summary>
    private string AddDequantize(OnnxTensor quantized, OnnxTensor scale, string? zeroPoint, int axis)
    {
        graph.Initializers.AddRange([quantized, scale]);
        var output = _names.Next($"{quantized.Name}_dq");
        string[] inputs = zeroPoint is null ? [quantized.Name, scale.Name] : [quantized.Name, scale.Name, zeroPoint];
        var dq = new OnnxNode("DequantizeLinear", inputs, [output]); // unnamed: Q/DQ names only cost bytes
        dq.SetAttribute(OnnxAttribute.FromInt("axis", axis));
        graph.Nodes.Add(dq);
        return output;
    }

    private static void Replace(List<string> names, string from, string to)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == from)
            {
                names[i] = to;
            }
        }
    }
}
