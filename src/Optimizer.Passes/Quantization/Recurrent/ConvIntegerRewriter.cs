// Conv → the form ONNX Runtime's quantize_dynamic writes for it (operators/conv.py, ConvInteger):
//   DynamicQuantizeLinear(x) → ConvInteger(x_q, W_q, x_zp, 0) → Cast(float) → Mul(x_scale × W_scale) (→ Add bias)
// - The weight is symmetric int8 with one zero point (0) for the whole tensor: ORT's ConvInteger
//   takes only a scalar filter zero point. Per-channel scales still work because they are not
//   ConvInteger's business: with zero point 0 the int32 sum of output channel m is exact and the
//   following Mul by a [M, 1, …] vector scales each channel by its own step (PerChannel, default).
// - Conv's bias cannot enter ConvInteger; it is added in float after the scales, reshaped to
//   [M, 1, …] so it broadcasts over the spatial axes as Conv's bias does.
// - Every Conv attribute (pads, strides, dilations, group, auto_pad, kernel_shape) means the same on
//   ConvInteger and is copied unchanged.

using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>Replaces a Conv with a constant float weight by the dynamic ConvInteger chain.</summary>
internal sealed class ConvIntegerRewriter(DynamicRewriteContext context) : IDynamicLayerRewriter
{
    public (string? Detail, string? Reason) TryRewrite(OnnxNode node, GraphScope scope)
    {
        if (node.Inputs.Count < 2 || node.Outputs.Count != 1)
        {
            return (null, $"Conv with {node.Inputs.Count} inputs and {node.Outputs.Count} outputs is malformed");
        }

        if (WeightProblem.Of(scope, node.Inputs[1], rank: 3, orHigher: true) is { } problem)
        {
            return (null, problem);
        }

        if (scope.ElementTypeOf(node.Inputs[0]) is { } type and not TensorElementType.Float)
        {
            return (null, $"input '{node.Inputs[0]}' is {type}; only float32 activations are quantized");
        }

        var hasBias = node.Inputs.Count > 2 && node.Inputs[2].Length > 0;
        var bias = hasBias ? scope.FindConstant(node.Inputs[2]) : null;
        if (hasBias && bias is not { Value.ElementType: TensorElementType.Float })
        {
            return (null, $"bias '{node.Inputs[2]}' is not a constant float32 tensor");
        }

        var (weight, owner) = scope.FindConstant(node.Inputs[1])!.Value;
        var graph = scope.Graph;
        var newNodes = new List<OnnxNode>();
        var (xQ, xScale, xZeroPoint) = context.QuantizedActivation(graph, node.Inputs[0], newNodes);
        var weightNames = context.Derived(owner, weight, "ConvInteger", () => QuantizeWeight(weight));
        var (wQ, wScale, wZeroPoint) = (weightNames[0], weightNames[1], weightNames[2]);

        var baseName = node.Name.Length > 0 ? node.Name : node.Outputs[0];
        var output = node.Outputs[0];
        var product = context.Names.Next($"{output}_ConvInteger");
        var productFloat = context.Names.Next($"{output}_ConvInteger_cast");
        var scales = context.Names.Next($"{output}_scales");
        var scaled = bias is null ? output : context.Names.Next($"{output}_scaled");

        var convInteger = new OnnxNode("ConvInteger", [xQ, wQ, xZeroPoint, wZeroPoint], [product], context.Names.Next($"{baseName}_ConvInteger"));
        convInteger.Attributes.AddRange(node.Attributes);
        newNodes.Add(convInteger);
        var cast = new OnnxNode("Cast", [product], [productFloat], context.Names.Next($"{baseName}_Cast"));
        cast.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        newNodes.Add(cast);
        newNodes.Add(new OnnxNode("Mul", [xScale, wScale], [scales], context.Names.Next($"{baseName}_scales_Mul")));
        newNodes.Add(new OnnxNode("Mul", [productFloat, scales], [scaled], context.Names.Next($"{baseName}_output_Mul")));
        if (bias is { } b)
        {
            var biasNames = context.Derived(b.Owner, b.Value, $"ConvInteger bias rank {weight.Dims.Count - 1}", () => [ChannelVector(b.Value, weight.Dims.Count - 1)]);
            newNodes.Add(new OnnxNode("Add", [scaled, biasNames[0]], [output], context.Names.Next($"{baseName}_bias_Add")));
        }

        DynamicRewriteContext.Replace(graph, node, newNodes);
        return (string.Create(CultureInfo.InvariantCulture,
            $"Conv weight [{string.Join("x", weight.Dims)}] → int8 {(context.PerChannel ? "per-channel" : "per-tensor")}, ConvInteger"), null);
    }

    private IReadOnlyList<OnnxTensor> QuantizeWeight(OnnxTensor weight)
    {
        var values = weight.ToFloatArray();
        var (q, scales) = context.PerChannel
            ? PerAxisInt8Quantizer.Quantize(values, weight.Dims, 0, context.ReduceRange)
            : PerAxisInt8Quantizer.QuantizePerTensor(values, context.ReduceRange);
        var scaleDims = context.PerChannel ? ChannelDims(weight.Dims[0], weight.Dims.Count - 1) : [];
        return
        [
            OnnxTensor.FromInt8s(context.Names.Next($"{weight.Name}_quantized"), weight.Dims, q),
            OnnxTensor.FromFloats(context.Names.Next($"{weight.Name}_scale"), scaleDims, scales),
            OnnxTensor.FromInt8s(context.Names.Next($"{weight.Name}_zero_point"), [], [0]),
        ];
    }

    /// <summary>[M] → [M, 1, …] with <paramref name="rank"/> dimensions, to broadcast over N, C, spatial.</summary>
    private OnnxTensor ChannelVector(OnnxTensor bias, int rank) =>
        OnnxTensor.FromFloats(context.Names.Next($"{bias.Name}_channels"), ChannelDims(bias.ElementCount, rank), bias.ToFloatArray());

    private static long[] ChannelDims(long channels, int rank) => [channels, .. Enumerable.Repeat(1L, rank - 1)];
}
