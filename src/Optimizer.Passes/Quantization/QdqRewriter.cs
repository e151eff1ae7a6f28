// Rewrites a planned graph into QDQ form:
// - each activation: producer → QuantizeLinear → DequantizeLinear → consumers. The DQ output
//   keeps the original value name (the producer's output is renamed), so consumers and graph
//   outputs need no rewiring; a graph input keeps its name and its consumers read the DQ output.
// - weights: int8 initializer, symmetric per output channel (zero point 0), through a
//   DequantizeLinear with the channel axis (Operators/WeightedOp.cs: Conv 0; Gemm transB=1: 0; Gemm/MatMul [K, N]: 1).
// - bias: int32 with scale = input scale × weight scale per channel and zero point 0, the form
//   ORT requires to fold it into QLinearConv/QGemm.
// - constant operand of Add/Mul: an 8-bit initializer of the activation type, per tensor (one
//   scalar scale and zero point over [min(0, min), max(0, max)]), through a DequantizeLinear; one
//   copy per constant however many nodes read it, and equal constants share the initializer
//   (each keeps its own DequantizeLinear: ORT fuses a DQ into one node group).
// Compact output (the file is the product; none of this changes the numerics):
// - generated values and initializers get short names, one index per activation/weight:
//   activation i: producer output f{i}, QuantizeLinear output q{i}, scale s{i}, zero point z{i}
//   (a graph input's DQ output d{i}); weight i: int8 w{i}, scale ws{i}, DQ output wd{i}; its bias
//   b{i}, bs{i}, bd{i}; constant operand i: scale cs{i}, zero point cz{i}, DQ output cd{i} (its
//   quantized initializer keeps the constant's name + "_q"). UniqueNames keeps them collision-free; the order is the plan's, so
//   deterministic. Original value names of activations stay (they are the DQ outputs).
// - scale and zero-point initializers are shared: one tensor per distinct type/shape/value.
// - a per-tensor weight (WeightGranularity) gets a scalar scale and zero point and no axis.
// - value_info is dropped except for values next to nodes of other domains (ORT infers every
//   standard op; graph inputs/outputs keep their types).

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Quantization;

/// <summary>Applies a <see cref="QdqPlan"/> with calibrated ranges.</summary>
internal sealed class QdqRewriter(OnnxGraph graph, QuantizedActivationType activationType, bool reduceRange, WeightGranularity granularity = WeightGranularity.PerChannel)
{
    private readonly UniqueNames _names = new(graph);
    private readonly Dictionary<string, AffineParameters> _activation = new();
    private readonly Dictionary<(string, int), (string Dequantized, float[] Scales, int Index)> _weights = new();
    private readonly HashSet<string> _floatConstants = new();
    private readonly Dictionary<string, string> _inputOfDequantized = new();
    private readonly Dictionary<int, string> _weightZeroPoints = new();
    private readonly Dictionary<string, string> _constantOperands = new();
    private readonly Dictionary<(TensorElementType, string, string), string> _shared = new();
    private int _activationIndex;
    private int _weightIndex;

    public int PerTensorWeights { get; private set; }

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

        DropValueInfo();
        graph.SortTopologically();
        return changes;
    }

    private void InsertQdq(string value, AffineParameters parameters, bool isGraphInput)
    {
        var i = _activationIndex++;
        var scale = AddScalar($"s{i}", $"z{i}", parameters);
        var quantized = _names.Next($"q{i}");
        string source = value, dequantized = value;
        if (isGraphInput)
        {
            dequantized = _names.Next($"d{i}");
            _inputOfDequantized[dequantized] = value;
            foreach (var consumer in graph.FindConsumers(value))
            {
                Replace(consumer.Inputs, value, dequantized);
            }
        }
        else
        {
            source = _names.Next($"f{i}");
            var producer = graph.FindProducer(value)!;
            Replace(producer.Outputs, value, source);
        }

        graph.Nodes.Add(new OnnxNode("QuantizeLinear", [source, scale.Scale, scale.ZeroPoint], [quantized]));
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [quantized, scale.Scale, scale.ZeroPoint], [dequantized]));
    }

    private (string Scale, string ZeroPoint) AddScalar(string scaleName, string zeroPointName, AffineParameters parameters)
    {
        var scale = Shared(OnnxTensor.FromFloats(scaleName, [], [parameters.Scale]));
        var zeroPoint = Shared(activationType == QuantizedActivationType.UInt8
            ? OnnxTensor.FromUInt8s(zeroPointName, [], [(byte)parameters.ZeroPoint])
            : OnnxTensor.FromInt8s(zeroPointName, [], [(sbyte)parameters.ZeroPoint]));
        return (scale, zeroPoint);
    }

    /// <summary>
    /// The name of an initializer equal to <paramref name="tensor"/> (type, shape and bytes), adding
    /// it under a fresh name from its own (a prefix) when there is none yet.
    /// </summary>
    private string Shared(OnnxTensor tensor)
    {
        var key = (tensor.ElementType, string.Join(",", tensor.Dims), Convert.ToBase64String(tensor.ToRawBytes()));
        if (!_shared.TryGetValue(key, out var name))
        {
            tensor.Name = name = _names.Next(tensor.Name);
            graph.Initializers.Add(tensor);
            _shared[key] = name;
        }

        return name;
    }

    /// <summary>
    /// Drops value_info of the main graph except for values a node of another domain reads or
    /// writes (ORT cannot infer those); graph inputs and outputs keep their declared types.
    /// </summary>
    private void DropValueInfo()
    {
        var custom = graph.Nodes.Where(n => n.Domain is not ("" or "ai.onnx"))
            .SelectMany(n => n.Inputs.Concat(n.Outputs)).ToHashSet(StringComparer.Ordinal);
        graph.ValueInfos.RemoveAll(v => !custom.Contains(v.Name));
    }

    private string QuantizeWeights(OnnxNode node)
    {
        var op = QuantizedOps.Find(node)!.Weight!;
        var weight = graph.FindConstant(node.Inputs[WeightedOp.WeightInput])!;
        var axis = op.Layout(node, weight.Dims).ChannelAxis;
        var (dequantized, scales, index) = DequantizedWeight(weight, axis);
        node.Inputs[WeightedOp.WeightInput] = dequantized;
        var detail = scales.Length == 1 && weight.Dims[axis] > 1
            ? $"{node.OpType} weight [{string.Join(",", weight.Dims)}] → int8 per-tensor"
            : $"{node.OpType} weight [{string.Join(",", weight.Dims)}] → int8 per-channel (axis {axis}, {scales.Length} scales)";
        if (op.Bias(node) is { } bias)
        {
            var inputScale = _activation[ActivationSource(node.Inputs[0])].Scale;
            node.Inputs[op.BiasInput!.Value] = DequantizedBias(graph.FindConstant(bias)!, inputScale, scales, index);
            detail += ", int32 bias";
        }

        return detail;
    }

    /// <summary>The activation whose parameters feed this input (a graph input is read through its renamed DQ output).</summary>
    private string ActivationSource(string input) => _inputOfDequantized.GetValueOrDefault(input, input);

    private (string Dequantized, float[] Scales, int Index) DequantizedWeight(OnnxTensor weight, int axis)
    {
        if (_weights.TryGetValue((weight.Name, axis), out var existing))
        {
            return existing;
        }

        var i = _weightIndex++;
        var (values, scales) = WeightGranularityChoice.Quantize(weight.ToFloatArray(), weight.Dims, axis, reduceRange, granularity);
        PerTensorWeights += scales.Length == 1 && weight.Dims[axis] > 1 ? 1 : 0;
        var q = OnnxTensor.FromInt8s(_names.Next($"w{i}"), weight.Dims, values);
        var scale = Shared(ScaleTensor($"ws{i}", scales));
        var dequantized = AddDequantize(q.Name, scale, WeightZeroPoint(scales.Length), axis, scales.Length, $"wd{i}");
        graph.Initializers.Add(q);
        FloatWeightBytes += values.Length * 4L;
        QuantizedWeightBytes += values.Length + scales.Length * 5L;
        _floatConstants.Add(weight.Name);
        return _weights[(weight.Name, axis)] = (dequantized, scales, i);
    }

    /// <summary>A scalar for one scale (per tensor), else a 1-D tensor of one scale per channel.</summary>
    private static OnnxTensor ScaleTensor(string name, float[] scales) =>
        scales.Length == 1 ? OnnxTensor.FromFloats(name, [], scales) : OnnxTensor.FromFloats(name, [scales.Length], scales);

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
        var (qmin, qmax) = activationType == QuantizedActivationType.UInt8 ? (0, 255) : (-128, 127);
        var levels = values.Select(v => (int)Math.Clamp(MathF.Round(v / parameters.Scale, MidpointRounding.ToEven) + parameters.ZeroPoint, qmin, qmax)).ToArray();
        // Equal constants (HardSwish's +3 and /6 in every block) share one quantized initializer.
        var q = Shared(activationType == QuantizedActivationType.UInt8
            ? OnnxTensor.FromUInt8s($"{constant.Name}_q", constant.Dims, levels.Select(l => (byte)l).ToArray())
            : OnnxTensor.FromInt8s($"{constant.Name}_q", constant.Dims, levels.Select(l => (sbyte)l).ToArray()));
        var i = _constantOperands.Count;
        var (scale, zeroPoint) = AddScalar($"cs{i}", $"cz{i}", parameters);
        var output = _names.Next($"cd{i}");
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [q, scale, zeroPoint], [output]));
        _floatConstants.Add(constant.Name);
        FloatWeightBytes += values.Length * 4L;
        QuantizedWeightBytes += values.Length + 5L;
        return _constantOperands[constant.Name] = output;
    }

    private string DequantizedBias(OnnxTensor bias, float inputScale, float[] weightScales, int index)
    {
        var values = bias.ToFloatArray();
        var scales = new float[values.Length];
        var quantized = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scales[i] = inputScale * weightScales[weightScales.Length == 1 ? 0 : i];
            quantized[i] = (int)Math.Clamp(Math.Round(values[i] / scales[i], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var q = OnnxTensor.FromInt32s(_names.Next($"b{index}"), bias.Dims, quantized);
        graph.Initializers.Add(q);
        // Per-tensor weights give every channel the same bias scale: one scalar.
        var scale = Shared(weightScales.Length == 1 ? OnnxTensor.FromFloats($"bs{index}", [], [inputScale * weightScales[0]]) : ScaleTensor($"bs{index}", scales));
        _floatConstants.Add(bias.Name);
        return AddDequantize(q.Name, scale, null, 0, weightScales.Length, $"bd{index}");
    }

    /// <summary>
    /// The all-zero int8 zero point of a symmetric weight with this many channels, shared by
    /// every weight of that width (ORT's QGemm fusion needs it present; sharing keeps files small).
    /// </summary>
    private string WeightZeroPoint(int channels)
    {
        if (!_weightZeroPoints.TryGetValue(channels, out var name))
        {
            name = Shared(channels == 1 ? OnnxTensor.FromInt8s("wz", [], [0]) : OnnxTensor.FromInt8s($"wz{channels}", [channels], new sbyte[channels]));
            _weightZeroPoints[channels] = name;
        }

        return name;
    }

    /// <summary>
    /// A DequantizeLinear of a constant; a null zero point is omitted, meaning 0 (the int32 bias).
    /// The axis attribute is written only for a per-channel (1-D) scale.
    /// </summary>
    private string AddDequantize(string quantized, string scale, string? zeroPoint, int axis, int scales, string outputName)
    {
        var output = _names.Next(outputName);
        string[] inputs = zeroPoint is null ? [quantized, scale] : [quantized, scale, zeroPoint];
        var dq = new OnnxNode("DequantizeLinear", inputs, [output]); // unnamed: Q/DQ names only cost bytes
        if (scales > 1)
        {
            dq.SetAttribute(OnnxAttribute.FromInt("axis", axis));
        }

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
